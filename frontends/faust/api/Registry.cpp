// Registry: factory creation from source, bitcode, IR and machine code, and
// the SHA-keyed factory table.
//
// Each key has an entry with its own mutex: the first thread to ask for a key
// compiles it while later ones for the same key wait and share the result,
// and threads asking for different keys compile in parallel.
#include "kiln/faust/Registry.h"

#include "../compiler/FaustCompiler.h"
#include "../dsp/FactoryImpl.h"
#include "FactoryCache.h"

#include "kiln/core/Diagnostic.h"

#include "llvm/Support/Base64.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace kiln::faust {

namespace {

std::string dirOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// Fills the options-derived parts of a new Impl; false with `error`.
std::unique_ptr<Factory::Impl> newImpl(const std::string &target,
                                       int optLevel, std::string &error) {
  auto spec = targetFromString(target);
  if (!spec) {
    error = core::renderError(spec.takeError());
    return nullptr;
  }
  auto impl = std::make_unique<Factory::Impl>();
  impl->spec = *spec;
  impl->level = optLevelFromFaust(optLevel);
  impl->split = std::thread::hardware_concurrency() > 1;
  return impl;
}

std::shared_ptr<Factory> finish(llvm::Expected<std::shared_ptr<Factory>> f,
                                std::string &error) {
  if (!f) {
    error = core::renderError(f.takeError());
    return nullptr;
  }
  return std::move(*f);
}

/// Compiles `input` with faust, then builds the factory.
std::shared_ptr<Factory> compileSource(const FaustInput &input,
                                       const FactoryOptions &options,
                                       const std::string &key,
                                       std::string &error) {
  auto impl = newImpl(options.target, options.optLevel, error);
  if (!impl)
    return nullptr;
  if (options.compileThreads != 0)
    impl->split = options.compileThreads > 1;
  if (options.cache && impl->spec.isHost) {
    core::ScopedPhase phase(options.timings, "cache");
    if (auto cached = loadCachedFactory(key, input))
      return cached;
  }
  impl->timings = options.timings;
  startJit(*impl);
  FaustResult faust;
  {
    core::ScopedPhase phase(options.timings, "faust");
    faust = runFaust(input);
  }
  if (!faust.ok) {
    if (impl->pendingJit.valid())
      llvm::consumeError(impl->pendingJit.get().takeError());
    error = faust.diagnostics;
    return nullptr;
  }
  impl->shaKey = key;
  impl->dspCode = input.source;
  impl->warnings = faust.warnings;
  auto factory = finish(
      buildFactory(std::move(impl), faust.bitcode, input.displayName), error);
  if (factory && options.cache && factory->isHost())
    storeCachedFactory(*factory, input);
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
  std::vector<std::string> parts{
      code, fileName, options.target,
      core::optLevelName(optLevelFromFaust(options.optLevel))};
  parts.insert(parts.end(), args.begin(), args.end());
  return shaOf(parts);
}

} // namespace

/// One table slot; `mutex` is held while its factory is being built.
struct Registry::Entry {
  std::mutex mutex;
  std::shared_ptr<Factory> factory;
};

std::shared_ptr<Factory>
Registry::getOrBuild(const std::string &key,
                     const std::function<std::shared_ptr<Factory>()> &build) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(Mutex);
    auto &slot = Factories[key];
    if (!slot)
      slot = std::make_shared<Entry>();
    entry = slot;
  }
  std::shared_ptr<Factory> factory;
  {
    std::lock_guard<std::mutex> lock(entry->mutex);
    if (!entry->factory)
      entry->factory = build();
    factory = entry->factory;
  }
  if (!factory) { // a failed build leaves no entry behind
    std::lock_guard<std::mutex> lock(Mutex);
    auto it = Factories.find(key);
    if (it != Factories.end() && it->second == entry)
      Factories.erase(it);
  }
  return factory;
}

std::shared_ptr<Factory> Registry::createDSPFactoryFromFile(
    const std::string &path, const FactoryOptions &options, std::string &error) {
  FaustInput input;
  if (!readInputFile(path, input.source, error))
    return nullptr;
  input.path = input.displayName = path;
  input.args = options.args;
  input.args.insert(input.args.end(), {"-I", dirOf(path)});
  input.faustPath = options.faustPath;
  std::string key = keyOf(input.source, path.substr(path.rfind('/') + 1),
                          input.args, options);
  return getOrBuild(key, [&] {
    return compileSource(input, options, key, error);
  });
}

std::shared_ptr<Factory> Registry::createDSPFactoryFromString(
    const std::string &name, const std::string &code,
    const FactoryOptions &options, std::string &error) {
  std::string key = keyOf(code, tempFileName(name), options.args, options);
  return getOrBuild(key, [&]() -> std::shared_ptr<Factory> {
    std::string dir = makeTempDir();
    if (dir.empty()) {
      error = "error: cannot create a temporary directory";
      return nullptr;
    }
    FaustInput input;
    input.path = dir + "/" + tempFileName(name);
    input.displayName = name.empty() ? "<string>" : name;
    input.source = code;
    input.args = options.args;
    input.faustPath = options.faustPath;
    std::ofstream(input.path, std::ios::binary) << code;
    auto factory = compileSource(input, options, key, error);
    removeTempDir(dir);
    return factory;
  });
}

std::shared_ptr<Factory> Registry::readDSPFactoryFromBitcode(
    const std::string &bitcode, const std::string &target, int optLevel,
    std::string &error) {
  std::string key = shaOf({"bitcode", bitcode, target,
                           std::to_string(int(optLevelFromFaust(optLevel)))});
  return getOrBuild(key, [&]() -> std::shared_ptr<Factory> {
    auto impl = newImpl(target, optLevel, error);
    if (!impl)
      return nullptr;
    impl->shaKey = key;
    return finish(buildFactory(std::move(impl), bitcode, "<bitcode>"), error);
  });
}

std::shared_ptr<Factory> Registry::readDSPFactoryFromBitcodeFile(
    const std::string &path, const std::string &target, int optLevel,
    std::string &error) {
  std::string bitcode;
  if (!readInputFile(path, bitcode, error))
    return nullptr;
  return readDSPFactoryFromBitcode(bitcode, target, optLevel, error);
}

std::shared_ptr<Factory> Registry::readDSPFactoryFromIR(
    const std::string &ir, const std::string &target, int optLevel,
    std::string &error) {
  return readDSPFactoryFromBitcode(ir, target, optLevel, error);
}

std::shared_ptr<Factory> Registry::readDSPFactoryFromIRFile(
    const std::string &path, const std::string &target, int optLevel,
    std::string &error) {
  return readDSPFactoryFromBitcodeFile(path, target, optLevel, error);
}

namespace {

/// The header of Kiln machine code (see Factory::writeMachine).
struct MachineHeader {
  std::map<std::string, std::string> fields;
  std::vector<std::string> objects;
};

/// Reads Kiln's machine-code container: version 1 is the header fields and
/// one object; version 2 the same fields and one or more objects (a factory
/// compiled in two halves), each "object SIZE\n" and SIZE bytes.
bool parseMachine(const std::string &machine, MachineHeader &h,
                  std::string &error) {
  const std::string v1 = "KILN-FAUST-MACHINE 1\n", v2 = "KILN-FAUST-MACHINE 2\n";
  bool several = machine.compare(0, v2.size(), v2) == 0;
  if (!several && machine.compare(0, v1.size(), v1) != 0) {
    error = "error: not Kiln Faust machine code (bad header)";
    return false;
  }
  size_t pos = v1.size();
  while (pos < machine.size()) {
    size_t eol = machine.find('\n', pos);
    size_t space = machine.find(' ', pos);
    if (eol == std::string::npos || space == std::string::npos || space > eol)
      break;
    std::string field = machine.substr(pos, space - pos);
    std::string value = machine.substr(space + 1, eol - space - 1);
    pos = eol + 1;
    if (field != "object") {
      if (!h.objects.empty())
        break; // fields come before the objects
      h.fields[field] = value;
      continue;
    }
    uint64_t size = std::strtoull(value.c_str(), nullptr, 10);
    if (size == 0 || size > machine.size() - pos)
      break;
    h.objects.push_back(machine.substr(pos, size));
    pos += size;
    if (pos == machine.size())
      return true;
    if (!several)
      break;
  }
  error = "error: Kiln Faust machine code is truncated or malformed";
  return false;
}

} // namespace

std::shared_ptr<Factory>
Registry::readDSPFactoryFromMachine(const std::string &machine,
                                    std::string &error) {
  MachineHeader h;
  if (!parseMachine(machine, h, error))
    return nullptr;
  std::string host = getDSPMachineTarget();
  if (h.fields["target"] != host) {
    error = "error: machine code for '" + h.fields["target"] +
            "' cannot run on this machine ('" + host + "')";
    return nullptr;
  }
  std::string key = shaOf({"machine", h.fields["key"], host});
  return getOrBuild(key, [&]() -> std::shared_ptr<Factory> {
    auto impl = newImpl("", -1, error);
    if (!impl)
      return nullptr;
    impl->shaKey = key;
    impl->className = h.fields["class"];
    impl->name = h.fields["name"];
    if (auto level = core::parseOptLevel(h.fields["level"]))
      impl->level = *level;
    uint64_t size = 0; // written since the JSON's size was found to wrap
    const std::string &sizeText = h.fields["size"];
    if (!sizeText.empty() &&
        std::from_chars(sizeText.data(), sizeText.data() + sizeText.size(),
                        size).ptr != sizeText.data() + sizeText.size()) {
      error = "error: Kiln Faust machine code is truncated or malformed";
      return nullptr;
    }
    return finish(loadFactoryObject(std::move(impl), h.objects, size), error);
  });
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromMachineBase64(const std::string &base64,
                                          std::string &error) {
  std::vector<char> bytes;
  if (auto err = llvm::decodeBase64(base64, bytes)) {
    error = "error: machine code is not valid base64: " +
            llvm::toString(std::move(err));
    return nullptr;
  }
  return readDSPFactoryFromMachine(std::string(bytes.begin(), bytes.end()),
                                   error);
}

std::shared_ptr<Factory>
Registry::readDSPFactoryFromMachineFile(const std::string &path,
                                        std::string &error) {
  std::string machine;
  if (!readInputFile(path, machine, error))
    return nullptr;
  return readDSPFactoryFromMachine(machine, error);
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

} // namespace kiln::faust
