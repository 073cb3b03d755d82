// Matmul: the reference triple-loop matrix product (see Matmul.h).
#include "Matmul.h"

namespace kiln::tensor::ref {
namespace {

int64_t product(const std::vector<int64_t> &s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t d = from; d < to; ++d)
    n *= s[d];
  return n;
}

/// The offset, in matrices, of batch `index` of the output in an operand
/// with shape `s` (its batch dimensions aligned at the right, size 1
/// broadcast).
int64_t batchOffset(int64_t index, const std::vector<int64_t> &outShape,
                    const std::vector<int64_t> &s) {
  const size_t ob = outShape.size() - 2, sb = s.size() - 2;
  int64_t offset = 0, step = 1;
  for (size_t d = ob; d-- > 0;) {
    int64_t i = index % outShape[d];
    index /= outShape[d];
    if (d + sb < ob) // the operand has no such dimension
      continue;
    int64_t dim = s[d + sb - ob];
    offset += (dim == 1 ? 0 : i) * step;
    step *= dim;
  }
  return offset;
}

template <class T>
void run(const T *a, const std::vector<int64_t> &sa, const T *b,
         const std::vector<int64_t> &sb, T *out,
         const std::vector<int64_t> &so) {
  const int64_t m = so[so.size() - 2], n = so.back(), k = sa.back();
  const int64_t batches = product(so, 0, so.size() - 2);
  for (int64_t p = 0; p < batches; ++p) {
    const T *x = a + batchOffset(p, so, sa) * m * k;
    const T *y = b + batchOffset(p, so, sb) * k * n;
    T *z = out + p * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        T acc = 0;
        for (int64_t q = 0; q < k; ++q)
          acc += x[i * k + q] * y[q * n + j];
        z[i * n + j] = acc;
      }
  }
}

} // namespace

void matmul(DType type, const void *a, const std::vector<int64_t> &shapeA,
            const void *b, const std::vector<int64_t> &shapeB, void *out,
            const std::vector<int64_t> &shapeOut) {
  // A 1-D operand as a row or column (syntax::promoteVectors): the same
  // memory, and the output's layout is that of the shape with the size-1
  // dimension put back.
  std::vector<int64_t> sa = shapeA, sb = shapeB, so = shapeOut;
  if (sa.size() == 1)
    sa.insert(sa.begin(), 1), so.insert(so.end() - (sb.size() > 1), 1);
  if (sb.size() == 1)
    sb.push_back(1), so.push_back(1);
  if (type == DType::F32)
    run(static_cast<const float *>(a), sa, static_cast<const float *>(b), sb,
        static_cast<float *>(out), so);
  else
    run(static_cast<const double *>(a), sa, static_cast<const double *>(b), sb,
        static_cast<double *>(out), so);
}

} // namespace kiln::tensor::ref
