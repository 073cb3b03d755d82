// CoreEmit.cpp: the C API's ahead-of-time half — emit code, link files.
//
// kiln_engine_emit optimises a caller's IR at the engine's level and emits
// it for the engine's target, which may be another machine (cross
// emission needs no JIT). kiln_link drives core::linkObjects with the
// runtime archive installed next to libkiln.so, so an installed library
// links without the build tree.
#include "Engine.h"
#include "IRInput.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/Link.h"
#include "kiln/core/Target.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Target/TargetMachine.h"

#include <dlfcn.h>

namespace kiln::capi {
namespace {

/// Optimises a verified module for the engine's target and emits `kind`.
llvm::Expected<std::string> emitFor(const EngineState &state,
                                    llvm::Module &module, core::EmitKind kind) {
  core::TargetSpec spec{state.triple, state.cpu, state.features, state.isHost};
  auto tm = core::createTargetMachine(spec, state.level);
  if (!tm)
    return tm.takeError();
  core::retargetFunctions(module, spec, /*requested=*/false);
  core::PipelineOptions pipeline;
  pipeline.level = state.level;
  if (auto err = core::optimizeModule(module, **tm, pipeline))
    return std::move(err);
  return core::emitToString(module, **tm, kind);
}

/// Parses, checks, optimises and emits `ir` for the engine's target.
/// Errors LLVM reports while generating code come back instead of ending
/// the process.
kiln_error *emitBytes(const EngineState &state, const std::string &file,
                      llvm::StringRef ir, core::EmitKind kind,
                      std::string &out) {
  llvm::LLVMContext context;
  auto codegen = std::make_shared<DiagnosticSink>();
  routeDiagnostics(context, codegen);
  std::unique_ptr<llvm::Module> module;
  if (kiln_error *error = parseModule(file, ir.data(), ir.size(), state.triple,
                                      context, module))
    return error;
  auto bytes = emitFor(state, *module, kind);
  if (Diagnostics errors = codegen->take(); !errors.empty()) {
    if (!bytes)
      llvm::consumeError(bytes.takeError());
    return fromDiagnostics(std::move(errors), KILN_ERROR_INVALID_ARGUMENT);
  }
  if (!bytes)
    return fromLLVMError(bytes.takeError(), KILN_ERROR_OTHER);
  out = std::move(*bytes);
  return nullptr;
}

/// libkiln_rt.a beside this library (an install's lib/), else "" for the
/// core's own search (beside the executable, then the build tree's).
std::string runtimeBesideLibrary() {
  Dl_info info;
  if (!::dladdr(reinterpret_cast<void *>(&runtimeBesideLibrary), &info) ||
      !info.dli_fname)
    return {};
  llvm::SmallString<256> path(llvm::sys::path::parent_path(info.dli_fname));
  llvm::sys::path::append(path, "libkiln_rt.a");
  return llvm::sys::fs::exists(path) ? std::string(path) : std::string();
}

kiln_error *checkObjects(const char *const *objects, size_t count,
                         std::vector<std::string> &out) {
  if (count == 0)
    return makeError(KILN_ERROR_INVALID_ARGUMENT,
                     "kiln_link: no object files to link");
  for (size_t i = 0; i < count; ++i) {
    if (!objects[i])
      return makeError(KILN_ERROR_INVALID_ARGUMENT,
                       "kiln_link: objects[" + std::to_string(i) + "] is NULL");
    // A path that starts with '-' is a file, never an option for the
    // linker driver ("-fplugin=x.so" would load x.so into the compiler).
    std::string path = objects[i];
    out.push_back(path.starts_with("-") ? "./" + path : path);
  }
  return nullptr;
}

} // namespace
} // namespace kiln::capi

using namespace kiln::capi;

KILN_API kiln_error *kiln_engine_emit(kiln_engine *engine, const char *name,
                                      const char *data, size_t size,
                                      kiln_emit_kind kind, kiln_buffer **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(engine);
    KILN_REQUIRE(data);
    KILN_REQUIRE(out);
    if (kind < KILN_EMIT_OBJECT || kind > KILN_EMIT_IR)
      return makeError(KILN_ERROR_INVALID_ARGUMENT,
                       "kiln_engine_emit: unknown kind " +
                           std::to_string(int(kind)));
    std::string bytes;
    if (kiln_error *error = emitBytes(
            *engine->state, name && *name ? name : "<ir>",
            llvm::StringRef(data, size), kiln::core::EmitKind(kind), bytes))
      return error;
    *out = new kiln_buffer{std::move(bytes)};
    return nullptr;
  });
}

KILN_API kiln_error *kiln_link(const char *const *objects, size_t count,
                               const char *output, int shared) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(objects);
    KILN_REQUIRE(output);
    std::vector<std::string> files;
    if (kiln_error *error = checkObjects(objects, count, files))
      return error;
    kiln::core::LinkOptions options;
    options.shared = shared != 0;
    options.runtimeLibrary = runtimeBesideLibrary();
    if (auto err = kiln::core::linkObjects(files, output, options))
      return fromLLVMError(std::move(err), KILN_ERROR_LINK);
    return nullptr;
  });
}
