// FaustCompat.cpp: libfaust's C factory API (llvm-dsp-c.h) over a Registry.
//
// Each function is a thin conversion: C strings and argc/argv into
// FactoryOptions (libfaust's opt_level through optLevelFromFaust), the
// structured result into libfaust's shape — a handle or NULL with the
// rendered diagnostics in the caller's error_msg, strings malloc'd for
// freeCMemory, base64 where libfaust's string forms carry binary. The
// process-wide table (FaustCompat.h) counts references as libfaust does and
// rejects pointers it never handed out or already deleted.
#include "FaustCompat.h"

#include "kiln/faust/OptLevel.h"

#include "llvm/Support/Base64.h"
#include "llvm/Support/Error.h"

#include <faust/export.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

using namespace kiln;
using namespace kiln::capi::compat;

namespace kiln::capi::compat {
namespace {

struct Table {
  std::mutex mutex;
  std::map<const faust::Factory *, llvm_dsp_factory *> byFactory;
  std::set<llvm_dsp_factory *> live;
};

Table &table() {
  static Table *t = new Table; // never destroyed: see registry()
  return *t;
}

} // namespace

faust::Registry &registry() {
  static faust::Registry *r = new faust::Registry;
  return *r;
}

llvm_dsp_factory *adopt(std::shared_ptr<faust::Factory> factory) {
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  auto found = t.byFactory.find(factory.get());
  if (found != t.byFactory.end()) {
    ++found->second->refs;
    return found->second;
  }
  auto *handle = new llvm_dsp_factory{factory, 1};
  t.byFactory.emplace(factory.get(), handle);
  t.live.insert(handle);
  return handle;
}

std::shared_ptr<faust::Factory> lookup(llvm_dsp_factory *handle) {
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  return t.live.count(handle) ? handle->factory : nullptr;
}

// release and releaseAll leave the registry under the table's lock, so a
// concurrent create cannot adopt a factory that is being removed; the last
// reference (`dead`) is dropped after unlocking.
bool release(llvm_dsp_factory *handle) {
  std::shared_ptr<faust::Factory> dead;
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (!t.live.count(handle) || --handle->refs > 0)
    return false;
  dead = std::move(handle->factory);
  t.byFactory.erase(dead.get());
  t.live.erase(handle);
  delete handle;
  registry().deleteDSPFactory(dead);
  return true;
}

void releaseAll() {
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  for (llvm_dsp_factory *handle : t.live)
    delete handle;
  t.live.clear();
  t.byFactory.clear();
  registry().deleteAllDSPFactories();
}

void writeError(char *errorMsg, const std::string &message) noexcept {
  if (!errorMsg)
    return;
  size_t n = std::min<size_t>(message.size(), 4095);
  std::memcpy(errorMsg, message.data(), n);
  errorMsg[n] = '\0';
}

char *copyString(const std::string &text) noexcept {
  char *copy = static_cast<char *>(std::malloc(text.size() + 1));
  if (copy)
    std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

const char **copyList(const std::vector<std::string> &items) noexcept {
  auto **list =
      static_cast<const char **>(std::calloc(items.size() + 1, sizeof(char *)));
  for (size_t i = 0; list && i < items.size(); ++i)
    if (!(list[i] = copyString(items[i]))) {
      for (size_t j = 0; j < i; ++j)
        std::free(const_cast<char *>(list[j]));
      std::free(list);
      return nullptr;
    }
  return list;
}

} // namespace kiln::capi::compat

namespace {

/// A handle (count incremented) for a successful result, else NULL with the
/// rendered diagnostics in error_msg; an exception is an internal error.
template <typename F> llvm_dsp_factory *made(char *errorMsg, F &&build) {
  try {
    faust::Registry::Result result = build();
    if (!result) {
      writeError(errorMsg, render(result.diagnostics()));
      return nullptr;
    }
    writeError(errorMsg, "");
    return adopt(std::move(*result));
  } catch (const std::exception &e) {
    writeError(errorMsg, std::string("internal error: ") + e.what());
  } catch (...) {
    writeError(errorMsg, "internal error");
  }
  return nullptr;
}

/// A failure result with one message (arguments libfaust would not check).
faust::Registry::Result failure(std::string message) {
  Diagnostic diag = errorDiagnostic(std::move(message));
  diag.kind = ErrorKind::InvalidArgument;
  return Diagnostics{std::move(diag)};
}

/// FactoryOptions from libfaust's arguments; false (and `why`) when argv is
/// malformed.
bool optionsFrom(int argc, const char *argv[], const char *target, int optLevel,
                 faust::FactoryOptions &options, std::string &why) {
  if (argc < 0 || (argc > 0 && !argv)) {
    why = "argc is negative or argv is NULL";
    return false;
  }
  for (int i = 0; i < argc; ++i) {
    if (!argv[i]) {
      why = "argv[" + std::to_string(i) + "] is NULL";
      return false;
    }
    options.args.emplace_back(argv[i]);
  }
  options.target = target ? target : "";
  options.optLevel = faust::optLevelFromFaust(optLevel);
  return true;
}

std::string orEmpty(const char *text) { return text ? text : ""; }

} // namespace

// ---- Library --------------------------------------------------------------

extern "C" {

KILN_LIBFAUST_API const char *getCLibFaustVersion(void) { return FAUSTVERSION; }

KILN_LIBFAUST_API char *getCDSPMachineTarget(void) {
  return shield<char *>(
      nullptr, [] { return copyString(faust::getDSPMachineTarget()); });
}

KILN_LIBFAUST_API void freeCMemory(void *ptr) { std::free(ptr); }
KILN_LIBFAUST_API bool startMTDSPFactories(void) { return true; }
KILN_LIBFAUST_API void stopMTDSPFactories(void) {}

// ---- Factories ------------------------------------------------------------

KILN_LIBFAUST_API llvm_dsp_factory *
createCDSPFactoryFromFile(const char *filename, int argc, const char *argv[],
                          const char *target, char *error_msg, int opt_level) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    faust::FactoryOptions options;
    std::string why;
    if (!filename)
      return failure("createCDSPFactoryFromFile: filename is NULL");
    if (!optionsFrom(argc, argv, target, opt_level, options, why))
      return failure("createCDSPFactoryFromFile: " + why);
    return registry().createDSPFactoryFromFile(filename, options);
  });
}

KILN_LIBFAUST_API llvm_dsp_factory *
createCDSPFactoryFromString(const char *name_app, const char *dsp_content,
                            int argc, const char *argv[], const char *target,
                            char *error_msg, int opt_level) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    faust::FactoryOptions options;
    std::string why;
    if (!name_app || !dsp_content)
      return failure("createCDSPFactoryFromString: name_app or dsp_content "
                     "is NULL");
    if (!optionsFrom(argc, argv, target, opt_level, options, why))
      return failure("createCDSPFactoryFromString: " + why);
    return registry().createDSPFactoryFromString(name_app, dsp_content,
                                                 options);
  });
}

KILN_LIBFAUST_API llvm_dsp_factory *
getCDSPFactoryFromSHAKey(const char *sha_key) {
  return shield<llvm_dsp_factory *>(nullptr, [&]() -> llvm_dsp_factory * {
    if (!sha_key)
      return nullptr;
    auto factory = registry().getDSPFactoryFromSHAKey(sha_key);
    return factory ? adopt(std::move(factory)) : nullptr;
  });
}

KILN_LIBFAUST_API bool deleteCDSPFactory(llvm_dsp_factory *factory) {
  return shield(false, [&] { return release(factory); });
}

KILN_LIBFAUST_API void deleteAllCDSPFactories(void) {
  shield(0, [] {
    releaseAll();
    return 0;
  });
}

KILN_LIBFAUST_API const char **getAllCDSPFactories(void) {
  return shield<const char **>(
      nullptr, [] { return copyList(registry().getAllDSPFactories()); });
}

// ---- Queries --------------------------------------------------------------

/// The query functions: NULL for an invalid factory, else a malloc'd copy.
#define KILN_FACTORY_QUERY(Type, Name, Copy, Member)                           \
  KILN_LIBFAUST_API Type Name(llvm_dsp_factory *factory) {                     \
    return shield<Type>(nullptr, [&]() -> Type {                               \
      auto f = lookup(factory);                                                \
      return f ? Copy(f->Member()) : nullptr;                                  \
    });                                                                        \
  }
KILN_FACTORY_QUERY(char *, getCName, copyString, name)
KILN_FACTORY_QUERY(char *, getCSHAKey, copyString, shaKey)
KILN_FACTORY_QUERY(char *, getCDSPCode, copyString, dspCode)
KILN_FACTORY_QUERY(char *, getCDSPFactoryCompileOptions, copyString,
                   compileOptions)
KILN_FACTORY_QUERY(char *, getCTarget, copyString, target)
KILN_FACTORY_QUERY(const char **, getCDSPFactoryLibraryList, copyList,
                   libraryList)
KILN_FACTORY_QUERY(const char **, getCDSPFactoryIncludePathnames, copyList,
                   includePathnames)
KILN_FACTORY_QUERY(const char **, getCWarningMessages, copyList,
                   warningMessages)
#undef KILN_FACTORY_QUERY

// ---- Serialization: reading -----------------------------------------------

KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromBitcode(const char *bit_code, const char *target,
                           char *error_msg, int opt_level) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    std::vector<char> bytes;
    if (!bit_code)
      return failure("readCDSPFactoryFromBitcode: bit_code is NULL");
    if (llvm::Error error = llvm::decodeBase64(bit_code, bytes))
      return failure("bitcode is not valid base64: " +
                     llvm::toString(std::move(error)));
    return registry().readDSPFactoryFromBitcode(
        std::string(bytes.begin(), bytes.end()), orEmpty(target),
        faust::optLevelFromFaust(opt_level));
  });
}

KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromBitcodeFile(const char *bit_code_path, const char *target,
                               char *error_msg, int opt_level) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    if (!bit_code_path)
      return failure("readCDSPFactoryFromBitcodeFile: bit_code_path is NULL");
    return registry().readDSPFactoryFromBitcodeFile(
        bit_code_path, orEmpty(target), faust::optLevelFromFaust(opt_level));
  });
}

KILN_LIBFAUST_API llvm_dsp_factory *readCDSPFactoryFromIR(const char *ir_code,
                                                          const char *target,
                                                          char *error_msg,
                                                          int opt_level) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    if (!ir_code)
      return failure("readCDSPFactoryFromIR: ir_code is NULL");
    return registry().readDSPFactoryFromIR(ir_code, orEmpty(target),
                                           faust::optLevelFromFaust(opt_level));
  });
}

KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromIRFile(const char *ir_code_path, const char *target,
                          char *error_msg, int opt_level) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    if (!ir_code_path)
      return failure("readCDSPFactoryFromIRFile: ir_code_path is NULL");
    return registry().readDSPFactoryFromIRFile(
        ir_code_path, orEmpty(target), faust::optLevelFromFaust(opt_level));
  });
}

KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromMachine(const char *machine_code, char *error_msg,
                           const char *target) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    if (!machine_code)
      return failure("readCDSPFactoryFromMachine: machine_code is NULL");
    return registry().readDSPFactoryFromMachineBase64(machine_code);
  });
}

KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromMachineFile(const char *machine_code_path,
                               const char *target, char *error_msg) {
  return made(error_msg, [&]() -> faust::Registry::Result {
    if (!machine_code_path)
      return failure(
          "readCDSPFactoryFromMachineFile: machine_code_path is NULL");
    return registry().readDSPFactoryFromMachineFile(machine_code_path);
  });
}

// ---- Serialization: writing -----------------------------------------------

KILN_LIBFAUST_API char *writeCDSPFactoryToBitcode(llvm_dsp_factory *factory) {
  return shield<char *>(nullptr, [&]() -> char * {
    auto f = lookup(factory);
    std::string bitcode = f ? f->writeBitcode() : "";
    return bitcode.empty() ? nullptr : copyString(llvm::encodeBase64(bitcode));
  });
}

KILN_LIBFAUST_API char *writeCDSPFactoryToIR(llvm_dsp_factory *factory) {
  return shield<char *>(nullptr, [&]() -> char * {
    auto f = lookup(factory);
    std::string ir = f ? f->writeIR() : "";
    return ir.empty() ? nullptr : copyString(ir);
  });
}

KILN_LIBFAUST_API char *writeCDSPFactoryToMachine(llvm_dsp_factory *factory,
                                                  const char *target) {
  return shield<char *>(nullptr, [&]() -> char * {
    auto f = lookup(factory);
    if (!f)
      return nullptr;
    auto machine = f->writeMachineBase64(orEmpty(target));
    return machine ? copyString(*machine) : nullptr;
  });
}

/// The write…File functions: false for an invalid factory or path.
#define KILN_FACTORY_WRITE_FILE(Name, Call)                                    \
  KILN_LIBFAUST_API bool Name(llvm_dsp_factory *factory, const char *path) {   \
    return shield(false, [&] {                                                 \
      auto f = lookup(factory);                                                \
      return f && path && bool(f->Call);                                       \
    });                                                                        \
  }
KILN_FACTORY_WRITE_FILE(writeCDSPFactoryToBitcodeFile, writeBitcodeFile(path))
KILN_FACTORY_WRITE_FILE(writeCDSPFactoryToIRFile, writeIRFile(path))
#undef KILN_FACTORY_WRITE_FILE

KILN_LIBFAUST_API bool writeCDSPFactoryToMachineFile(llvm_dsp_factory *factory,
                                                     const char *path,
                                                     const char *target) {
  return shield(false, [&] {
    auto f = lookup(factory);
    return f && path && bool(f->writeMachineFile(path, orEmpty(target)));
  });
}

KILN_LIBFAUST_API bool
writeCDSPFactoryToObjectcodeFile(llvm_dsp_factory *factory, const char *path,
                                 const char *target) {
  return shield(false, [&] {
    auto f = lookup(factory);
    return f && path && bool(f->writeObjectcodeFile(path, orEmpty(target)));
  });
}

} // extern "C"
