/* AotAbi: what generated AOT wrappers call — the C call check and driver
 * entry linked into every `kiln tensor build` library (hidden symbols).
 *
 * The generated C header declares the same kiln_tensor_array; this header
 * is also pasted into the generated wrapper source at build time. */
#ifndef KILN_TENSOR_AOT_ABI_H
#define KILN_TENSOR_AOT_ABI_H

#ifndef KILN_TENSOR_KERNEL_ABI_H
#include "tensor/irgen/KernelAbi.h"
#endif

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef KILN_TENSOR_ARRAY_DEFINED
#define KILN_TENSOR_ARRAY_DEFINED
enum {
  KILN_TENSOR_BOOL,
  KILN_TENSOR_I32,
  KILN_TENSOR_I64,
  KILN_TENSOR_F32,
  KILN_TENSOR_F64
};
enum { KILN_TENSOR_OK, KILN_TENSOR_EINVAL, KILN_TENSOR_ENOMEM };
typedef struct kiln_tensor_array {
  void *data;
  int32_t dtype; /* KILN_TENSOR_F32, ... */
  int32_t rank;  /* 0-4 */
  int64_t shape[4];
  int64_t strides[4]; /* in elements; 0 or negative allowed */
} kiln_tensor_array;
#endif

typedef struct kt_param_desc {
  const char *name;
  int dtype;
  int isArray;
} kt_param_desc;

typedef struct kt_aot_kernel {
  const char *name;
  int nparams;
  const kt_param_desc *params;
  int resultDtype;
  int resultIsArray;
  kt_kernel_fns fns;
} kt_aot_kernel;

/* Checks the call like kiln::tensor::checkCall (same messages), then runs
 * it single-threaded. arrays[i] is used for array parameters, scalars[i]
 * (bits, as in a context slot) for scalar ones. Returns KILN_TENSOR_OK or an
 * error code with the message in kt_aot_last_error(). */
int kt_aot_call(const kt_aot_kernel *k, const kiln_tensor_array *const *arrays,
                const int64_t *scalars, kiln_tensor_array *out, void *result);
/* This thread's last error message ("" after a successful call). */
const char *kt_aot_last_error(void);

#ifndef __cplusplus
/* How many threads have a message pending in kt_aot_last_error() (a failed
 * call not yet followed by a successful one on that thread). A successful
 * call clears its thread's message only while this is nonzero: in the
 * common case one relaxed load and no thread-local access, which in a
 * dlopen'ed library is a __tls_get_addr call (a quarter of a small call).
 * A thread that exits with a message pending leaves it nonzero: calls then
 * pay that access, and stay correct. */
extern int kt_aot_pending;
/* Clears this thread's pending message, if any. */
void kt_aot_clear_error(void);
static inline void kt_aot_call_ok(void) {
  if (__atomic_load_n(&kt_aot_pending, __ATOMIC_RELAXED))
    kt_aot_clear_error();
}
#endif

/* Elements of one array or of a call's broadcast shape (kMaxElements in
 * tensor/syntax/Limits.h): bytes and indices then fit in an int64_t. */
#define KT_MAX_ELEMENTS ((int64_t)1 << 60)

/* The contiguous fast path of a generated wrapper: the element count of `v`
 * when it is non-null, has dtype t and `ref`'s rank (0-4) and shape, is
 * contiguous, has data unless empty and at most KT_MAX_ELEMENTS elements;
 * else -1. */
int64_t kt_aot_plain_size(const kiln_tensor_array *v, int t,
                          const kiln_tensor_array *ref);
/* Runs a call that passed the fast-path checks, n elements, single-threaded:
 * `ctx` (KT_CTX_WORDS(nslots)) has the slots' data and scalar words filled.
 * Clears the last error. */
int kt_aot_run_plain(const kt_aot_kernel *k, int64_t *ctx, int64_t n,
                     void *result);

/* kt_aot_plain_size(v, t, v), with rank 1 in plain compares. */
static inline int64_t kt_plain_first(const kiln_tensor_array *v, int t) {
  if (!v || v->dtype != t || v->rank != 1)
    return kt_aot_plain_size(v, t, v);
  return v->shape[0] >= 0 && v->shape[0] <= KT_MAX_ELEMENTS &&
                 (v->strides[0] == 1 || v->shape[0] == 1) &&
                 (v->data || !v->shape[0])
             ? v->shape[0]
             : -1;
}
/* kt_aot_plain_size(v, t, ref) == n for a `ref` of n elements already
 * checked, with rank 1 in plain compares. */
static inline int kt_plain_next(const kiln_tensor_array *v, int t,
                                const kiln_tensor_array *ref, int64_t n) {
  if (!v || v->dtype != t || v->rank != 1 || ref->rank != 1)
    return kt_aot_plain_size(v, t, ref) >= 0;
  return v->shape[0] == n && (v->strides[0] == 1 || n == 1) && (v->data || !n);
}
/* Contiguous views of n elements (`size` and `outSize` bytes each):
 * disjoint, or the same elements (the identical view; dtype `same`). */
static inline int kt_plain_apart(const kiln_tensor_array *v, int size,
                                 const kiln_tensor_array *out, int outSize,
                                 int same, int64_t n) {
  uintptr_t lo = (uintptr_t)v->data, olo = (uintptr_t)out->data;
  if (!n || (v->data == out->data && same))
    return 1;
  return lo + (uintptr_t)n * (uintptr_t)size <= olo ||
         olo + (uintptr_t)n * (uintptr_t)outSize <= lo;
}

#ifdef __cplusplus
}
#endif

#endif
