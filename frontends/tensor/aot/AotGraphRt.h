/* AotGraphRt: the graph runtime's own declarations, shared by its files
 * (AotGraph.c: the context and the calls; AotGraphShape.c: shapes;
 * AotGraphMemory.c: the workspace; AotGraphRun.c: the steps). Not pasted
 * into generated code. */
#ifndef KILN_TENSOR_AOT_GRAPH_RT_H
#define KILN_TENSOR_AOT_GRAPH_RT_H

#include "AotGraph.h"
#include "AotStaged.h" /* kt_aot_check_param, kt_aot_fail */

#include <stddef.h>

/* A node's value for the planned shapes. */
typedef struct kt_gslot {
  int32_t scalar, rank;
  int64_t dims[4];
  kiln_tensor_array v; /* arrays (and rank-0 kernel results): the view */
  int64_t bits;        /* scalars: the value in the node's dtype */
  double *accum;       /* SUMTO: the sums, in the workspace */
} kt_gslot;

struct kt_graph_ctx {
  const kt_graph *g;
  kt_gslot *slots;  /* one per node */
  int64_t *key;     /* per input: rank (-1 for a scalar) and 4 dims */
  int64_t *scratch; /* planning: 3 * (nodes + steps) + 1 words */
  /* Per step: a SumTo whose value already has the result's shape for the
   * planned shapes — a no-op the JIT drops — runs as its value's view. */
  unsigned char *alias;
  int planned;
  char *work; /* the temporaries, 64-byte aligned */
  size_t workBytes;
};

int kt_graph_infer(kt_graph_ctx *c, const kiln_tensor_array *const *arrays);
int kt_graph_layout(kt_graph_ctx *c);
int kt_graph_steps(kt_graph_ctx *c);

int kt_graph_dtype_size(int dtype);
double kt_graph_to_double(int64_t bits, int dtype);
int64_t kt_graph_from_double(double v, int dtype);
/* A message of our own (kt_aot_fail), formatted. */
int kt_graph_fail(const char *fmt, ...);
void kt_graph_shape_text(char *buf, size_t size, const int64_t *dims, int rank);

#endif
