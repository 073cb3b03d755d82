// SumTo: the one operation of the backward pass that is a plain loop — a
// gradient summed over the dimensions an operand was broadcast along.
//
// It runs once per broadcast operand per step (a bias gradient: the batch
// dimension), over at most 4 dimensions, accumulating in double; the
// same loop expands a gradient that stands for a broadcast (the gradient
// of a sum) to its operand's full shape.
#include "Plan.h"

#include <algorithm>

namespace kiln::tensor::graph {

namespace {

double load(const ArrayView &v, int64_t offset) {
  const char *p = static_cast<const char *>(v.data);
  switch (v.dtype) {
  case DType::F32: return reinterpret_cast<const float *>(p)[offset];
  case DType::F64: return reinterpret_cast<const double *>(p)[offset];
  case DType::I32: return reinterpret_cast<const int32_t *>(p)[offset];
  case DType::I64:
    return static_cast<double>(reinterpret_cast<const int64_t *>(p)[offset]);
  case DType::Bool: return reinterpret_cast<const uint8_t *>(p)[offset];
  }
  return 0;
}

/// acc[l * astep] += v[l * vstep] for l < n: the innermost dimension, with
/// the two common cases (a row into a row, a row into one sum) as plain
/// loops the compiler vectorises.
template <typename T>
void addRow(const T *v, int64_t vstep, double *acc, int64_t astep, int64_t n) {
  if (vstep == 1 && astep == 1) {
    for (int64_t l = 0; l < n; ++l)
      acc[l] += v[l];
  } else if (astep == 0) {
    double s = 0;
    for (int64_t l = 0; l < n; ++l)
      s += v[l * vstep];
    acc[0] += s;
  } else {
    for (int64_t l = 0; l < n; ++l)
      acc[l * astep] += v[l * vstep];
  }
}

/// Strides of `dims` (a view's, or contiguous when `strides` is null) as a
/// broadcast operand of a rank-4 space: 0 where the dimension is 1 or
/// missing.
void alignStrides(const int64_t *dims, const int64_t *strides, int rank,
                  int64_t out[4]) {
  int64_t step = 1;
  for (int d = 3; d >= 0; --d) {
    int k = d - (4 - rank);
    out[d] = 0;
    if (k < 0)
      continue;
    if (dims[k] != 1)
      out[d] = strides ? strides[k] : step;
    step *= dims[k];
  }
}

} // namespace

void sumTo(const Slot &value, const NodeGraph &g, unsigned valueNode,
           const std::vector<int64_t> &space, Slot &out) {
  int64_t sp[4] = {1, 1, 1, 1};
  int rank = static_cast<int>(space.size());
  for (int d = 0; d < rank; ++d)
    sp[4 - rank + d] = space[d];
  const Node &vn = g.nodes[valueNode];
  bool constant = vn.op == NodeOp::Expr && vn.proto.kind == ExprKind::Number;
  bool scalarIn = constant || value.shape.scalar;
  double c = constant ? vn.proto.number : value.s.asDouble();
  int64_t vs[4] = {0, 0, 0, 0}, os[4] = {0, 0, 0, 0};
  if (!scalarIn)
    alignStrides(value.v.shape, value.v.strides, value.v.rank, vs);
  const std::vector<int64_t> &od = out.shape.dims;
  alignStrides(od.data(), nullptr, static_cast<int>(od.size()), os);
  int64_t total = 1;
  for (int64_t d : od)
    total *= d;
  std::vector<double> &acc = out.accum; // sized by the plan
  std::fill(acc.begin(), acc.end(), 0.0);
  const char *base = static_cast<const char *>(value.v.data);
  unsigned size = scalarIn ? 0 : dtypeSize(value.v.dtype);
  for (int64_t i = 0; i < sp[0]; ++i)
    for (int64_t j = 0; j < sp[1]; ++j)
      for (int64_t k = 0; k < sp[2]; ++k) {
        double *a = acc.data() + i * os[0] + j * os[1] + k * os[2];
        if (scalarIn) {
          addRow(&c, 0, a, os[3], sp[3]);
          continue;
        }
        const char *v = base + (i * vs[0] + j * vs[1] + k * vs[2]) * size;
        if (value.v.dtype == DType::F32)
          addRow(reinterpret_cast<const float *>(v), vs[3], a, os[3], sp[3]);
        else if (value.v.dtype == DType::F64)
          addRow(reinterpret_cast<const double *>(v), vs[3], a, os[3], sp[3]);
        else
          for (int64_t l = 0; l < sp[3]; ++l)
            a[l * os[3]] += load(value.v, (v - base) / size + l * vs[3]);
      }
  if (out.shape.scalar) {
    out.s.f = acc[0];
    return;
  }
  for (int64_t i = 0; i < total; ++i) {
    if (out.v.dtype == DType::F32)
      static_cast<float *>(out.v.data)[i] = static_cast<float>(acc[i]);
    else
      static_cast<double *>(out.v.data)[i] = acc[i];
  }
}

} // namespace kiln::tensor::graph
