// Staged: JIT kernels that reduce along an axis, run as a short plan of
// fused loops — one pass per axis reduction, then the elementwise pass.
//
// `exp(x - max(x, axis=-1, keepdims)) / sum(exp(x - max(...)), axis=-1,
// keepdims)` needs the row maximum before the row sum and both before the
// elementwise result, so it cannot be one loop; it is three passes over x,
// as the math requires. StagedLower.h splits the kernel into ordinary
// kernels (each axis reduction a whole-array reduction run once per row, or
// an `acc = acc OP arg` kernel run per slice); this file compiles them
// through the engine's cache and hands the plan to the C runner
// (StagedRun.c, which AOT libraries run too) with the engine's pool.
#pragma once

#include "EngineImpl.h"
#include "StagedAbi.h"

#include <functional>

namespace kiln::tensor {

/// A compiled plan: the pass kernels (kept alive) and the C tables that
/// point into them. Immutable once built; run from any thread.
struct StagedKernel {
  std::vector<std::shared_ptr<CompiledKernel>> kernels;
  std::vector<std::vector<int32_t>> sources;
  std::vector<std::vector<unsigned char>> asScalar;
  std::vector<kt_staged_pass> passes;
  kt_staged_plan plan{};
};

using CompileOne =
    std::function<Expected<std::shared_ptr<CompiledKernel>>(const Kernel &)>;

/// Compiles typed `kernel` (which has axis reductions) into passes, each
/// through `compileOne`; the result's run() executes them in order.
Expected<std::shared_ptr<CompiledKernel>>
compileStaged(Engine::Impl &engine, const Kernel &kernel,
              const CompileOne &compileOne);

} // namespace kiln::tensor
