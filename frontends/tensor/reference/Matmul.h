// Matmul: the reference executors' matrix product — a plain triple loop.
//
// The oracle for the JIT's packed, blocked, FMA micro-kernel: no blocking,
// no FMA (this library is built with -ffp-contract=off), k summed in order
// in the element type, batch dimensions broadcast as NumPy's matmul does.
#pragma once

#include "kiln/tensor/Ast.h"

#include <cstdint>
#include <vector>

namespace kiln::tensor::ref {

/// out [batch..., M, N] = a [..., M, K] @ b [..., K, N] for contiguous
/// row-major f32/f64 operands of the given shapes; `out`'s shape is
/// syntax::matmulShape's (checked by the caller).
void matmul(DType type, const void *a, const std::vector<int64_t> &shapeA,
            const void *b, const std::vector<int64_t> &shapeB, void *out,
            const std::vector<int64_t> &shapeOut);

} // namespace kiln::tensor::ref
