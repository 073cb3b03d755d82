// AxisShape: the shapes of a kernel's nodes when it reduces along an axis.
//
// Without axis reductions every array node has the broadcast shape of all
// array arguments. An axis reduction has its own, smaller shape that later
// broadcasts back (`x - max(x, axis=1, keepdims)`), so the call check, the
// JIT's staged run and the reference executor need each node's shape for a
// given call; this is the one place that states those rules (NumPy's).
#pragma once

#include "kiln/tensor/Array.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::tensor::syntax {

/// True when some node under `root` reduces along an axis or is a matrix
/// product (`a @ b`): nodes then have shapes of their own (nodeShapes).
bool hasAxisReduce(const Expr &root);

using Shape = std::vector<int64_t>;
using ShapeMap = std::unordered_map<const Expr *, Shape>;

/// The shape of every node under `root` for a call with `args` (each
/// already checked against its parameter) into `shapes`; "" on success, else
/// checkCall's sentence: operands that do not broadcast, an axis out of
/// range, or min/max of an empty axis (no identity, as NumPy raises).
std::string nodeShapes(const Kernel &kernel, const std::vector<Arg> &args,
                       ShapeMap &shapes);

/// argmax/argmin of n elements of `type` at `data` (element stride
/// `stride`), NumPy's rule: the index of the first largest (smallest)
/// element, or of the first NaN; bools compare false < true. n > 0.
int64_t argBest(DType type, const void *data, int64_t n, int64_t stride,
                bool isMax);

/// The axis of `reduce` (hasAxis) for an argument of rank `rank`, in
/// [0, rank); the caller has checked it with nodeShapes.
int normalAxis(const Expr &reduce, size_t rank);
/// All of its axes (`axis=(0, -1)`) normalised, ascending (distinct once
/// nodeShapes has checked them).
std::vector<int> normalAxes(const Expr &reduce, size_t rank);

} // namespace kiln::tensor::syntax
