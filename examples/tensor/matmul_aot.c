/* matmul_aot: examples/tensor/matmul.tk through its AOT library — no
 * LLVM, no C++ at run time. Build and run:
 *   kiln tensor build examples/tensor/matmul.tk -o libmatmul.so
 *   cc -I. examples/tensor/matmul_aot.c -L. -lmatmul -Wl,-rpath,. -o matmul_aot
 *   ./matmul_aot
 * prints relu(x @ w + b) for a 2x3 x and a w passed as the transpose of a
 * row-major 2x3 array (a strided view: no copy), and a call error. */
#include "matmul.h"

#include <stdio.h>
#include <string.h>

static kiln_tensor_array view(void *data, int dtype, int rank,
                              const int64_t *shape, const int64_t *strides) {
  kiln_tensor_array a;
  memset(&a, 0, sizeof a);
  a.data = data;
  a.dtype = dtype;
  a.rank = rank;
  for (int d = 0; d < rank; ++d)
    a.shape[d] = shape[d], a.strides[d] = strides[d];
  return a;
}

int main(void) {
  float x[2 * 3] = {1, 2, 3, 4, 5, 6};
  float wt[2 * 3] = {1, 0, -1, 0.5f, 0.5f, 0.5f}; /* w = transpose(wt): 3x2 */
  float b[2] = {0.5f, -1}, y[2 * 2];
  kiln_tensor_array xa = view(x, KILN_TENSOR_F32, 2, (int64_t[]){2, 3},
                              (int64_t[]){3, 1});
  kiln_tensor_array wa = view(wt, KILN_TENSOR_F32, 2, (int64_t[]){3, 2},
                              (int64_t[]){1, 3});
  kiln_tensor_array ba =
      view(b, KILN_TENSOR_F32, 1, (int64_t[]){2}, (int64_t[]){1});
  kiln_tensor_array ya = view(y, KILN_TENSOR_F32, 2, (int64_t[]){2, 2},
                              (int64_t[]){2, 1});
  if (layer(&xa, &wa, &ba, &ya) != KILN_TENSOR_OK) {
    fprintf(stderr, "layer: %s\n", matmul_last_error());
    return 1;
  }
  for (int r = 0; r < 2; ++r)
    printf("layer row %d: %g %g\n", r, y[2 * r], y[2 * r + 1]);
  /* A wrong call: the message is the JIT's, word for word. */
  if (layer(&xa, &xa, &ba, &ya) != KILN_TENSOR_OK)
    printf("error: %s\n", matmul_last_error());
  return 0;
}
