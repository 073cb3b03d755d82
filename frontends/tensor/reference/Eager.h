// Eager: the NumPy-style reference executor — one operator at a time over
// whole arrays, each node materialised as a temporary of the broadcast shape.
//
// Deliberately simple and independent of the JIT (no LLVM, no core): it is
// the oracle the fused kernels are tested against, and the "eager" column of
// the tensor benchmarks.
#pragma once

#include "kiln/tensor/Array.h"

#include <string>
#include <vector>

namespace kiln::tensor {

/// Evaluates a type-checked kernel. `out` receives an array result (its shape
/// must be the broadcast shape), `result` a scalar one. Returns "" on success,
/// else one sentence (checkCall's, or why it could not run); nothing is
/// written then. Float sums use pairwise summation (NumPy's order).
std::string evalEager(const Kernel &kernel, const std::vector<Arg> &args,
                      ArrayView *out, Scalar *result);

} // namespace kiln::tensor
