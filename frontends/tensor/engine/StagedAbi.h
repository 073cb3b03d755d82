/* StagedAbi: an axis-reduction kernel's plan of passes as plain C data, and
 * the runner that executes it (StagedRun.c).
 *
 * Shared by the JIT (Staged.cpp fills a plan with its compiled passes and
 * runs it on the engine's pool) and by AOT libraries (the generated wrapper
 * holds the plan as static tables and runs it single-threaded), so both
 * reduce the same rows, slices and tiles in the same order: identical
 * results. Plain C, libc only, like Driver.c. This text is also pasted into
 * generated AOT wrappers (after KernelAbi.h). */
#ifndef KILN_TENSOR_STAGED_ABI_H
#define KILN_TENSOR_STAGED_ABI_H

#ifndef KILN_TENSOR_KERNEL_ABI_H
#include "tensor/irgen/KernelAbi.h"
#endif

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A pass's operation: ReduceOp's values (Ast.h), or KT_OP_FINAL. */
enum {
  KT_OP_SUM, KT_OP_PROD, KT_OP_MIN, KT_OP_MAX, KT_OP_MEAN,
  KT_OP_ARGMAX, KT_OP_ARGMIN, KT_OP_FINAL = -1
};
/* A source at or above this is temporary (source - KT_FROM_TEMP). */
#define KT_FROM_TEMP (1 << 16)

/* A strided view (kiln_tensor_array's and ArrayView's fields). */
typedef struct kt_view {
  void *data;
  int32_t dtype, rank;
  int64_t shape[4];
  int64_t strides[4]; /* in elements */
} kt_view;

/* One pass. A reduction pass writes temporary k (k = its index) of dtype
 * `dtype`: `kernel` reduces one row (argmax/argmin: writes its argument's
 * row, which the runner scans). The last pass computes the result. */
typedef struct kt_staged_pass {
  const kt_kernel_fns *kernel;
  /* `kernel` with the parameters marked in asScalar taken as scalars (an
   * earlier keepdims reduction along the same axis, constant per row);
   * null when there is none. */
  const kt_kernel_fns *rowKernel;
  const unsigned char *asScalar;
  /* acc = acc OP arg on (rank-1)-D slices (slot 0: acc, then kernel's
   * parameters), and mean's acc / n (acc, n); null when not available. */
  const kt_kernel_fns *columnKernel, *scaleKernel;
  const int32_t *sources; /* per parameter: an argument or KT_FROM_TEMP + t */
  int32_t nsources;
  int32_t op;       /* KT_OP_* */
  int32_t naxes;    /* 1, or up to 4 for axis=(0, 1) */
  int32_t axes[4];  /* as written: negative counts from the end */
  int32_t keepdims;
  int32_t dtype;    /* the temporary's */
  int32_t argDtype; /* argmax/argmin: the argument's (the row buffer) */
} kt_staged_pass;

typedef struct kt_staged_plan {
  int32_t npasses;
  const kt_staged_pass *passes;
  int32_t resultIsArray;
} kt_staged_plan;

/* Runs a checked call: args[i] is argument i's view (arrays) and
 * scalars[i] its bits (scalars, as in a context slot); `out` receives an
 * array result, `result` (8 bytes) a scalar one. Rows, slices and tiles go
 * to `par` (may be null) in fixed pieces: the results do not depend on the
 * thread count. Returns 0, 2 when memory runs out, 3 when a strided loop
 * cannot be compiled (*failed: that pass kernel). */
int kt_staged_run(const kt_staged_plan *plan, const kt_view *args,
                  const int64_t *scalars, const kt_view *out, void *result,
                  const kt_parallel *par, const kt_kernel_fns **failed);

#ifdef __cplusplus
}
#endif

#endif
