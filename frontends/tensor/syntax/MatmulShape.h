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
/// (ranks 1-4, batch dimensions broadcast) into `out`; "" on success, else
/// checkCall's sentence (a rank-0 operand, inner dimensions that differ,
/// batch dimensions that do not broadcast). As in NumPy, a 1-D `a` [K] is
/// a [1, K] row and a 1-D `b` [K] a [K, 1] column whose added dimension is
/// dropped from the result: [K] @ [K, N] is [N], [M, K] @ [K] is [M], and
/// [K] @ [K] is a rank-0 array.
std::string matmulShape(const std::vector<int64_t> &a,
                        const std::vector<int64_t> &b,
                        std::vector<int64_t> &out);

/// The shapes the product is computed with: a 1-D `a` becomes [1, K], a
/// 1-D `b` [K, 1] (other shapes are left alone).
void promoteVectors(std::vector<int64_t> &a, std::vector<int64_t> &b);

} // namespace kiln::tensor::syntax
