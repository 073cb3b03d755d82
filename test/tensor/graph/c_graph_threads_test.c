/* c_graph_threads_test.c: one tensor graph run from several threads at once
 * through the C API (include/kiln/c/tensor_graph.h promises that runs of one
 * graph are serialised).
 *
 * The handle once converted each run's arguments into a vector it shares
 * between runs before taking the graph's lock, so a second thread could
 * replace the first one's inputs between its shape check and its kernels:
 * wrong sums, or a 4096-element plan reading a 3-element array. Each thread
 * here passes arrays of its own length and checks the scalar it gets back
 * (scalars are returned by value, so they stay its own). */
#include "kiln/kiln.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { Threads = 4, Runs = 400 };

static const char *source = "graph g(x: f64[]) {\n"
                            "  loss = sum(x * x);\n"
                            "  return loss\n"
                            "}\n";

static kiln_tensor_graph *graph;

struct Worker {
  int64_t n;
  int wrong, errors;
};

static void *work(void *context) {
  struct Worker *w = context;
  double *x = malloc((size_t)w->n * sizeof *x);
  double want = 0;
  kiln_tensor_arg arg, result;
  int64_t i;
  int run;
  for (i = 0; i < w->n; ++i) {
    x[i] = (double)(i % 7);
    want += x[i] * x[i];
  }
  memset(&arg, 0, sizeof arg);
  arg.is_array = 1;
  arg.array.data = x;
  arg.array.dtype = KILN_DTYPE_F64;
  arg.array.rank = 1;
  arg.array.shape[0] = w->n;
  arg.array.strides[0] = 1;
  for (run = 0; run < Runs; ++run) {
    kiln_error *err = kiln_tensor_graph_run(graph, &arg, 1, &result, 1);
    if (err) {
      printf("thread n=%lld: %s\n", (long long)w->n, kiln_error_message(err));
      kiln_error_free(err);
      ++w->errors;
    } else if (result.is_array || result.scalar.f != want) {
      ++w->wrong;
    }
  }
  free(x);
  return NULL;
}

int main(void) {
  kiln_engine *engine = NULL;
  pthread_t threads[Threads];
  struct Worker workers[Threads];
  int t, failures = 0;
  kiln_error *err = kiln_engine_new(NULL, &engine);
  if (!err)
    err = kiln_tensor_graph_compile(engine, "g.tk", source, strlen(source),
                                    "g", &graph);
  if (err) {
    printf("FAIL: %s\n", kiln_error_message(err));
    return 1;
  }
  for (t = 0; t < Threads; ++t) {
    workers[t].n = t % 2 ? 3 + t : 4096 + t;
    workers[t].wrong = workers[t].errors = 0;
    pthread_create(&threads[t], NULL, work, &workers[t]);
  }
  for (t = 0; t < Threads; ++t) {
    pthread_join(threads[t], NULL);
    if (workers[t].wrong || workers[t].errors) {
      printf("FAIL thread %d (n=%lld): %d wrong sums, %d errors in %d runs\n",
             t, (long long)workers[t].n, workers[t].wrong, workers[t].errors,
             Runs);
      ++failures;
    }
  }
  kiln_tensor_graph_free(graph);
  kiln_engine_free(engine);
  if (!failures)
    printf("ok: %d threads x %d runs of one graph, every sum right\n", Threads,
           Runs);
  return failures != 0;
}
