// Matmul: compiling a kernel with `a @ b` into a plan of steps — the pieces
// of its lowering (MatmulLower.h) through the engine's cache and its tile
// functions (Gemm.h); see Matmul.h. Running the plan is MatmulRun.cpp.
#include "Matmul.h"

namespace kiln::tensor {
namespace {

Expected<MatmulStep> compileStep(Engine::Impl &engine, const LoweredStep &low,
                                 const CompileOne &compileOne) {
  MatmulStep step;
  step.sources = low.sources;
  if (low.kernel) {
    auto compiled = compileOne(*low.kernel);
    if (!compiled)
      return compiled.takeDiagnostics();
    step.kernel = std::move(*compiled);
    return step;
  }
  auto tile = gemmTile(engine, low.type, nullptr, 0);
  if (!tile)
    return tile.takeDiagnostics();
  step.tile = std::move(*tile);
  return step;
}

} // namespace

Expected<std::shared_ptr<CompiledKernel>>
compileMatmul(Engine::Impl &engine, const Kernel &kernel,
              const CompileOne &compileOne) {
  LoweredMatmul low = lowerMatmul(kernel);
  MatmulPlan plan;
  for (const LoweredStep &s : low.steps) {
    auto step = compileStep(engine, s, compileOne);
    if (!step)
      return step.takeDiagnostics();
    plan.steps.push_back(std::move(*step));
  }
  if (low.fused) {
    auto tile = gemmTile(engine, low.steps.back().type,
                         low.epilogue ? &*low.epilogue : nullptr, low.product);
    if (!tile)
      return tile.takeDiagnostics();
    plan.fused = std::make_unique<MatmulStep>();
    plan.fused->tile = std::move(*tile);
    plan.fused->sources = low.fusedSources;
    plan.product = low.product;
  }
  auto compiled = compileOne(low.rest);
  if (!compiled)
    return compiled.takeDiagnostics();
  plan.rest.kernel = std::move(*compiled);
  plan.rest.sources = low.restSources;
  auto impl = std::make_unique<CompiledKernel::Impl>();
  impl->Signature = kernel;
  impl->Owner = &engine;
  impl->Matmul = std::make_shared<const MatmulPlan>(std::move(plan));
  impl->Plan.run = runMatmul;
  return std::make_shared<CompiledKernel>(std::move(impl));
}

} // namespace kiln::tensor
