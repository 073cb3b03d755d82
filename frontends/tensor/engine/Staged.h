// Staged: JIT kernels that reduce along an axis, run as a short plan of
// fused loops — one pass per axis reduction, then the elementwise pass.
//
// `exp(x - max(x, axis=-1, keepdims)) / sum(exp(x - max(...)), axis=-1,
// keepdims)` needs the row maximum before the row sum and both before the
// elementwise result, so it cannot be one loop; it is three passes over x,
// as the math requires. Each axis reduction becomes a whole-array reduction
// kernel run once per row of its argument (on strided 1-D views, any axis),
// writing one element of a per-call temporary; the rest of the body becomes
// an ordinary kernel that reads the temporaries as broadcast array
// arguments. Every piece is a kernel the engine already compiles and caches.
#pragma once

#include "EngineImpl.h"

#include <functional>

namespace kiln::tensor {

/// One pass: a compiled kernel and where each of its arguments comes from.
struct StagedPass {
  std::shared_ptr<CompiledKernel> kernel;
  /// Per parameter of `kernel`: an argument index of the call, or
  /// kFromTemp + the temporary's index.
  std::vector<int> sources;
  /// The axis reduction it computes (a node of the signature's body); null
  /// for the last pass, which computes the kernel's result.
  const Expr *reduce = nullptr;
  /// The same pass with the earlier reductions' temporaries that are
  /// constant along each row (keepdims, same axis: softmax's row maximum in
  /// its row sum) as scalar parameters, so each row call takes the rank-1
  /// fast path; used when the call's strides confirm it. May be null.
  std::shared_ptr<CompiledKernel> rowKernel;
  std::vector<bool> asScalar; ///< per parameter: a scalar in rowKernel
  /// sum/prod/min/max/mean by slices instead of rows: `acc = acc OP arg`
  /// run once per position along the axis on (rank - 1)-D slices, then
  /// mean's `acc / n` (scaleKernel). Used when that makes fewer, longer
  /// calls (a column sum of a wide array). Null for argmax/argmin.
  std::shared_ptr<CompiledKernel> columnKernel, scaleKernel;
};
constexpr int kFromTemp = 1 << 16;

struct StagedKernel {
  std::vector<StagedPass> passes; ///< in order; pass k writes temporary k
};

using CompileOne =
    std::function<Expected<std::shared_ptr<CompiledKernel>>(const Kernel &)>;

/// Compiles typed `kernel` (which has axis reductions) into passes, each
/// through `compileOne`; the result's run() executes them in order.
Expected<std::shared_ptr<CompiledKernel>>
compileStaged(Engine::Impl &engine, const Kernel &kernel,
              const CompileOne &compileOne);

} // namespace kiln::tensor
