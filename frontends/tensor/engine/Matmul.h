// Matmul: JIT kernels with `a @ b`, run as a short plan of steps — each
// matrix product a GEMM (Gemm.h), each operand that is not a plain
// parameter an ordinary kernel into a temporary, and the rest of the body
// either fused into the last product's tiles or run as one more kernel.
//
// `relu(x @ w + b)` is one step: the product's tiles go through
// `relu(. + b)` before they are stored, so x @ w is never written out.
// `sum(x @ w)`, `(x @ w) @ v` or `f64(x @ w)` compute their products into
// temporaries first. Every other piece is a kernel the engine already
// compiles and caches (elementwise, staged axis reductions, whole-array
// reductions), so matmul composes with the rest of the language.
#pragma once

#include "Gemm.h"
#include "MatmulLower.h"
#include "Staged.h"

namespace kiln::tensor {

/// One step; writes temporary k (step k), or the result (the last step).
struct MatmulStep {
  /// An ordinary kernel over `sources`, or (when null) a product
  /// sources[0] @ sources[1] through `tile`.
  std::shared_ptr<CompiledKernel> kernel;
  std::shared_ptr<const GemmTile> tile;
  std::vector<MatmulSource> sources;
};

struct MatmulPlan {
  std::vector<MatmulStep> steps;
  /// The last product fused with the body's elementwise rest: `fused` has
  /// the epilogue (sources: a, b, then the epilogue's parameters, the
  /// product's entry unused). The call runs it when its output fits (last
  /// stride 1, no overlap, the product's shape); otherwise the last product
  /// into a temporary and `rest`. Null when nothing fuses: then the last
  /// step is the rest.
  std::unique_ptr<MatmulStep> fused;
  MatmulStep rest;
  unsigned product = 0; ///< the product's parameter in the epilogue
};

/// Compiles typed `kernel` (which has `@`) into a plan, its ordinary
/// kernels through `compileOne`; the result's run() executes it.
Expected<std::shared_ptr<CompiledKernel>>
compileMatmul(Engine::Impl &engine, const Kernel &kernel,
              const CompileOne &compileOne);

/// CompiledKernel::run for a kernel with a plan (MatmulRun.cpp).
Status runMatmul(const CompiledKernel::Impl &impl, const Arg *args,
                 size_t count, ArrayView *out, Scalar *result,
                 unsigned threads);

} // namespace kiln::tensor
