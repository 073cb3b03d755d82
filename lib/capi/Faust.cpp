// Faust.cpp: kiln_faust_* — factories and instances over faust::Registry.
//
// A factory handle holds the Factory and the engine state (whose registry
// caches it); an instance handle holds its Dsp and the Factory, so freeing
// the parents first is safe. Faust's located errors arrive as Diagnostics
// and leave as kiln_error (KILN_ERROR_PARSE / _TYPE with file:line:col).
// Instances are used by one thread at a time (kiln.h), so their handles need
// no lock; a compute that finds another thread computing is refused (one
// atomic flag). Factories are immutable once built.
#include "Engine.h"
#include "FaustGlue.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Target.h"
#include "kiln/faust/Faust.h"
#include "kiln/faust/OptLevel.h"
#include "kiln/support/Files.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <string>
#include <unistd.h>
#include <vector>

using namespace kiln;
using namespace kiln::capi;

struct kiln_faust_factory {
  std::shared_ptr<faust::Factory> factory;
  std::shared_ptr<EngineState> engine;
};

struct kiln_faust_dsp {
  std::shared_ptr<EngineState> engine; ///< instance -> factory -> engine
  std::shared_ptr<faust::Factory> factory;
  std::unique_ptr<faust::Dsp> dsp;
  std::vector<std::string> paths; ///< paramPaths(), borrowed by callers
  int inputs = 0, outputs = 0;
  bool initialised = false;
  /// Set while compute runs: a second thread's compute is refused, not run
  /// on the same state (kiln.h: an instance is one thread's at a time).
  std::atomic<bool> computing{false};
};

namespace {

/// A diagnostic of `kind` (IO for temporaries, InvalidArgument for misuse).
Diagnostic diagnostic(ErrorKind kind, std::string message) {
  Diagnostic diag = errorDiagnostic(std::move(message));
  diag.kind = kind;
  return diag;
}

kiln_error *invalid(const char *function, const std::string &message) {
  return makeError(KILN_ERROR_INVALID_ARGUMENT,
                   std::string(function) + ": " + message);
}

/// The target a factory is built for: the caller's, else the engine's (""
/// when the engine is for this very machine, so keys match libfaust's host
/// factories and the registry's cache).
std::string targetFor(const EngineState &engine, const char *target) {
  if (target && *target)
    return target;
  core::TargetSpec host = core::hostTarget();
  if (engine.triple == host.triple && engine.cpu == host.cpu)
    return "";
  return engine.target;
}

faust::FactoryOptions optionsFor(const EngineState &engine, int argc,
                                 const char *const *argv, const char *target,
                                 int optLevel) {
  faust::FactoryOptions options;
  for (int i = 0; i < argc; ++i)
    options.args.emplace_back(argv[i]);
  options.target = targetFor(engine, target);
  options.optLevel = faust::optLevelFromFaust(optLevel);
  options.cache = engine.cache;
  return options;
}

/// A target the caller names must exist: an unknown triple or CPU is
/// KILN_ERROR_TARGET, as for engines (the registry's error has no kind).
kiln_error *checkTarget(const char *target) {
  if (!target || !*target)
    return nullptr;
  std::string triple = target;
  size_t colon = triple.find(':');
  std::string cpu = colon == std::string::npos ? "" : triple.substr(colon + 1);
  triple.resize(std::min(colon, triple.size()));
  auto spec = core::targetFromTriple(triple, cpu.empty() ? "generic" : cpu);
  if (spec)
    return nullptr;
  return fromDiagnostics(core::toDiagnostics(spec.takeError()),
                         KILN_ERROR_TARGET);
}

/// libfaust's levels: -1 (the best) or 0..4.
kiln_error *checkLevel(const char *function, int optLevel) {
  if (optLevel >= -1 && optLevel <= 4)
    return nullptr;
  return invalid(function, "opt_level " + std::to_string(optLevel) +
                               " is not -1 (the best) or 0..4");
}

/// argc/argv, target and level checks shared by both factory constructors.
kiln_error *checkArgs(const char *function, int argc, const char *const *argv,
                      const char *target, int optLevel) {
  if (kiln_error *error = checkTarget(target))
    return error;
  if (kiln_error *error = checkLevel(function, optLevel))
    return error;
  if (argc < 0)
    return invalid(function, "argc is negative");
  if (argc > 0 && !argv)
    return nullArgument(function, "argv");
  for (int i = 0; i < argc; ++i)
    if (!argv[i])
      return invalid(function, "argv[" + std::to_string(i) + "] is NULL");
  return nullptr;
}

/// Wraps a registry result as a new handle in *out.
kiln_error *deliver(faust::Registry::Result result,
                    const std::shared_ptr<EngineState> &engine,
                    kiln_faust_factory **out) {
  if (!result)
    return errorOf(result);
  *out = new kiln_faust_factory{std::move(*result), engine};
  return nullptr;
}

/// The factory's object code for `target`, through a private temporary
/// directory (Factory writes objects to files only).
Expected<std::string> objectBytes(faust::Factory &factory,
                                  const std::string &target) {
  const char *tmp = std::getenv("TMPDIR");
  std::string dir =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/kiln-obj-XXXXXX";
  if (!mkdtemp(dir.data()))
    return diagnostic(ErrorKind::IO,
                      "cannot create a temporary directory '" + dir + "'");
  std::string path = dir + "/factory.o", bytes;
  Status written = factory.writeObjectcodeFile(path, target);
  support::FileError readError;
  if (written)
    readError = support::readInputFile(path, bytes);
  unlink(path.c_str());
  rmdir(dir.c_str());
  if (!written)
    return written.takeDiagnostics();
  if (readError)
    return diagnostic(ErrorKind::IO, *readError);
  return bytes;
}

Expected<std::string> serialise(faust::Factory &factory,
                                kiln_faust_format format,
                                const std::string &target) {
  switch (format) {
  case KILN_FAUST_BITCODE:
  case KILN_FAUST_IR: {
    std::string bytes = format == KILN_FAUST_BITCODE ? factory.writeBitcode()
                                                     : factory.writeIR();
    if (bytes.empty())
      return diagnostic(ErrorKind::InvalidArgument,
                        "factory '" + factory.name() +
                            "' has no bitcode (it was loaded from machine "
                            "code)");
    return bytes;
  }
  case KILN_FAUST_MACHINE: return factory.writeMachine(target);
  case KILN_FAUST_OBJECT: return objectBytes(factory, target);
  }
  return diagnostic(ErrorKind::InvalidArgument, "unknown format");
}

} // namespace

// ---- Factories ------------------------------------------------------------

KILN_API kiln_error *
kiln_faust_factory_from_string(kiln_engine *engine, const char *name,
                               const char *code, int argc,
                               const char *const *argv, const char *target,
                               int opt_level, kiln_faust_factory **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(engine);
    KILN_REQUIRE(name);
    KILN_REQUIRE(code);
    KILN_REQUIRE(out);
    if (kiln_error *error =
            checkArgs(currentEntry, argc, argv, target, opt_level))
      return error;
    EngineState &state = *engine->state;
    auto options = optionsFor(state, argc, argv, target, opt_level);
    return deliver(
        state.registry().createDSPFactoryFromString(name, code, options),
        engine->state, out);
  });
}

KILN_API kiln_error *
kiln_faust_factory_from_file(kiln_engine *engine, const char *path, int argc,
                             const char *const *argv, const char *target,
                             int opt_level, kiln_faust_factory **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(engine);
    KILN_REQUIRE(path);
    KILN_REQUIRE(out);
    if (kiln_error *error =
            checkArgs(currentEntry, argc, argv, target, opt_level))
      return error;
    EngineState &state = *engine->state;
    auto options = optionsFor(state, argc, argv, target, opt_level);
    return deliver(state.registry().createDSPFactoryFromFile(path, options),
                   engine->state, out);
  });
}

KILN_API void kiln_faust_factory_free(kiln_faust_factory *factory) {
  delete factory;
}

KILN_API const char *
kiln_faust_factory_name(const kiln_faust_factory *factory) {
  return factory ? factory->factory->name().c_str() : "";
}

KILN_API const char *
kiln_faust_factory_sha_key(const kiln_faust_factory *factory) {
  return factory ? factory->factory->shaKey().c_str() : "";
}

KILN_API const char *
kiln_faust_factory_target(const kiln_faust_factory *factory) {
  return factory ? factory->factory->target().c_str() : "";
}

KILN_API const char *kiln_faust_machine_target(void) {
  try {
    static const std::string target = faust::getDSPMachineTarget();
    return target.c_str();
  } catch (...) {
    return "";
  }
}

KILN_API kiln_error *kiln_faust_factory_write(const kiln_faust_factory *factory,
                                              kiln_faust_format format,
                                              const char *target,
                                              kiln_buffer **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(factory);
    KILN_REQUIRE(out);
    if (format < KILN_FAUST_BITCODE || format > KILN_FAUST_OBJECT)
      return invalid(currentEntry, "unknown format " + std::to_string(format));
    if (kiln_error *error = checkTarget(target))
      return error;
    auto bytes = serialise(*factory->factory, format, target ? target : "");
    if (!bytes)
      return errorOf(bytes);
    *out = new kiln_buffer{std::move(*bytes)};
    return nullptr;
  });
}

KILN_API kiln_error *kiln_faust_factory_read(kiln_engine *engine,
                                             kiln_faust_format format,
                                             const char *data, size_t size,
                                             const char *target, int opt_level,
                                             kiln_faust_factory **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(engine);
    KILN_REQUIRE(data);
    KILN_REQUIRE(out);
    if (kiln_error *error = checkTarget(target))
      return error;
    if (kiln_error *error = checkLevel(currentEntry, opt_level))
      return error;
    faust::Registry &registry = engine->state->registry();
    std::string bytes(data, size);
    std::string where = targetFor(*engine->state, target);
    OptLevel level = faust::optLevelFromFaust(opt_level);
    switch (format) {
    case KILN_FAUST_BITCODE:
      return deliver(registry.readDSPFactoryFromBitcode(bytes, where, level),
                     engine->state, out);
    case KILN_FAUST_IR:
      return deliver(registry.readDSPFactoryFromIR(bytes, where, level),
                     engine->state, out);
    case KILN_FAUST_MACHINE:
      return deliver(registry.readDSPFactoryFromMachine(bytes), engine->state,
                     out);
    case KILN_FAUST_OBJECT:
      return invalid(currentEntry, "an object file cannot be read back into a "
                                   "factory (use KILN_FAUST_MACHINE)");
    }
    return invalid(currentEntry, "unknown format " + std::to_string(format));
  });
}

// ---- Instances ------------------------------------------------------------

KILN_API kiln_error *kiln_faust_dsp_create(kiln_faust_factory *factory,
                                           kiln_faust_dsp **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(factory);
    KILN_REQUIRE(out);
    faust::Factory &f = *factory->factory;
    if (!f.isHost())
      return makeError(KILN_ERROR_TARGET,
                       std::string(currentEntry) + ": factory '" + f.name() +
                           "' was built for " + f.target() +
                           ", not this machine (" +
                           kiln_faust_machine_target() + ")");
    auto instance = f.createInstance();
    if (!instance)
      return errorOf(instance);
    auto handle = std::make_unique<kiln_faust_dsp>();
    handle->engine = factory->engine;
    handle->factory = factory->factory;
    handle->dsp = std::move(*instance);
    handle->paths = handle->dsp->paramPaths();
    handle->inputs = handle->dsp->getNumInputs();
    handle->outputs = handle->dsp->getNumOutputs();
    *out = handle.release();
    return nullptr;
  });
}

KILN_API void kiln_faust_dsp_free(kiln_faust_dsp *dsp) { delete dsp; }

KILN_API int kiln_faust_dsp_inputs(const kiln_faust_dsp *dsp) {
  return dsp ? dsp->inputs : 0;
}

KILN_API int kiln_faust_dsp_outputs(const kiln_faust_dsp *dsp) {
  return dsp ? dsp->outputs : 0;
}

KILN_API kiln_error *kiln_faust_dsp_init(kiln_faust_dsp *dsp, int sample_rate) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(dsp);
    if (sample_rate <= 0)
      return invalid(currentEntry, "sample_rate " +
                                       std::to_string(sample_rate) +
                                       " is not positive");
    dsp->dsp->init(sample_rate);
    dsp->initialised = true;
    return nullptr;
  });
}

namespace {

/// "inputs"/"outputs": the array and each of its `channels` buffers.
kiln_error *checkBuffers(const char *function, const char *what,
                         float **buffers, int channels) {
  if (channels == 0)
    return nullptr;
  if (!buffers)
    return invalid(function, std::string(what) + " is NULL but the DSP has " +
                                 std::to_string(channels) + " " + what);
  for (int c = 0; c < channels; ++c)
    if (!buffers[c])
      return invalid(function,
                     std::string(what) + "[" + std::to_string(c) + "] is NULL");
  return nullptr;
}

/// Runs the compute whose `computing` flag the caller set, and clears the
/// flag however it ends: the generated code never throws, but a
/// double-precision DSP's compute allocates double copies of the buffers
/// (faust::Dsp::compute), which can throw std::bad_alloc.
void computeFlagged(kiln_faust_dsp &dsp, int count, float **inputs,
                    float **outputs) {
  try {
    dsp.dsp->compute(count, inputs, outputs);
  } catch (...) {
    dsp.computing.store(false, std::memory_order_release);
    throw;
  }
  dsp.computing.store(false, std::memory_order_release);
}

} // namespace

KILN_API kiln_error *kiln_faust_dsp_compute(kiln_faust_dsp *dsp, int count,
                                            float **inputs, float **outputs) {
  // A host calls this once per audio block, so a call that passes every
  // check runs without guard()'s bookkeeping (a try block costs nothing
  // until something throws, which guard() then turns into the error).
  // Anything else takes the checked path below, which says what is wrong.
  if (dsp && count >= 0 && dsp->initialised &&
      buffersPresent(inputs, dsp->inputs) &&
      buffersPresent(outputs, dsp->outputs) &&
      !dsp->computing.exchange(true, std::memory_order_acquire)) {
    try {
      computeFlagged(*dsp, count, inputs, outputs);
      return nullptr;
    } catch (...) {
      std::exception_ptr failure = std::current_exception();
      return guard(__func__, [&]() -> kiln_error * {
        std::rethrow_exception(failure);
      });
    }
  }
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(dsp);
    if (count < 0)
      return invalid(currentEntry,
                     "count " + std::to_string(count) + " is negative");
    if (!dsp->initialised)
      return invalid(currentEntry, "the instance is not initialised (call "
                                   "kiln_faust_dsp_init first)");
    if (kiln_error *error =
            checkBuffers(currentEntry, "inputs", inputs, dsp->inputs))
      return error;
    if (kiln_error *error =
            checkBuffers(currentEntry, "outputs", outputs, dsp->outputs))
      return error;
    if (dsp->computing.exchange(true, std::memory_order_acquire))
      return invalid(currentEntry,
                     "the instance is computing on another thread (an "
                     "instance is used by one thread at a time)");
    computeFlagged(*dsp, count, inputs, outputs);
    return nullptr;
  });
}

namespace {

bool hasPath(const kiln_faust_dsp &dsp, const char *path) {
  for (const std::string &p : dsp.paths)
    if (p == path)
      return true;
  return false;
}

kiln_error *unknownPath(const char *function, const kiln_faust_dsp &dsp,
                        const char *path) {
  std::string known;
  for (const std::string &p : dsp.paths)
    known += (known.empty() ? "" : ", ") + p;
  return invalid(function,
                 "no parameter '" + std::string(path) + "' (" +
                     (known.empty() ? "the DSP has none" : "it has " + known) +
                     ")");
}

} // namespace

KILN_API kiln_error *kiln_faust_dsp_set_param(kiln_faust_dsp *dsp,
                                              const char *path, float value) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(dsp);
    KILN_REQUIRE(path);
    if (!dsp->dsp->setParamValue(path, value))
      return unknownPath(currentEntry, *dsp, path);
    return nullptr;
  });
}

KILN_API kiln_error *kiln_faust_dsp_get_param(const kiln_faust_dsp *dsp,
                                              const char *path, float *value) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(dsp);
    KILN_REQUIRE(path);
    KILN_REQUIRE(value);
    if (!hasPath(*dsp, path))
      return unknownPath(currentEntry, *dsp, path);
    *value = dsp->dsp->getParamValue(path);
    return nullptr;
  });
}

KILN_API size_t kiln_faust_dsp_param_count(const kiln_faust_dsp *dsp) {
  return dsp ? dsp->paths.size() : 0;
}

KILN_API kiln_error *kiln_faust_dsp_param_path(const kiln_faust_dsp *dsp,
                                               size_t index,
                                               const char **path) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(dsp);
    KILN_REQUIRE(path);
    if (index >= dsp->paths.size())
      return invalid(currentEntry, "index " + std::to_string(index) +
                                       " is out of range (the DSP has " +
                                       std::to_string(dsp->paths.size()) +
                                       " parameters)");
    *path = dsp->paths[index].c_str();
    return nullptr;
  });
}

KILN_API kiln_error *kiln_faust_dsp_metadata(const kiln_faust_dsp *dsp,
                                             kiln_meta_fn declare,
                                             void *user_data) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(dsp);
    KILN_REQUIRE(declare);
    CallbackMeta meta(declare, user_data);
    dsp->dsp->metadata(&meta);
    return nullptr;
  });
}
