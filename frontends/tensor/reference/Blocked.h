// Blocked: a numexpr-style bytecode interpreter — the kernel is compiled to
// instructions over block registers and run over cache-sized blocks.
//
// The second, faster reference: inputs are gathered one block at a time
// (contiguous ones read in place), every instruction runs a typed loop over
// the block, reductions accumulate per block. No LLVM, no core.
#pragma once

#include "kiln/tensor/Array.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::tensor {

/// Elements per block (per register): 2048 × 8 bytes stays in L1/L2.
constexpr int64_t kReferenceBlock = 2048;

/// Same contract as evalEager (Eager.h). Float sums and products are
/// accumulated per block, then the block partials in block order.
std::string evalBlocked(const Kernel &kernel, const std::vector<Arg> &args,
                        ArrayView *out, Scalar *result);

} // namespace kiln::tensor
