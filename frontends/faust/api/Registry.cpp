// Registry: factory creation from source, bitcode, IR and machine code, and
// the SHA-keyed factory table.
//
// Each key has an entry with its own mutex: the first thread to ask for a key
// compiles it while later ones for the same key wait and share the result,
// and threads asking for different keys compile in parallel. The
// libfaust-shaped overloads (with `std::string &error`) are at the end: each
// calls its structured form and renders the diagnostics, libfaust's edge.
#include "kiln/faust/Registry.h"

#include "../compiler/FaustCompiler.h"
#include "../dsp/FactoryImpl.h"
#include "../dsp/MachineCode.h"
#include "FactoryCache.h"

#include "kiln/core/Diagnostic.h"

#include "llvm/Support/Base64.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <thread>

namespace kiln::faust {

using Result = Registry::Result;

namespace {

std::string dirOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// A new Impl with the options-derived parts filled (target, level, split).
kiln::Expected<std::unique_ptr<Factory::Impl>>
newImpl(const std::string &target, kiln::OptLevel level) {
  auto spec = targetFromString(target);
  if (!spec)
    return core::toDiagnostics(spec.takeError());
  auto impl = std::make_unique<Factory::Impl>();
  impl->spec = *spec;
  impl->level = level;
  impl->split = std::thread::hardware_concurrency() > 1;
  return impl;
}

Result finish(llvm::Expected<std::shared_ptr<Factory>> factory) {
  return core::toExpected(std::move(factory));
}

/// Runs faust on `input` (while the JIT is being created) and builds the
/// factory from its bitcode.
Result compileWithFaust(std::unique_ptr<Factory::Impl> impl,
                        const FaustInput &input, core::PhaseTimings *timings) {
  startJit(*impl);
  kiln::Expected<FaustOutput> faust = [&] {
    core::ScopedPhase phase(timings, "faust");
    return runFaust(input);
  }();
  if (!faust) {
    if (impl->pendingJit.valid())
      llvm::consumeError(impl->pendingJit.get().takeError());
    return faust.takeDiagnostics();
  }
  impl->dspCode = input.source;
  impl->warnings = faust->warnings;
  return finish(
      buildFactory(std::move(impl), faust->bitcode, input.displayName));
}

/// Compiles `input` with faust, then builds the factory (or loads it from
/// the disk cache when the options allow).
Result compileSource(const FaustInput &input, const FactoryOptions &options,
                     const std::string &key) {
  auto impl = newImpl(options.target, options.optLevel);
  if (!impl)
    return impl.takeDiagnostics();
  if (options.compileThreads != 0)
    (*impl)->split = options.compileThreads > 1;
  bool cache = options.cache && (*impl)->spec.isHost;
  if (cache) {
    core::ScopedPhase phase(options.timings, "cache");
    if (auto cached = loadCachedFactory(key, input))
      return cached;
  }
  (*impl)->timings = options.timings;
  (*impl)->shaKey = key;
  Result factory = compileWithFaust(std::move(*impl), input, options.timings);
  if (factory && cache && (*factory)->isHost())
    storeCachedFactory(**factory, input);
  return factory;
}

/// The file name a string is compiled from: Faust names the DSP (and its
/// top UI group, hence parameter paths) after it, as libfaust does with the
/// name it is given. "osc" and "osc.dsp" give "osc.dsp".
std::string tempFileName(const std::string &name) {
  std::string base = name.substr(name.rfind('/') + 1);
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".dsp") == 0)
    base.resize(base.size() - 4);
  bool plain = !base.empty();
  for (char c : base)
    plain &= std::isalnum((unsigned char)c) || c == '_' || c == '-';
  return (plain ? base : std::string("input")) + ".dsp";
}

/// The SHA key: code, the file name faust is given (it names the DSP and
/// its parameter paths, so equal text in a.dsp and b.dsp is two DSPs),
/// target, level and the arguments faust really gets (with the file's
/// directory, so equal text in two folders is two DSPs).
std::string keyOf(const std::string &code, const std::string &fileName,
                  const std::vector<std::string> &args,
                  const FactoryOptions &options) {
  std::vector<std::string> parts{code, fileName, options.target,
                                 kiln::optLevelName(options.optLevel)};
  parts.insert(parts.end(), args.begin(), args.end());
  return shaOf(parts);
}

Diagnostic ioError(std::string message) {
  Diagnostic diag = errorDiagnostic(std::move(message));
  diag.kind = ErrorKind::IO;
  return diag;
}

/// Writes `code` to a private temporary file named after `name` and
/// compiles it; the directory is removed afterwards.
Result compileString(const std::string &name, const std::string &code,
                     const FactoryOptions &options, const std::string &key) {
  std::string dir = makeTempDir();
  if (dir.empty())
    return ioError("cannot create a temporary directory");
  FaustInput input;
  input.path = dir + "/" + tempFileName(name);
  input.displayName = name.empty() ? "<string>" : name;
  input.source = code;
  input.args = options.args;
  input.faustPath = options.faustPath;
  std::ofstream(input.path, std::ios::binary) << code;
  Result factory = compileSource(input, options, key);
  removeTempDir(dir);
  return factory;
}

Diagnostic malformedMachine() {
  Diagnostic diag =
      errorDiagnostic("Kiln Faust machine code is truncated or malformed");
  diag.kind = ErrorKind::InvalidArgument;
  return diag;
}

/// Loads the objects of a parsed container for the host under `key`.
Result loadMachine(MachineCode &code, const std::string &key) {
  auto impl = newImpl("", kiln::OptLevel::O3);
  if (!impl)
    return impl.takeDiagnostics();
  (*impl)->shaKey = key;
  (*impl)->className = code.fields["class"];
  (*impl)->name = code.fields["name"];
  if (auto level = kiln::parseOptLevel(code.fields["level"]))
    (*impl)->level = *level;
  uint64_t size = 0; // written since the JSON's size was found to wrap
  const std::string &text = code.fields["size"];
  if (!text.empty() &&
      std::from_chars(text.data(), text.data() + text.size(), size).ptr !=
          text.data() + text.size())
    return malformedMachine();
  return finish(loadFactoryObject(std::move(*impl), code.objects, size));
}

/// The libfaust shape of a result: the factory, or null with `error` set.
std::shared_ptr<Factory> rendered(Result result, std::string &error) {
  if (!result) {
    error = kiln::render(result.diagnostics());
    return nullptr;
  }
  return std::move(*result);
}

} // namespace

/// One table slot; `mutex` is held while its factory is being built.
struct Registry::Entry {
  std::mutex mutex;
  std::shared_ptr<Factory> factory;
};

Result Registry::getOrBuild(const std::string &key,
                            const std::function<Result()> &build) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(Mutex);
    auto &slot = Factories[key];
    if (!slot)
      slot = std::make_shared<Entry>();
    entry = slot;
  }
  Result result = std::shared_ptr<Factory>();
  {
    std::lock_guard<std::mutex> lock(entry->mutex);
    if (!entry->factory && (result = build()))
      entry->factory = *result;
    if (entry->factory)
      return entry->factory;
  }
  // A failed build leaves no entry behind.
  std::lock_guard<std::mutex> lock(Mutex);
  auto it = Factories.find(key);
  if (it != Factories.end() && it->second == entry)
    Factories.erase(it);
  return result;
}

Result Registry::createDSPFactoryFromFile(const std::string &path,
                                          const FactoryOptions &options) {
  FaustInput input;
  kiln::Expected<std::string> source = readInputFile(path);
  if (!source)
    return source.takeDiagnostics();
  input.source = std::move(*source);
  input.path = input.displayName = path;
  input.args = options.args;
  input.args.insert(input.args.end(), {"-I", dirOf(path)});
  input.faustPath = options.faustPath;
  std::string key = keyOf(input.source, path.substr(path.rfind('/') + 1),
                          input.args, options);
  return getOrBuild(key, [&] { return compileSource(input, options, key); });
}

Result Registry::createDSPFactoryFromString(const std::string &name,
                                            const std::string &code,
                                            const FactoryOptions &options) {
  std::string key = keyOf(code, tempFileName(name), options.args, options);
  return getOrBuild(key,
                    [&] { return compileString(name, code, options, key); });
}

Result Registry::readDSPFactoryFromBitcode(const std::string &bitcode,
                                           const std::string &target,
                                           kiln::OptLevel level) {
  std::string key =
      shaOf({"bitcode", bitcode, target, std::to_string(int(level))});
  return getOrBuild(key, [&]() -> Result {
    auto impl = newImpl(target, level);
    if (!impl)
      return impl.takeDiagnostics();
    (*impl)->shaKey = key;
    return finish(buildFactory(std::move(*impl), bitcode, "<bitcode>"));
  });
}

Result Registry::readDSPFactoryFromBitcodeFile(const std::string &path,
                                               const std::string &target,
                                               kiln::OptLevel level) {
  kiln::Expected<std::string> bitcode = readInputFile(path);
  if (!bitcode)
    return bitcode.takeDiagnostics();
  return readDSPFactoryFromBitcode(*bitcode, target, level);
}

Result Registry::readDSPFactoryFromIR(const std::string &ir,
                                      const std::string &target,
                                      kiln::OptLevel level) {
  return readDSPFactoryFromBitcode(ir, target, level);
}

Result Registry::readDSPFactoryFromIRFile(const std::string &path,
                                          const std::string &target,
                                          kiln::OptLevel level) {
  return readDSPFactoryFromBitcodeFile(path, target, level);
}

Result Registry::readDSPFactoryFromMachine(const std::string &machine) {
  kiln::Expected<MachineCode> code = parseMachine(machine);
  if (!code)
    return code.takeDiagnostics();
  std::string host = getDSPMachineTarget();
  if (code->fields["target"] != host) {
    Diagnostic diag =
        errorDiagnostic("machine code for '" + code->fields["target"] +
                        "' cannot run on this machine ('" + host + "')");
    diag.kind = ErrorKind::InvalidArgument;
    return diag;
  }
  std::string key = shaOf({"machine", code->fields["key"], host});
  return getOrBuild(key, [&] { return loadMachine(*code, key); });
}

Result Registry::readDSPFactoryFromMachineBase64(const std::string &base64) {
  std::vector<char> bytes;
  if (auto err = llvm::decodeBase64(base64, bytes)) {
    Diagnostic diag = errorDiagnostic("machine code is not valid base64: " +
                                      llvm::toString(std::move(err)));
    diag.kind = ErrorKind::InvalidArgument;
    return diag;
  }
  return readDSPFactoryFromMachine(std::string(bytes.begin(), bytes.end()));
}

Result Registry::readDSPFactoryFromMachineFile(const std::string &path) {
  kiln::Expected<std::string> machine = readInputFile(path);
  if (!machine)
    return machine.takeDiagnostics();
  return readDSPFactoryFromMachine(*machine);
}

std::shared_ptr<Factory>
Registry::getDSPFactoryFromSHAKey(const std::string &key) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(Mutex);
    auto it = Factories.find(key);
    if (it == Factories.end())
      return nullptr;
    entry = it->second;
  }
  std::lock_guard<std::mutex> lock(entry->mutex);
  return entry->factory;
}

std::vector<std::string> Registry::getAllDSPFactories() {
  std::vector<std::pair<std::string, std::shared_ptr<Entry>>> entries;
  {
    std::lock_guard<std::mutex> lock(Mutex);
    entries.assign(Factories.begin(), Factories.end());
  }
  std::vector<std::string> keys;
  for (auto &[key, entry] : entries) {
    std::lock_guard<std::mutex> lock(entry->mutex); // waits for a build
    if (entry->factory)
      keys.push_back(key);
  }
  return keys;
}

bool Registry::deleteDSPFactory(const std::shared_ptr<Factory> &factory) {
  if (!factory)
    return false;
  std::lock_guard<std::mutex> lock(Mutex);
  return Factories.erase(factory->shaKey()) > 0;
}

void Registry::deleteAllDSPFactories() {
  std::lock_guard<std::mutex> lock(Mutex);
  Factories.clear();
}

// libfaust's shape: the structured forms above, rendered.

std::shared_ptr<Factory>
Registry::createDSPFactoryFromFile(const std::string &path,
                                   const FactoryOptions &options,
                                   std::string &error) {
  return rendered(createDSPFactoryFromFile(path, options), error);
}

std::shared_ptr<Factory> Registry::createDSPFactoryFromString(
    const std::string &name, const std::string &code,
    const FactoryOptions &options, std::string &error) {
  return rendered(createDSPFactoryFromString(name, code, options), error);
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromBitcode(const std::string &bitcode,
                                    const std::string &target,
                                    kiln::OptLevel level, std::string &error) {
  return rendered(readDSPFactoryFromBitcode(bitcode, target, level), error);
}

std::shared_ptr<Factory> Registry::readDSPFactoryFromBitcodeFile(
    const std::string &path, const std::string &target, kiln::OptLevel level,
    std::string &error) {
  return rendered(readDSPFactoryFromBitcodeFile(path, target, level), error);
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromIR(const std::string &ir, const std::string &target,
                               kiln::OptLevel level, std::string &error) {
  return rendered(readDSPFactoryFromIR(ir, target, level), error);
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromIRFile(const std::string &path,
                                   const std::string &target,
                                   kiln::OptLevel level, std::string &error) {
  return rendered(readDSPFactoryFromIRFile(path, target, level), error);
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromMachine(const std::string &machine,
                                    std::string &error) {
  return rendered(readDSPFactoryFromMachine(machine), error);
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromMachineBase64(const std::string &base64,
                                          std::string &error) {
  return rendered(readDSPFactoryFromMachineBase64(base64), error);
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromMachineFile(const std::string &path,
                                        std::string &error) {
  return rendered(readDSPFactoryFromMachineFile(path), error);
}

} // namespace kiln::faust
