/* softmax_aot: examples/tensor/softmax.tk through its AOT library — no
 * LLVM, no C++ at run time. Build and run:
 *   kiln tensor build examples/tensor/softmax.tk -o libsoftmax.so
 *   cc -I. examples/tensor/softmax_aot.c -L. -lsoftmax -Wl,-rpath,. -o softmax_aot
 *   ./softmax_aot
 * prints each softmax row's sum (1), a layernorm row's mean and variance
 * (0 and 1) and the row maxima of a column-major (transposed) view. */
#include "softmax.h"

#include <stdio.h>
#include <string.h>

static kiln_tensor_array view2(void *data, int dtype, int64_t rows,
                               int64_t cols, int64_t rowStride,
                               int64_t colStride) {
  kiln_tensor_array a;
  memset(&a, 0, sizeof a);
  a.data = data;
  a.dtype = dtype;
  a.rank = 2;
  a.shape[0] = rows, a.shape[1] = cols;
  a.strides[0] = rowStride, a.strides[1] = colStride;
  return a;
}

int main(void) {
  float x[3 * 4] = {1, 2, 3, 4, -1, 0, 1, 2, 10, 10, 10, 10}, y[3 * 4];
  kiln_tensor_array xa = view2(x, KILN_TENSOR_F32, 3, 4, 4, 1);
  kiln_tensor_array ya = view2(y, KILN_TENSOR_F32, 3, 4, 4, 1);
  if (softmax(&xa, &ya) != KILN_TENSOR_OK) {
    fprintf(stderr, "softmax: %s\n", softmax_last_error());
    return 1;
  }
  for (int r = 0; r < 3; ++r)
    printf("softmax row %d sums to %.4f\n", r,
           y[4 * r] + y[4 * r + 1] + y[4 * r + 2] + y[4 * r + 3]);
  if (layernorm(&xa, 1e-5f, &ya) != KILN_TENSOR_OK)
    return 1;
  float m = (y[0] + y[1] + y[2] + y[3]) / 4;
  float v = (y[0] * y[0] + y[1] * y[1] + y[2] * y[2] + y[3] * y[3]) / 4;
  printf("layernorm row 0: mean %s, variance %.4f\n",
         m > -1e-5f && m < 1e-5f ? "0" : "not 0", v);
  /* row_max of the transpose of a 2x3 row-major array: its column maxima. */
  double d[2 * 3] = {1, 9, 3, 4, 5, 6}, best[3];
  kiln_tensor_array t = view2(d, KILN_TENSOR_F64, 3, 2, 1, 3);
  kiln_tensor_array b = view2(best, KILN_TENSOR_F64, 3, 1, 1, 1);
  b.rank = 1;
  if (row_max(&t, &b) != KILN_TENSOR_OK)
    return 1;
  printf("row maxima of the transpose: %g %g %g\n", best[0], best[1], best[2]);
  /* A wrong call: the message is the JIT's, word for word. */
  kiln_tensor_array bad = view2(x, KILN_TENSOR_F32, 3, 4, 4, 1);
  bad.shape[1] = 0;
  if (softmax(&bad, &ya) != KILN_TENSOR_OK)
    printf("error: %s\n", softmax_last_error());
  return 0;
}
