// MatmulShape: the shape rule of `a @ b` (NumPy's matmul), in one place.
//
// The call check, the JIT's matmul plan and the reference evaluator all need
// the result shape of a matrix product and the same sentence when the
// operands do not fit, so the rule lives here, next to AxisShape.
#pragma once

#include "kiln/tensor/Ast.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::tensor::syntax {

/// True when some node under `root` is a MatMul (`a @ b`).
bool hasMatmul(const Expr &root);

/// The shape of a @ b for operand shapes `a` [..., M, K] and `b` [..., K, N]
/// (ranks 2-4, batch dimensions broadcast) into `out`; "" on success, else
/// checkCall's sentence (rank below 2, inner dimensions that differ, batch
/// dimensions that do not broadcast).
std::string matmulShape(const std::vector<int64_t> &a,
                        const std::vector<int64_t> &b,
                        std::vector<int64_t> &out);

} // namespace kiln::tensor::syntax
