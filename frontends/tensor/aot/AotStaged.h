/* AotStaged: what a generated AOT wrapper of an axis-reduction kernel calls
 * — the call check (per-node shapes, NumPy's rules, the JIT's messages) and
 * the staged plan (StagedAbi.h) run single-threaded.
 *
 * Pasted into generated wrappers after KernelAbi.h, StagedAbi.h and
 * AotAbi.h. The shape rules are those of syntax/AxisShape.cpp, restated as
 * a small table program so that the library needs no C++: one node per
 * expression node, children first. */
#ifndef KILN_TENSOR_AOT_STAGED_H
#define KILN_TENSOR_AOT_STAGED_H

#ifndef KILN_TENSOR_AOT_ABI_H
#include "AotAbi.h"
#endif
#ifndef KILN_TENSOR_STAGED_ABI_H
#include "tensor/engine/StagedAbi.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
  KT_SHAPE_SCALAR, /* a literal, scalar parameter or whole-array reduction */
  KT_SHAPE_PARAM,  /* an array parameter's shape */
  KT_SHAPE_EACH,   /* the broadcast of the children's shapes */
  KT_SHAPE_AXIS    /* an axis reduction of child 0 */
};

typedef struct kt_shape_node {
  int32_t kind, nkids;
  int32_t kids[3];  /* earlier nodes */
  int32_t param;    /* KT_SHAPE_PARAM */
  /* KT_SHAPE_AXIS: the axes as written (1-4), keepdims, whether an empty
   * axis is an error; the reduction's name and `axis=` text (messages). */
  int32_t naxes, axes[4], keepdims, noIdentity;
  const char *name, *axisText;
} kt_shape_node;

typedef struct kt_aot_staged {
  kt_aot_kernel desc; /* name, parameters, result; desc.fns unused */
  const kt_staged_plan *plan;
  int32_t nnodes;
  const kt_shape_node *nodes; /* children first; the last is the body */
} kt_aot_staged;

/* kt_aot_call for an axis-reduction kernel: checks like checkCall (same
 * messages), then runs the plan single-threaded. */
int kt_aot_staged_call(const kt_aot_staged *k,
                       const kiln_tensor_array *const *arrays,
                       const int64_t *scalars, kiln_tensor_array *out,
                       void *result);

/* The parameter checks and the result's shape (4 dims right-aligned) and
 * rank of a call of `k`, as kt_aot_staged_call checks them (the output
 * aside): for a caller that allocates the output. */
int kt_aot_staged_shape(const kt_aot_staged *k,
                        const kiln_tensor_array *const *arrays, int64_t *shape,
                        int *rank);

/* AotRuntime.c's checks, for kt_aot_staged_call: parameter i's view (null,
 * dtype, view), the output against `shape` (4 dims right-aligned, `rank`
 * used), and a message of our own (returns KILN_TENSOR_EINVAL). */
int kt_aot_check_param(const kt_aot_kernel *k, int i,
                       const kiln_tensor_array *v);
int kt_aot_check_out(const kt_aot_kernel *k,
                     const kiln_tensor_array *const *arrays,
                     const kiln_tensor_array *out, const int64_t *shape,
                     int rank);
int kt_aot_fail(const char *message);
/* The broadcast shape's element count limit, with checkCall's message. */
int kt_aot_check_count(const int64_t *shape, int rank);

#ifdef __cplusplus
}
#endif

#endif
