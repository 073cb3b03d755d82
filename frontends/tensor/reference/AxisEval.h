// AxisEval: the reference executor for kernels that reduce along an axis.
//
// The eager executor evaluates every node over one iteration space; an axis
// reduction has a smaller shape of its own that broadcasts back. This
// evaluator is NumPy's model instead: every node is a contiguous array of
// its own shape (AxisShape.h), operands are broadcast by copying, and an
// axis reduction folds each line along its axis with the reference
// accumulators (pairwise float sums). Slow and simple on purpose: it is the
// oracle the JIT's staged passes (engine/Staged.h) are tested against, and
// shares none of their code beyond the shape rules and the call check.
#pragma once

#include "kiln/tensor/Array.h"

#include <string>
#include <vector>

namespace kiln::tensor {

/// evalEager's contract (Eager.h) for a kernel with axis reductions.
std::string evalAxis(const Kernel &kernel, const std::vector<Arg> &args,
                     ArrayView *out, Scalar *result);

} // namespace kiln::tensor
