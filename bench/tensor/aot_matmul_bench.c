/* aot_matmul_bench: times `a @ b` in a `kiln tensor build` library — the
 * AOT GEMM driver on KILN_THREADS threads — for the AOT rows of
 * docs/tensor-matmul.md, and hashes the result so that runs at different
 * thread counts can be compared bit for bit (test/tensor/aot_threads_test.sh).
 *
 * Usage: aot_matmul_bench LIB KERNEL f32|f64 MxKxN [--reps R] [--min-ms MS]
 * KERNEL is `kernel KERNEL(a: T[], b: T[]) -> T[] = a @ b` in LIB. Prints
 * one line: shape, dtype, threads (KILN_THREADS), the median and best
 * GFLOP/s of R samples (each at least MS ms of back-to-back calls after one
 * untimed call), the samples in ms per call (bench/tensor/matmul_report.py
 * reads them) and, last, the FNV-1a hash of the output's bytes. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Array {
  void *data;
  int32_t dtype, rank;
  int64_t shape[4], strides[4];
} Array;

typedef int (*MatmulFn)(const Array *, const Array *, Array *);

static Array matrix(void *data, int dtype, int64_t rows, int64_t cols) {
  Array v;
  memset(&v, 0, sizeof v);
  v.data = data, v.dtype = dtype, v.rank = 2;
  v.shape[0] = rows, v.shape[1] = cols, v.strides[0] = cols, v.strides[1] = 1;
  return v;
}

static void *filled(int f64, int64_t n, unsigned seed) {
  char *p = (char *)malloc((size_t)n * (f64 ? 8 : 4) + 8);
  int64_t i;
  for (i = 0; i < n; ++i) {
    double x = (double)((seed + (unsigned)i * 2654435761u) % 2001) / 1000.0 - 1;
    if (f64)
      ((double *)p)[i] = x;
    else
      ((float *)p)[i] = (float)x;
  }
  return p;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static uint64_t fnv(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  size_t i;
  for (i = 0; i < n; ++i)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

int main(int argc, char **argv) {
  long long m, k, n;
  int reps = 5, i, f64;
  double minMs = 200, secs[64];
  void *lib;
  MatmulFn fn;
  if (argc < 5 || sscanf(argv[4], "%lldx%lldx%lld", &m, &k, &n) != 3) {
    fprintf(stderr, "usage: %s LIB KERNEL f32|f64 MxKxN [--reps R] [--min-ms MS]\n", argv[0]);
    return 2;
  }
  for (i = 5; i + 1 < argc; i += 2)
    if (!strcmp(argv[i], "--reps"))
      reps = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--min-ms"))
      minMs = atof(argv[i + 1]);
  reps = reps < 1 ? 1 : reps > 64 ? 64 : reps;
  f64 = !strcmp(argv[3], "f64");
  lib = dlopen(argv[1], RTLD_NOW);
  fn = lib ? (MatmulFn)dlsym(lib, argv[2]) : NULL;
  if (!fn) {
    fprintf(stderr, "cannot load %s from %s: %s\n", argv[2], argv[1], dlerror());
    return 2;
  }
  {
    int dt = f64 ? 4 : 3;
    void *ad = filled(f64, m * k, 1), *bd = filled(f64, k * n, 2);
    void *cd = calloc((size_t)(m * n) + 1, f64 ? 8 : 4);
    Array a = matrix(ad, dt, m, k), b = matrix(bd, dt, k, n), c = matrix(cd, dt, m, n);
    double flops = 2.0 * (double)m * (double)k * (double)n;
    const char *env = getenv("KILN_THREADS");
    if (fn(&a, &b, &c)) {
      fprintf(stderr, "call failed\n");
      return 1;
    }
    for (i = 0; i < reps; ++i) {
      double start = now(), t;
      long calls = 0;
      do
        fn(&a, &b, &c), ++calls;
      while ((t = now() - start) * 1e3 < minMs);
      secs[i] = t / (double)calls;
    }
    printf("%lldx%lldx%lld %s threads=%s", m, k, n, argv[3], env ? env : "default");
    for (i = 0; i < reps; ++i)
      printf("%s%.6f", i ? "," : " ms ", secs[i] * 1e3);
    qsort(secs, (size_t)reps, sizeof *secs, cmp);
    printf(" median %.2f GFLOP/s best %.2f GFLOP/s hash %016llx\n",
           flops / secs[reps / 2] * 1e-9, flops / secs[0] * 1e-9,
           (unsigned long long)fnv((const unsigned char *)cd,
                                   (size_t)(m * n) * (f64 ? 8 : 4)));
    free(ad), free(bd), free(cd);
  }
  return 0;
}
