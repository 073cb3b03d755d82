// AotBuild: `kiln tensor build` — object + generated C wrapper + AOT
// runtime archive linked into a shared library, and the C header beside it.
#include "AotGraphGen.h"
#include "tensor/engine/EngineImpl.h"
#include "tensor/irgen/IRGen.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/Link.h"
#include "kiln/core/Target.h"
#include "kiln/core/Timing.h"
#include "kiln/tensor/Syntax.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::tensor {

// Defined in Aot.cpp.
namespace aot {
llvm::Expected<std::string> optimisedText(const Program &program,
                                          const AotOptions &options,
                                          core::EmitKind kind);
std::string wrapperSource(const Program &program, const std::string &guard,
                          size_t steps);
Status checkNames(const Program &program);
} // namespace aot

namespace {

/// libkiln_tensor_aot_rt.a next to the running tool (<exe>/../lib) or where
/// the build put it.
std::string aotRuntimeArchive() {
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  if (!exe.empty()) {
    llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
    llvm::sys::path::append(path, "..", "lib", "libkiln_tensor_aot_rt.a");
    if (llvm::sys::fs::exists(path))
      return std::string(path);
  }
  return KILN_TENSOR_AOT_RUNTIME;
}

/// A temporary directory removed when this goes out of scope.
struct TempDir {
  llvm::SmallString<128> path;
  ~TempDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};

/// The header's stem as a C identifier: `<stem>_last_error`.
std::string stem(const std::string &path) {
  std::string s = llvm::sys::path::stem(path).str();
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    s = "k" + s;
  return s;
}

/// The error of a failed step, as diagnostics.
Status failed(llvm::Error err) { return core::toDiagnostics(std::move(err)); }

/// --emit: the optimised kernels as IR, assembly or an object at `path`.
Status emitOnly(const Program &program, const std::string &path,
                const AotOptions &options) {
  auto kind = core::parseEmitKind(options.emit);
  if (!kind || *kind == core::EmitKind::Bitcode)
    return callError("unknown --emit kind '" + options.emit +
                     "' (use ll, asm or obj)");
  auto text = aot::optimisedText(program, options, *kind);
  if (!text)
    return failed(text.takeError());
  if (auto err = core::writeOutputFile(path, *text))
    return failed(std::move(err));
  return {};
}

/// The kernels' object and their C wrappers (exporting `guard`_last_error;
/// a graph library adds its entries, `graphs`), compiled and linked with the
/// AOT runtime into the shared library `path`.
Status linkLibrary(const Program &program, const std::string &path,
                   const std::string &guard, const AotOptions &options,
                   const aot::GraphParts *graphs) {
  std::string archive = aotRuntimeArchive();
  if (!llvm::sys::fs::exists(archive))
    return errorDiagnostic(
        "the tensor AOT runtime (libkiln_tensor_aot_rt.a) was not found at " +
        archive);
  auto object = aot::optimisedText(program, options, core::EmitKind::Object);
  if (!object)
    return failed(object.takeError());
  TempDir dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("kiln-tensor", dir.path))
    return errorDiagnostic("cannot create a temporary directory: " +
                           ec.message());
  std::string objPath = (dir.path + "/kernels.o").str();
  std::string wrapPath = (dir.path + "/kernels_wrap.c").str();
  if (auto err = core::writeOutputFile(objPath, *object))
    return failed(std::move(err));
  std::string wrapper =
      aot::wrapperSource(program, guard, graphs ? graphs->steps : 0);
  if (graphs)
    wrapper = graphs->wrapper(wrapper);
  if (auto err = core::writeOutputFile(wrapPath, wrapper))
    return failed(std::move(err));
  core::LinkOptions lo;
  lo.shared = true;
  lo.extraArgs = {archive, "-lmvec"};
  // Flags before the .c input apply to compiling the generated wrapper.
  core::ScopedPhase phase(options.timings, "link");
  if (auto err = core::linkObjects({"-fPIC", "-O2", "-fvisibility=hidden",
                                    "-std=c11", wrapPath, objPath},
                                   path, lo))
    return failed(std::move(err));
  return {};
}

} // namespace

namespace aot {

Status buildLibrary(const Program &program, const std::string &path,
                    const std::string &headerPath, const AotOptions &options,
                    const GraphParts *graphs) {
  if (program.kernels.empty() && !graphs)
    return callError("no kernel to build");
  if (Status names = aot::checkNames(program); !names)
    return names;
  if (!options.emit.empty())
    return emitOnly(program, path, options);
  std::string guard = stem(headerPath.empty() ? path : headerPath);
  if (Status linked = linkLibrary(program, path, guard, options, graphs);
      !linked)
    return linked;
  if (headerPath.empty())
    return {};
  // The library is complete even when its header cannot be written: it is
  // left in place (removing it would lose the file it replaced, or a link's
  // target) and the error says which file is missing.
  std::string header = graphs ? graphs->header(guard) : cHeader(program, guard);
  if (auto err = core::writeOutputFile(headerPath, header)) {
    Diagnostics diags = core::toDiagnostics(std::move(err));
    for (Diagnostic &d : diags)
      d.message += " (the library '" + path + "' was written)";
    return diags;
  }
  return {};
}

} // namespace aot

Status buildSharedLibrary(const Program &program, const std::string &path,
                          const std::string &headerPath,
                          const AotOptions &options) {
  return aot::buildLibrary(program, path, headerPath, options, nullptr);
}

} // namespace kiln::tensor
