/* graph_aot_c_test.c: a graph's AOT library from C99 (docs/tensor-graphs.md,
 * "AOT libraries"), run by test/error/tensor_graph_aot_test.sh against the
 * library it builds from affine.tk:
 *
 *   graph affine(x: f64[], w: f64[], b: f64[]) {
 *     y = x @ w + b;  loss = sum(y * y) / 2;
 *     dw, db = grad(loss, [w, b]);  return loss, y, dw, db }
 *
 * Results against the same sums written out in C (1e-12), for two batch
 * sizes in turn (the context plans again for each) and a transposed x;
 * then each error: a null context, a null input, shapes that do not fit
 * (the statement's position), a result array of the wrong shape, and an
 * empty batch (a correct run); last, two threads with a context each
 * (contexts are independent). Prints one line per check; exits 1 on a
 * failed one. */
#include "affine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failures;

static void expect(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  failures += !ok;
}

static kiln_tensor_array view(double *data, int rank, int64_t d0, int64_t d1) {
  kiln_tensor_array a;
  memset(&a, 0, sizeof a);
  a.data = data, a.dtype = KILN_TENSOR_F64, a.rank = rank;
  a.shape[0] = d0, a.shape[1] = d1;
  a.strides[0] = rank == 2 ? d1 : 1, a.strides[1] = 1;
  return a;
}

/* The library's results for x [n, 2] (rows `xs` apart, columns `cs`)
 * against the sums in C. */
static int agrees(affine_graph *g, const double *x, int n, int64_t xs,
                  int64_t cs) {
  double w[8] = {0.5, -1, 2, 0.25, 1.5, 0.75, -0.5, 1}, b[4] = {1, 0, -1, 2};
  double y[40], dw[8], db[4], want = 0, loss = 0, gw[8] = {0}, gb[4] = {0};
  kiln_tensor_array X = view((double *)x, 2, n, 2), W = view(w, 2, 2, 4);
  kiln_tensor_array B = view(b, 1, 4, 0), Y = view(y, 2, n, 4);
  kiln_tensor_array DW = view(dw, 2, 2, 4), DB = view(db, 1, 4, 0);
  int i, j, bad = 0;
  X.strides[0] = xs, X.strides[1] = cs;
  if (affine_run(g, &X, &W, &B, &loss, &Y, &DW, &DB) != KILN_TENSOR_OK)
    return printf("  %s\n", affine_last_error()), 0;
  for (i = 0; i < n; ++i)
    for (j = 0; j < 4; ++j) {
      double v = x[i * xs] * w[j] + x[i * xs + cs] * w[4 + j] + b[j];
      want += v * v / 2;
      gw[j] += x[i * xs] * v, gw[4 + j] += x[i * xs + cs] * v, gb[j] += v;
      bad += fabs(y[i * 4 + j] - v) > 1e-12;
    }
  for (j = 0; j < 8; ++j)
    bad +=
        fabs(dw[j] - gw[j]) > 1e-12 || (j < 4 && fabs(db[j] - gb[j]) > 1e-12);
  return !bad && fabs(loss - want) <= 1e-12 * (1 + want);
}

static void errors(affine_graph *g, const double *x) {
  double w[8] = {0}, b[4] = {0}, y[12], loss;
  kiln_tensor_array X = view((double *)x, 2, 3, 2), W = view(w, 2, 2, 4);
  kiln_tensor_array B = view(b, 1, 4, 0), Y = view(y, 2, 3, 4);
  kiln_tensor_array W3 = view(w, 2, 3, 2), Y2 = view(y, 2, 2, 4);
  kiln_tensor_array E = view(0, 2, 0, 2), EY = view(0, 2, 0, 4);
  int rc = affine_run(0, &X, &W, &B, &loss, &Y, 0, 0);
  printf("null context: %d %s\n", rc, affine_last_error());
  rc = affine_run(g, 0, &W, &B, &loss, &Y, 0, 0);
  printf("null input: %d %s\n", rc, affine_last_error());
  rc = affine_run(g, &X, &W3, &B, &loss, &Y, 0, 0);
  printf("shapes: %d %s\n", rc, affine_last_error());
  rc = affine_run(g, &X, &W, &B, &loss, &Y2, 0, 0);
  printf("result shape: %d %s\n", rc, affine_last_error());
  loss = -1;
  rc = affine_run(g, &E, &W, &B, &loss, &EY, 0, 0);
  printf("empty batch: %d loss %g '%s'\n", rc, loss, affine_last_error());
}

/* 200 runs on a context of its own, batch sizes alternating. */
static void *worker(void *x) {
  affine_graph *g = affine_create();
  int i, ok = g != 0;
  for (i = 0; ok && i < 200; ++i)
    ok = agrees(g, (const double *)x, i % 2 ? 3 : 10, 2, 1);
  affine_free(g);
  return ok ? x : 0;
}

int main(void) {
  double x[20], xt[20];
  kiln_tensor_array X, W, B, Y = {0};
  double w[8] = {0}, b[4] = {0};
  affine_graph *g = affine_create(); /* freed below: affine_free */
  int i;
  for (i = 0; i < 20; ++i)
    x[i] = 0.1 * i - 0.7, xt[(i % 2) * 10 + i / 2] = x[i];
  affine_free(0); /* ignored */
  expect(g != 0, "create");
  expect(agrees(g, x, 3, 2, 1), "3 rows");
  expect(agrees(g, x, 10, 2, 1), "10 rows (a new plan)");
  expect(agrees(g, x, 3, 2, 1), "3 rows again");
  expect(agrees(g, xt, 10, 1, 10), "a transposed x");
  X = view(x, 2, 5, 2), W = view(w, 2, 2, 4), B = view(b, 1, 4, 0);
  expect(affine_shapes(g, &X, &W, &B, &Y, 0, 0) == 0 && Y.rank == 2 &&
             Y.shape[0] == 5 && Y.shape[1] == 4 && Y.strides[0] == 4,
         "shapes: y is [5, 4]");
  errors(g, x);
  affine_free(g);
  {
    pthread_t t[2];
    void *r[2] = {0, 0};
    int k, made = 0;
    for (k = 0; k < 2; ++k)
      made += pthread_create(&t[k], 0, worker, x) == 0;
    for (k = 0; k < made; ++k)
      pthread_join(t[k], &r[k]);
    expect(made == 2 && r[0] == x && r[1] == x, "two threads, a context each");
  }
  return failures ? 1 : 0;
}
