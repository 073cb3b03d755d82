/* aot_main: calls kernels of a `kiln tensor build` library through its
 * generated C header — no LLVM, no C++ — on the same generated data as
 * `kiln tensor run`, printing the same checksum lines, plus rejected calls.
 *
 * usage: aot_main N   (built against examples/tensor/kernels.tk) */
#define _POSIX_C_SOURCE 200809L
#include "kernels.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Element i of parameter p, as `kiln tensor run` generates it. */
static int64_t hash(int64_t i, int64_t p) {
  return (i * 7919 + p * 104729) % 1000;
}

static kiln_tensor_array vec(void *data, int dtype, int64_t n) {
  kiln_tensor_array a;
  memset(&a, 0, sizeof a);
  a.data = data;
  a.dtype = dtype;
  a.rank = 1;
  a.shape[0] = n;
  a.strides[0] = 1;
  return a;
}

static float *floats(int64_t n, int64_t p) {
  float *v = malloc((size_t)(n ? n : 1) * sizeof *v);
  for (int64_t i = 0; i < n; ++i)
    v[i] = (float)(0.5 + hash(i, p) / 1000.0);
  return v;
}

static double *doubles(int64_t n, int64_t p) {
  double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
  for (int64_t i = 0; i < n; ++i)
    v[i] = 0.5 + hash(i, p) / 1000.0;
  return v;
}

static int check(int rc, const char *what) {
  if (rc != KILN_TENSOR_OK) {
    fprintf(stderr, "%s failed: %s\n", what, kernels_last_error());
    exit(1);
  }
  return rc;
}

/* Calls of the runtime's fast-path shape (all arrays contiguous, one
 * shape): an overlapping output is still rejected, in place is allowed, the
 * last error is cleared by a good call, and step-2 views (the general path)
 * give the same elements as the contiguous call. */
static void fastPathChecks(int64_t n, kiln_tensor_array *va,
                           kiln_tensor_array *vb, kiln_tensor_array *vc,
                           float *out) {
  kiln_tensor_array lo = vec(out, KILN_TENSOR_F32, n - 1);
  kiln_tensor_array hi = vec(out + 1, KILN_TENSOR_F32, n - 1);
  kiln_tensor_array vo = vec(out, KILN_TENSOR_F32, n);
  float *wide = malloc((size_t)(8 * n) * sizeof *wide);
  kiln_tensor_array s[4];
  int64_t i, diff = 0;
  int rc = triad(&lo, &lo, 1.0f, &hi);
  printf("overlap: rc %d: %s\n", rc, kernels_last_error());
  for (i = 0; i < n; ++i)
    out[i] = (float)i;
  check(triad(&vo, vb, 2.0f, &vo), "triad in place");
  for (i = 0; i < n; ++i)
    diff += out[i] != (float)i + 2.0f * ((float *)vb->data)[i];
  printf("in place: %lld wrong, last error '%s'\n", (long long)diff,
         kernels_last_error());
  for (i = 0; i < 4; ++i) {
    s[i] = vec(wide + 2 * i * n, KILN_TENSOR_F32, n);
    s[i].strides[0] = 2;
  }
  for (i = 0; i < n; ++i) {
    wide[2 * i] = ((float *)va->data)[i];
    wide[2 * n + 2 * i] = ((float *)vb->data)[i];
    wide[4 * n + 2 * i] = ((float *)vc->data)[i];
  }
  check(fma_relu(va, vb, vc, -1.5f, &vo), "fma_relu contiguous");
  check(fma_relu(&s[0], &s[1], &s[2], -1.5f, &s[3]), "fma_relu strided");
  for (i = 0; i < n; ++i)
    diff += out[i] != wide[6 * n + 2 * i];
  printf("strided: %lld differences\n", (long long)diff);
  free(wide);
}

/* The last error is per thread: a good call on another thread neither
 * clears this thread's message nor sees it (the runtime skips the
 * thread-local access while no thread has a message pending). */
typedef struct {
  kiln_tensor_array *a, *out;
  int rc;
  char error[160];
} goodCall;

static void *callOnThread(void *arg) {
  goodCall *g = (goodCall *)arg;
  g->rc = triad(g->a, g->a, 1.0f, g->out);
  snprintf(g->error, sizeof g->error, "%s", kernels_last_error());
  return NULL;
}

static void threadChecks(int64_t n, kiln_tensor_array *va, float *out) {
  kiln_tensor_array lo = vec(out, KILN_TENSOR_F32, n - 1);
  kiln_tensor_array hi = vec(out + 1, KILN_TENSOR_F32, n - 1);
  kiln_tensor_array vo = vec(out, KILN_TENSOR_F32, n);
  goodCall g = {va, &vo, -1, "unset"};
  pthread_t t;
  int rc = triad(&lo, &lo, 1.0f, &hi), kept;
  if (pthread_create(&t, NULL, callOnThread, &g) != 0 ||
      pthread_join(t, NULL) != 0) {
    printf("threads: cannot start a thread\n");
    return;
  }
  kept = strstr(kernels_last_error(), "overlaps") != NULL;
  check(triad(va, va, 1.0f, &vo), "triad after the thread");
  printf("threads: rc %d, other thread rc %d '%s', kept %d, then '%s'\n", rc,
         g.rc, g.error, kept, kernels_last_error());
}

int main(int argc, char **argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 1000;
  float *a = floats(n, 0), *b = floats(n, 1), *c = floats(n, 2);
  float *out = malloc((size_t)(n ? n : 1) * sizeof *out);
  double *x = doubles(n, 0), *y = doubles(n, 1), sum = 0, result = 0;
  int32_t *ints = malloc((size_t)(n ? n : 1) * sizeof *ints);
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i)
    ints[i] = (int32_t)(1 + hash(i, 0) % 100);

  kiln_tensor_array va = vec(a, KILN_TENSOR_F32, n),
                    vb = vec(b, KILN_TENSOR_F32, n);
  kiln_tensor_array vc = vec(c, KILN_TENSOR_F32, n),
                    vo = vec(out, KILN_TENSOR_F32, n);
  check(fma_relu(&va, &vb, &vc, 1.25f, &vo), "fma_relu");
  for (int64_t i = 0; i < n; ++i)
    sum += out[i];
  printf("kernel fma_relu n %lld: checksum %.17g\n", (long long)n, sum);

  kiln_tensor_array vx = vec(x, KILN_TENSOR_F64, n),
                    vy = vec(y, KILN_TENSOR_F64, n);
  check(dot(&vx, &vy, &result), "dot");
  printf("kernel dot n %lld: checksum %.17g\n", (long long)n, result);

  check(triad(&va, &vb, 1.25f, &vo), "triad");
  sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += out[i];
  printf("kernel triad n %lld: checksum %.17g\n", (long long)n, sum);

  kiln_tensor_array vi = vec(ints, KILN_TENSOR_I32, n);
  check(count_big(&vi, 3, &count), "count_big");
  printf("kernel count_big n %lld: checksum %lld\n", (long long)n,
         (long long)count);

  /* Rejected calls: an error code, a clear message, the output untouched. */
  if (n > 1) {
    kiln_tensor_array shorter = vec(b, KILN_TENSOR_F32, n - 1);
    out[0] = -7.0f;
    int rc = fma_relu(&va, &shorter, &vc, 1.0f, &vo);
    printf("shape mismatch: rc %d, out[0] %g: %s\n", rc, out[0],
           kernels_last_error());
    kiln_tensor_array wrong = vec(x, KILN_TENSOR_F64, n);
    rc = fma_relu(&va, &wrong, &vc, 1.0f, &vo);
    printf("dtype mismatch: rc %d, out[0] %g: %s\n", rc, out[0],
           kernels_last_error());
  }
  if (n > 1)
    fastPathChecks(n, &va, &vb, &vc, out);
  if (n > 1)
    threadChecks(n, &va, out);
  free(a);
  free(b);
  free(c);
  free(out);
  free(x);
  free(y);
  free(ints);
  return 0;
}
