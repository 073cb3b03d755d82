// Engine.cpp: kiln_engine — options, the version check, the lazy parts.
//
// An engine is the C API's root object. Creating one is cheap: it checks
// the caller's header version against the library's, resolves the target
// and remembers the options; the JIT, the tensor engine and the Faust
// registry are made on first use, so a host that only emits code or only
// runs Relay pays for nothing else.
#include "Engine.h"
#include "IRInput.h"

#include "kiln/core/Cache.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Jit.h"
#include "kiln/core/Target.h"
#include "kiln/faust/Registry.h"
#include "kiln/tensor/Tensor.h"

#include <string>

namespace kiln::capi {

EngineState::EngineState()
    : codegenErrors(std::make_shared<DiagnosticSink>()) {}
EngineState::~EngineState() = default;

kiln_error *EngineState::jit(core::Jit *&out) {
  if (kiln_error *error = requireHost(*this, currentEntry))
    return error;
  std::lock_guard<std::mutex> lock(Mutex);
  if (!Jit) {
    core::JitOptions options;
    options.level = level;
    if (cache)
      options.cache = std::make_shared<core::CompileCache>(
          core::CompileCache::defaultDirectory());
    auto jit = core::Jit::create(options);
    if (!jit)
      return fromDiagnostics(core::toDiagnostics(jit.takeError()));
    Jit = std::move(*jit);
  }
  out = Jit.get();
  return nullptr;
}

kiln_error *EngineState::tensor(tensor::Engine *&out) {
  if (kiln_error *error = requireHost(*this, currentEntry))
    return error;
  std::lock_guard<std::mutex> lock(Mutex);
  if (!Tensor) {
    tensor::EngineOptions options;
    options.optLevel = level;
    options.threads = threads;
    options.cache = cache;
    auto engine = tensor::Engine::create(options);
    if (!engine)
      return errorOf(engine);
    Tensor = std::move(*engine);
  }
  out = Tensor.get();
  return nullptr;
}

faust::Registry &EngineState::registry() {
  std::lock_guard<std::mutex> lock(Mutex);
  if (!Registry)
    Registry = std::make_unique<faust::Registry>();
  return *Registry;
}

kiln_error *requireHost(const EngineState &state, const char *function) {
  if (state.isHost)
    return nullptr;
  if (!function)
    function = "kiln_engine";
  return makeError(KILN_ERROR_TARGET,
                   std::string(function) + ": the engine's target '" +
                       state.target +
                       "' is not this machine: its code can be emitted "
                       "(kiln_engine_emit) but not run");
}

namespace {

/// The header's version against the library's: same major, header not newer.
kiln_error *checkVersion(uint32_t header) {
  uint32_t library = KILN_VERSION_NUMBER;
  if (header / 10000 == library / 10000 && header <= library)
    return nullptr;
  auto text = [](uint32_t v) {
    return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) +
           "." + std::to_string(v % 100);
  };
  return makeError(KILN_ERROR_VERSION,
                   "kiln.h version " + text(header) +
                       " does not match libkiln version " + text(library) +
                       ": rebuild against the installed header, or install "
                       "a libkiln of the same major version at least as new");
}

/// "triple[:cpu]" (NULL or "" = the host) into the engine's target fields.
kiln_error *resolveTarget(const char *text, EngineState &state) {
  core::TargetSpec host = core::hostTarget();
  core::TargetSpec spec = host;
  if (text && *text) {
    std::string triple = text, cpu = "generic";
    if (auto colon = triple.find(':'); colon != std::string::npos) {
      cpu = triple.substr(colon + 1);
      triple.resize(colon);
    }
    auto named = core::targetFromTriple(triple, cpu);
    if (!named)
      return fromDiagnostics(core::toDiagnostics(named.takeError()),
                             KILN_ERROR_TARGET);
    spec = std::move(*named);
  }
  state.triple = spec.triple;
  state.cpu = spec.cpu;
  state.features = spec.features;
  state.isHost = spec.isHost || spec.triple == host.triple;
  state.target = spec.triple + ":" + spec.cpu;
  return nullptr;
}

/// Options into a new state; the out-parameter is set only on success.
kiln_error *configure(const kiln_engine_options &options, EngineState &state) {
  if (options.opt_level < 0 || options.opt_level > 3)
    return makeError(KILN_ERROR_INVALID_ARGUMENT,
                     "kiln_engine_create: opt_level " +
                         std::to_string(options.opt_level) +
                         " is not between 0 and 3");
  if (options.cache != 0 && options.cache != 1)
    return makeError(KILN_ERROR_INVALID_ARGUMENT,
                     "kiln_engine_create: cache must be 0 or 1");
  state.level = OptLevel(options.opt_level); // O0..O3 are 0..3
  state.threads = options.threads;
  state.cache = options.cache == 1;
  return resolveTarget(options.target, state);
}

} // namespace
} // namespace kiln::capi

using namespace kiln::capi;

KILN_API kiln_error *kiln_engine_create(uint32_t header_version,
                                        const kiln_engine_options *options,
                                        kiln_engine **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(out);
    if (kiln_error *error = checkVersion(header_version))
      return error;
    const kiln_engine_options defaults = KILN_ENGINE_OPTIONS_INIT;
    auto state = std::make_shared<EngineState>();
    if (kiln_error *error = configure(options ? *options : defaults, *state))
      return error;
    *out = new kiln_engine{std::move(state)};
    return nullptr;
  });
}

KILN_API void kiln_engine_free(kiln_engine *engine) { delete engine; }

KILN_API const char *kiln_engine_target(const kiln_engine *engine) {
  return engine ? engine->state->target.c_str() : "";
}
