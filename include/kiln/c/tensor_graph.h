/* tensor_graph.h: the C API over tensor graphs — named statements compiled
 * as one unit, with reverse-mode gradients (docs/tensor-graphs.md).
 *
 * A graph (`graph step(x: f32[], w: f32[]) { y = relu(x * w); loss =
 * mean(y); dw = grad(loss, [w]); return loss, dw }`) is compiled from
 * source by name; each run takes one kiln_tensor_arg per parameter and
 * fills one per returned name: scalars by value, arrays as views of memory
 * the graph owns, valid until the next run or kiln_tensor_graph_free. The
 * first run with a set of input shapes plans the fused kernels and the
 * temporaries; later runs with the same shapes reuse them. Runs of one
 * graph are serialised (a mutex). Included by kiln.h; the rules there apply.
 */
#ifndef KILN_C_TENSOR_GRAPH_H
#define KILN_C_TENSOR_GRAPH_H

#include "kiln/c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_tensor_graph kiln_tensor_graph;

/** Parses `size` bytes of tensor source (named `file` in diagnostics) and
 *  prepares its graph called `name` (KILN_ERROR_INVALID_ARGUMENT when there
 *  is none; parse and type errors are located). *out: caller owns; free
 *  with kiln_tensor_graph_free (it keeps the engine's tensor state alive). */
KILN_API kiln_error *kiln_tensor_graph_compile(kiln_engine *engine,
                                               const char *file,
                                               const char *source, size_t size,
                                               const char *name,
                                               kiln_tensor_graph **out);
/** NULL is fine. Consumes graph; views it returned become invalid. */
KILN_API void kiln_tensor_graph_free(kiln_tensor_graph *graph);
KILN_API size_t kiln_tensor_graph_param_count(const kiln_tensor_graph *graph);
KILN_API size_t kiln_tensor_graph_result_count(const kiln_tensor_graph *graph);
/** Parameter (`result` == 0) or returned value (`result` != 0) number
 *  `index`: name (borrowed; valid until graph is freed), dtype, and whether
 *  it is an array; any out-pointer may be NULL. */
KILN_API kiln_error *kiln_tensor_graph_value(const kiln_tensor_graph *graph,
                                             int result, size_t index,
                                             const char **name,
                                             kiln_dtype *dtype, int *is_array);
/** Runs the graph on `count` arguments and writes `result_count` results
 *  (must equal kiln_tensor_graph_result_count). Bad arguments (count,
 *  kinds, dtypes, shapes that do not broadcast) are
 *  KILN_ERROR_INVALID_ARGUMENT; nothing is written to `results` then. */
KILN_API kiln_error *kiln_tensor_graph_run(kiln_tensor_graph *graph,
                                           const kiln_tensor_arg *args,
                                           size_t count,
                                           kiln_tensor_arg *results,
                                           size_t result_count);

#ifdef __cplusplus
}
#endif

#endif /* KILN_C_TENSOR_GRAPH_H */
