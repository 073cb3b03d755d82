/* c_graph_test.c: the C API of tensor graphs (include/kiln/c/tensor_graph.h)
 * from C99: compile a graph, read its signature, run it (a gradient checked
 * by hand: d sum(x*x*w) / dx = 2 x w, dw summed over the broadcast rows),
 * and the errors for a wrong result count, bad shapes and a missing graph. */
#include "kiln/kiln.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

static kiln_tensor_arg arrayArg(double *data, int rank, int64_t rows,
                                int64_t cols) {
  kiln_tensor_arg a;
  memset(&a, 0, sizeof a);
  a.is_array = 1;
  a.array.data = data;
  a.array.dtype = KILN_DTYPE_F64;
  a.array.rank = rank;
  a.array.shape[0] = rank == 2 ? rows : cols;
  a.array.shape[1] = cols;
  a.array.strides[0] = rank == 2 ? cols : 1;
  a.array.strides[1] = 1;
  return a;
}

static const char *source = "graph g(x: f64[], w: f64[]) {\n"
                            "  loss = sum(x * x * w);\n"
                            "  dx, dw = grad(loss, [x, w]);\n"
                            "  return loss, dx, dw\n"
                            "}\n";

int main(void) {
  kiln_engine *engine = NULL;
  kiln_tensor_graph *g = NULL;
  double x[6] = {1, 2, 3, 4, 5, 6}, w[3] = {0.5, -1, 2};
  kiln_tensor_arg args[2], results[3];
  const char *name = NULL;
  kiln_dtype dtype;
  int is_array = -1, i;
  kiln_error *err = kiln_engine_new(NULL, &engine);
  CHECK(!err);
  err = kiln_tensor_graph_compile(engine, "g.tk", source, strlen(source), "g",
                                  &g);
  CHECK(!err && g);
  if (!g)
    return 1;
  CHECK(kiln_tensor_graph_param_count(g) == 2);
  CHECK(kiln_tensor_graph_result_count(g) == 3);
  CHECK(!kiln_tensor_graph_value(g, 1, 2, &name, &dtype, &is_array));
  CHECK(name && strcmp(name, "dw") == 0 && dtype == KILN_DTYPE_F64 && is_array);
  args[0] = arrayArg(x, 2, 2, 3);
  args[1] = arrayArg(w, 1, 0, 3);
  CHECK(!kiln_tensor_graph_run(g, args, 2, results, 3));
  CHECK(!results[0].is_array && fabs(results[0].scalar.f - 69.5) < 1e-12);
  for (i = 0; i < 6; ++i)
    CHECK(((double *)results[1].array.data)[i] == 2 * x[i] * w[i % 3]);
  CHECK(results[2].array.rank == 1 && results[2].array.shape[0] == 3);
  for (i = 0; i < 3; ++i)
    CHECK(((double *)results[2].array.data)[i] ==
          x[i] * x[i] + x[i + 3] * x[i + 3]);
  err = kiln_tensor_graph_run(g, args, 2, results, 2);
  CHECK(err && kiln_error_get_code(err) == KILN_ERROR_INVALID_ARGUMENT);
  kiln_error_free(err);
  args[1].array.shape[0] = 4;
  err = kiln_tensor_graph_run(g, args, 2, results, 3);
  CHECK(err && strstr(kiln_error_message(err), "do not broadcast"));
  kiln_error_free(err);
  err = kiln_tensor_graph_compile(engine, "g.tk", source, strlen(source), "h",
                                  &g);
  CHECK(err && strstr(kiln_error_message(err), "no graph 'h'"));
  kiln_error_free(err);
  kiln_tensor_graph_free(g);
  kiln_engine_free(engine);
  printf("%s\n", failures ? "FAILED" : "c graph test passed");
  return failures != 0;
}
