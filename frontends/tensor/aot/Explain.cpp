// Explain: tensor::explain — the syntax dumps, the kernels' module with
// function-level debug locations, then the core's explainModule.
#include "kiln/tensor/Explain.h"

#include "AotMatmulGen.h"
#include "AotStagedGen.h"
#include "KernelLines.h"
#include "tensor/engine/EngineImpl.h"
#include "tensor/syntax/Dump.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/ExplainModule.h"
#include "kiln/core/Target.h"
#include "kiln/tensor/Syntax.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

namespace kiln::tensor {

namespace {

/// The vector library `kiln tensor build` uses for the host (libmvec on
/// x86-64 Linux, where glibc has it).
core::VectorLibrary hostVectorLibrary(const core::TargetSpec &host) {
  llvm::Triple triple(host.triple);
  return triple.getArch() == llvm::Triple::x86_64 && triple.isOSLinux()
             ? core::VectorLibrary::Libmvec
             : core::VectorLibrary::None;
}

} // namespace

Expected<core::Explanation> explain(const std::string &file,
                                    const std::string &source, OptLevel level) {
  core::PhaseTimings timings;
  ParseResult parsed = [&] {
    core::ScopedPhase phase(&timings, "parse");
    return parseProgram(source, file);
  }();
  if (!parsed.ok())
    return std::move(parsed.errors);
  core::Explanation out;
  out.language = "tensor";
  out.file = file;
  out.source = source;
  out.level = level;
  out.tokens = syntax::dumpTokens(source);
  out.ast = syntax::dumpAST(parsed.program);
  out.notes.push_back("Tensor kernels carry function-level debug locations: "
                      "each generated function maps to its kernel's body "
                      "line.");
  llvm::LLVMContext context;
  core::TargetSpec host = core::hostTarget();
  auto tm = core::createTargetMachine(host, level);
  if (!tm)
    return core::toDiagnostics(tm.takeError());
  const std::vector<Kernel> &kernels = parsed.program.kernels;
  Program passes{aot::expandStaged(aot::expandMatmul(kernels))}; // passes
  auto module = [&]() -> llvm::Expected<std::unique_ptr<llvm::Module>> {
    core::ScopedPhase phase(&timings, "irgen");
    if (auto err = aot::checkMatmul(kernels))
      return std::move(err);
    auto built = buildKernelModule(context, passes.kernels, "", file);
    if (built) // `@`: the tile functions, as a library holds them
      if (auto err = aot::emitMatmulTiles(**built, kernels, **tm))
        return std::move(err);
    return built;
  }();
  if (!module)
    return core::toDiagnostics(module.takeError());
  addKernelLines(**module, passes, file);
  if (auto err = core::explainModule(**module, **tm, out, timings,
                                     hostVectorLibrary(host)))
    return core::toDiagnostics(std::move(err));
  core::setPhases(out, timings);
  return out;
}

} // namespace kiln::tensor
