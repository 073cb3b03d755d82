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
enum { KILN_TENSOR_BOOL, KILN_TENSOR_I32, KILN_TENSOR_I64, KILN_TENSOR_F32,
       KILN_TENSOR_F64 };
enum { KILN_TENSOR_OK, KILN_TENSOR_EINVAL, KILN_TENSOR_ENOMEM };
typedef struct kiln_tensor_array {
  void *data;
  int32_t dtype;  /* KILN_TENSOR_F32, ... */
  int32_t rank;   /* 0-4 */
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

#ifdef __cplusplus
}
#endif

#endif
