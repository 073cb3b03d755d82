/* AotMatmulGemm: one product C = epilogue(A @ B) on strided, batched
 * operands in an AOT library, on kt_aot_threads() threads (AotMatmulGemm.c). */
#ifndef KILN_TENSOR_AOT_MATMUL_GEMM_H
#define KILN_TENSOR_AOT_MATMUL_GEMM_H

#include "AotMatmul.h"

/* a [..., M, K], b [..., K, N] (rank >= 2), c [batch..., M, N] with unit
 * last stride, not overlapping the others; epilogue parameter p is array
 * epiArrays[p] (broadcast to c's shape) or, when that is null, the scalar
 * bits epiScalars[p]. At most 64 epilogue parameters. */
typedef struct kt_gemm_call {
  const kt_mm_tile *tile;
  const kiln_tensor_array *a, *b, *c;
  int nepi;
  const kiln_tensor_array *const *epiArrays;
  const int64_t *epiScalars;
} kt_gemm_call;

/* Runs the call on up to kt_aot_threads() threads; 0, or -1 when the
 * packing buffers cannot be allocated. */
int kt_gemm_run(const kt_gemm_call *g);

/* kt_gemm_run on up to `threads` threads (1: the calling thread only);
 * the result is the same, bit for bit, at every count. */
int kt_gemm_run_threads(const kt_gemm_call *g, int threads);

#endif
