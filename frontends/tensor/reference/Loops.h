// Loops: one operator applied over n contiguous elements, and whole-array
// reduction accumulators — the building blocks of both reference executors.
//
// The eager executor calls them once per node over the whole array; the
// blocked interpreter once per bytecode instruction per block. The dtype and
// operator are dispatched once per call, so the inner loops are plain typed
// C++ loops the compiler vectorises. A scalar operand (one element) is
// broadcast over the n results.
#pragma once

#include "kiln/tensor/Ast.h"

#include <cstdint>

namespace kiln::tensor::ref {

/// An input of a loop: n elements, or one element broadcast (scalar).
struct Operand {
  const void *data = nullptr;
  bool scalar = false;
};

// Each apply* writes n elements of the result dtype to dst and returns false
// (writing nothing) when the operator is not defined for the dtype.
bool applyUnary(UnaryOp op, DType type, Operand a, void *dst, int64_t n);
/// `type` is the operands' dtype (comparisons write bool).
bool applyBinary(BinaryOp op, DType type, Operand a, Operand b, void *dst,
                 int64_t n);
bool applyCall(Builtin fn, DType type, const Operand *args, void *dst,
               int64_t n);
bool applyCast(DType from, DType to, Operand a, void *dst, int64_t n);
/// `type` is the dtype of x and y; c is bool.
bool applyWhere(DType type, Operand c, Operand x, Operand y, void *dst,
                int64_t n);

/// A running reduction. Float sums and products are accumulated per call
/// (8 lanes, then added to the total), so results depend on how the caller
/// splits the elements — allowed by the language's reduction rule.
struct Accum {
  ReduceOp op = ReduceOp::Sum;
  DType type = DType::F64; ///< the argument's dtype
  double f = 0;            ///< float accumulators (and integer means)
  int64_t i = 0;           ///< integer and bool accumulators
  int64_t count = 0;       ///< elements seen (for mean)
};

/// An empty accumulator; false when `op` is not defined for `argType`.
bool accumInit(Accum &acc, ReduceOp op, DType argType);
/// Adds n elements (a scalar operand counts n times).
void accumulate(Accum &acc, Operand a, int64_t n);
/// Adds n elements by pairwise summation (NumPy's order) for float sums;
/// the same as accumulate for every other reduction.
void accumulatePairwise(Accum &acc, Operand a, int64_t n);
/// Writes the final value as one element of `resultType` to dst.
void accumFinish(const Accum &acc, DType resultType, void *dst);

} // namespace kiln::tensor::ref
