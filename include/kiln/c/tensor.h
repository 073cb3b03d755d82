/* tensor.h: the C API over tensor kernels — fused loops on caller buffers.
 *
 * A tensor source defines kernels (`kernel relu(a: f32[], s: f32) -> f32[] =
 * max(a * s, 0)`, see docs/tensor.md); compiling it JIT-compiles every
 * kernel. A kernel runs on caller-owned memory described by kiln_array (up
 * to 4 dimensions, strides in elements, NumPy broadcasting). kiln_tensor_bind
 * checks a call once and returns a bound call that runs again and again with
 * no checks: the cheap path for small arrays in a loop. Included by kiln.h;
 * the rules there apply.
 */
#ifndef KILN_C_TENSOR_H
#define KILN_C_TENSOR_H

#include "kiln/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kiln_dtype KILN_ENUM_INT {
  KILN_DTYPE_BOOL = 0, /* one byte, 0 or 1 */
  KILN_DTYPE_I32 = 1,
  KILN_DTYPE_I64 = 2,
  KILN_DTYPE_F32 = 3,
  KILN_DTYPE_F64 = 4
} kiln_dtype;

#define KILN_TENSOR_MAX_RANK 4

/** A strided view of caller-owned memory. Strides are in elements (not
 *  bytes) and may be 0 (broadcast) or negative. rank 0 = one element. */
typedef struct kiln_array {
  void *data;
  kiln_dtype dtype;
  int32_t rank;
  int64_t shape[KILN_TENSOR_MAX_RANK];
  int64_t strides[KILN_TENSOR_MAX_RANK];
} kiln_array;

/** A scalar argument or a reduction's result: `f` for f32/f64, `i` for
 *  i32/i64/bool. */
typedef struct kiln_scalar {
  kiln_dtype dtype;
  double f;
  int64_t i;
} kiln_scalar;

/** One argument, in parameter order: an array (is_array != 0) or a scalar. */
typedef struct kiln_tensor_arg {
  int is_array;
  kiln_array array;
  kiln_scalar scalar;
} kiln_tensor_arg;

typedef struct kiln_tensor_program kiln_tensor_program;
typedef struct kiln_tensor_kernel kiln_tensor_kernel;
typedef struct kiln_tensor_call kiln_tensor_call;

/** Parses, checks and JIT-compiles every kernel of `size` bytes of tensor
 *  source (named `file` in diagnostics) at the engine's opt level. *out:
 *  caller owns; free with kiln_tensor_program_free. */
KILN_API kiln_error *kiln_tensor_compile(kiln_engine *engine, const char *file,
                                         const char *source, size_t size,
                                         kiln_tensor_program **out);
/** NULL is fine. Consumes program (kernels taken from it stay valid). */
KILN_API void kiln_tensor_program_free(kiln_tensor_program *program);
KILN_API size_t
kiln_tensor_kernel_count(const kiln_tensor_program *program);
/** The kernel called `name` (KILN_ERROR_INVALID_ARGUMENT when there is none)
 *  or number `index` in source order. *out: caller owns; free with
 *  kiln_tensor_kernel_free (it keeps its code alive). */
KILN_API kiln_error *kiln_tensor_kernel_get(kiln_tensor_program *program,
                                            const char *name,
                                            kiln_tensor_kernel **out);
KILN_API kiln_error *kiln_tensor_kernel_at(kiln_tensor_program *program,
                                           size_t index,
                                           kiln_tensor_kernel **out);
/** NULL is fine. Consumes kernel. */
KILN_API void kiln_tensor_kernel_free(kiln_tensor_kernel *kernel);

/** The kernel's name. Borrowed; valid until kernel is freed. */
KILN_API const char *kiln_tensor_kernel_name(const kiln_tensor_kernel *kernel);
KILN_API size_t kiln_tensor_kernel_param_count(const kiln_tensor_kernel *kernel);
/** Parameter `index`: name (borrowed; valid until kernel is freed), dtype,
 *  and whether it is an array; any out-pointer may be NULL. */
KILN_API kiln_error *kiln_tensor_kernel_param(const kiln_tensor_kernel *kernel,
                                              size_t index, const char **name,
                                              kiln_dtype *dtype, int *is_array);
/** The result: dtype, and whether it is an array (elementwise, over the
 *  broadcast shape of the array arguments) or a scalar (a reduction). */
KILN_API void kiln_tensor_kernel_result(const kiln_tensor_kernel *kernel,
                                        kiln_dtype *dtype, int *is_array);
/** The shape `out` must have for `count` arguments: their broadcast shape,
 *  or the shape an axis reduction or matrix product gives; rank 0 for a
 *  kernel with a scalar result. *rank and shape[0..rank) are written;
 *  arguments that do not broadcast are KILN_ERROR_INVALID_ARGUMENT. */
KILN_API kiln_error *kiln_tensor_result_shape(
    const kiln_tensor_kernel *kernel, const kiln_tensor_arg *args,
    size_t count, int32_t *rank, int64_t shape[KILN_TENSOR_MAX_RANK]);

/** Runs the kernel on `count` arguments. An array result is written to
 *  `*out` (dtype and shape must equal the result's); a scalar one to
 *  `*result`. The call is checked first (count, array or scalar, dtype,
 *  shapes): on any error nothing is written. threads 0 = the engine's pool;
 *  large calls are split over it. */
KILN_API kiln_error *kiln_tensor_run(const kiln_tensor_kernel *kernel,
                                     const kiln_tensor_arg *args, size_t count,
                                     const kiln_array *out,
                                     kiln_scalar *result, uint32_t threads);

/** Checks a call once (as kiln_tensor_run does) and binds it: the views in
 *  `args` and `out` are copied, the memory they point to is borrowed and must
 *  stay valid while the bound call is used. *bound: caller owns; free with
 *  kiln_tensor_call_free. */
KILN_API kiln_error *kiln_tensor_bind(const kiln_tensor_kernel *kernel,
                                      const kiln_tensor_arg *args,
                                      size_t count, const kiln_array *out,
                                      uint32_t threads,
                                      kiln_tensor_call **bound);
/** Makes a bound call depend on `size` bytes of caller memory at `address`:
 *  they are copied now and compared before each kiln_tensor_call_run, which
 *  returns KILN_TENSOR_CALL_STALE without running when any differ. For a
 *  host that caches bound calls for its array objects (the Python binding
 *  does): it guards the fields that describe an array (data pointer, shape,
 *  strides), so that a changed array is noticed at the cost of a memcmp.
 *  Guards are compared in the order added and one is read only when all
 *  before it matched, so a guard may lie in memory an earlier one points
 *  to. The memory is borrowed: it must stay readable while the bound call
 *  is run. At most 64 guards and 64 KiB per call; size 0 is
 *  KILN_ERROR_INVALID_ARGUMENT. */
KILN_API kiln_error *kiln_tensor_call_guard(kiln_tensor_call *bound,
                                            const void *address, size_t size);
/** kiln_tensor_call_run's result when a guard's memory changed: nothing ran. */
#define KILN_TENSOR_CALL_STALE (-1)
/** kiln_tensor_call_run's result when a guarded call is already running on
 *  another thread: nothing ran (a guarded call may be shared by threads; one
 *  runs it at a time, the others are told so, never blocked). */
#define KILN_TENSOR_CALL_BUSY (-2)
/** Runs a bound call again, without checks (the data may have changed, the
 *  views may not). `result` receives a scalar result (NULL drops it). A
 *  contiguous call below the thread threshold is one call of the kernel's
 *  loop: no check, no allocation. Returns 0; KILN_TENSOR_CALL_STALE when a
 *  guard (kiln_tensor_call_guard) no longer matches, KILN_TENSOR_CALL_BUSY
 *  when a guarded call is running on another thread; a kiln_error_code only
 *  for a NULL `bound` (KILN_ERROR_INVALID_ARGUMENT) or when a strided
 *  reduction's partials cannot be allocated or a strided loop cannot be
 *  compiled on its first run (that error's code), with nothing written. */
KILN_API int kiln_tensor_call_run(kiln_tensor_call *bound,
                                  kiln_scalar *result);
/** NULL is fine. Consumes bound. */
KILN_API void kiln_tensor_call_free(kiln_tensor_call *bound);

#ifdef __cplusplus
}
#endif

#endif /* KILN_C_TENSOR_H */
