/* AotGraph: what a generated AOT graph entry calls — a graph's plan as
 * tables (nodes, steps, results) and the context that runs it.
 *
 * The JIT plans a graph per set of input shapes (graph/Plan.h); a library
 * carries the one plan that is right for every shape (graph/StaticPlan.h),
 * emitted as the tables below: every node with its shape rule, and the
 * steps in order — a kernel of the library, a sum of a broadcast gradient,
 * or a view. At run time AotGraph*.c infer every node's shape from the
 * inputs', size and share the temporaries in one workspace owned by the
 * context (planned again only when the input shapes change), run the
 * steps and copy the results into the caller's arrays.
 *
 * Pasted into generated wrappers after AotAbi.h. */
#ifndef KILN_TENSOR_AOT_GRAPH_H
#define KILN_TENSOR_AOT_GRAPH_H

#ifndef KILN_TENSOR_AOT_ABI_H
#include "AotAbi.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
  KT_GN_INPUT,     /* parameter `axis` */
  KT_GN_NUMBER,    /* a literal (`number`) */
  KT_GN_EACH,      /* elementwise: the broadcast of the array arguments */
  KT_GN_WHOLE,     /* a whole-array reduction: a scalar */
  KT_GN_AXIS,      /* a reduction along `axes` (naxes) of args[0] */
  KT_GN_MATMUL,    /* args[0] @ args[1] */
  KT_GN_SUMTO,     /* args {value, like, space}: value over space, summed */
  KT_GN_COUNT,     /* elements of args[0] (`axis`, or KT_GN_ALL) */
  KT_GN_UNSQUEEZE, /* args {value, of}: `axes` of of put back as 1 */
  KT_GN_TRANSPOSE, /* args[0], last two dimensions swapped */
  KT_GN_LIFT,      /* args {value, operand}: a 1 at `axis` if operand is 1-D */
  KT_GN_DROP       /* args {value, operand}: that 1 taken out again */
};
#define KT_GN_ALL 1000 /* KT_GN_COUNT over every element */

typedef struct kt_graph_node {
  int32_t op, dtype, nargs;
  int32_t args[3];              /* resolved node ids, below this one */
  int32_t axis, naxes, axes[4]; /* see the op */
  int32_t keepdims, line, col;  /* AXIS; the source position (messages) */
  double number;                /* NUMBER */
  const char *what;             /* AXIS: the reduction's name (messages) */
} kt_graph_node;

enum { KT_GS_KERNEL, KT_GS_SUMTO, KT_GS_VIEW };

/* A step's kernel: the library's entry unpacked (arrays[i] for array
 * parameters, scalars[i] as bits for scalar ones). */
typedef int (*kt_graph_kernel)(const kiln_tensor_array *const *arrays,
                               const int64_t *scalars, kiln_tensor_array *out,
                               void *result);

typedef struct kt_graph_step {
  int32_t kind, node, nparams;
  const int32_t *params; /* KERNEL: the node ids it reads, in order */
  int32_t scalarResult;  /* KERNEL: a whole-array reduction */
  kt_graph_kernel call;  /* KERNEL: a matrix product or axis reduction */
  /* KERNEL without `call`: an elementwise kernel or whole-array reduction,
   * run from its table alone (no generated C per step: a graph of
   * thousands of steps compiled that C for most of its build time). */
  const kt_aot_kernel *kernel;
} kt_graph_step;

typedef struct kt_graph {
  kt_aot_kernel inputs;  /* name, parameters (fns unused) */
  kt_aot_kernel results; /* the returned names, dtypes, arrays or scalars */
  const int32_t *resultNodes;
  int32_t nnodes, nsteps;
  const kt_graph_node *nodes;
  const kt_graph_step *steps;
} kt_graph;

typedef struct kt_graph_ctx kt_graph_ctx;

/* A context for `g` (null when out of memory); kt_graph_free releases it. */
kt_graph_ctx *kt_graph_create(const kt_graph *g);
void kt_graph_free(kt_graph_ctx *c);
/* Checks the inputs, plans for their shapes when they changed, and fills
 * each non-null outs[i] (array results) with the result's dtype, rank,
 * shape and contiguous strides (data untouched). */
int kt_graph_shapes(kt_graph_ctx *c, const kiln_tensor_array *const *arrays,
                    const int64_t *scalars, kiln_tensor_array *const *outs);
/* Checks, plans when the shapes changed, runs, and copies each result into
 * outs[i] (arrays: caller memory of the result's shape, any strides) or
 * scalarOuts[i] (scalars); null ones are skipped. */
int kt_graph_run(kt_graph_ctx *c, const kiln_tensor_array *const *arrays,
                 const int64_t *scalars, kiln_tensor_array *const *outs,
                 void *const *scalarOuts);

#ifdef __cplusplus
}
#endif

#endif
