/* aot_gemm_threads: the AOT GEMM driver (aot/AotMatmulGemm.c) on 1 to 8
 * threads gives the single-thread result bit for bit, and that result is
 * the product (against plain loops), for square, skinny (row and column
 * cuts), batched with a broadcast operand, transposed and tiny shapes.
 *
 * The tile function here is plain C with the generated one's contract
 * (irgen/EmitGemm.h): packed panels, accumulate on mode bit 1, and on the
 * last K block (bit 2) an "epilogue" c = c * 0.5 + i + j that checks the
 * absolute indices each task passes. Small blocks (MR 4, NR 8, KC 16, MC 8,
 * NC 16) make many blocks per task. Registered with the `concurrency`
 * label: scripts/test --sanitize=thread runs it under ThreadSanitizer.
 * Also: the kept packing buffers (AotScratch.h) and callers on several
 * threads at once sharing them. */
#include "tensor/aot/AotMatmulGemm.h"
#include "tensor/aot/AotScratch.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t kBlocks[5] = {4, 8, 16, 8, 16};

#define TILE(T, NAME)                                                         \
  static void NAME(int64_t kc, const void *pa, const void *pb, int64_t ldb,  \
                   void *pc, int64_t ldc, int64_t rows, int64_t cols,        \
                   int64_t mode, const int64_t *epi, int64_t i0, int64_t j0) { \
    const T *a = (const T *)pa, *b = (const T *)pb;                           \
    T *c = (T *)pc;                                                           \
    int64_t r, j, k;                                                          \
    (void)epi;                                                                \
    for (r = 0; r < rows; ++r)                                                \
      for (j = 0; j < cols; ++j) {                                            \
        T sum = 0;                                                            \
        for (k = 0; k < kc; ++k)                                              \
          sum += a[k * kBlocks[0] + r] * b[k * ldb + j];                      \
        T *to = c + r * ldc + j;                                              \
        *to = (mode & 1) ? *to + sum : sum;                                   \
        if (mode & 2)                                                         \
          *to = *to * (T)0.5 + (T)(i0 + r + j0 + j);                          \
      }                                                                       \
  }
TILE(double, tileF64)
TILE(float, tileF32)

static const kt_mm_tile kTileF64 = {tileF64, KILN_TENSOR_F64, kBlocks};
static const kt_mm_tile kTileF32 = {tileF32, KILN_TENSOR_F32, kBlocks};

typedef struct Case {
  const char *name;
  int dtype, rank; /* rank of c; a and b are given as shapes below */
  int64_t a[3], b[3], c[3];
  int ar, br, transposeA;
} Case;

static int64_t count(const int64_t *shape, int rank) {
  int64_t n = 1;
  int d;
  for (d = 0; d < rank; ++d)
    n *= shape[d];
  return n;
}

/* A contiguous view; transposed swaps the last two dimensions of the
 * view over the same memory. */
static kiln_tensor_array view(void *data, int dtype, const int64_t *shape,
                              int rank, int transposed) {
  kiln_tensor_array v;
  int64_t stride = 1;
  int d;
  memset(&v, 0, sizeof v);
  v.data = data, v.dtype = dtype, v.rank = rank;
  for (d = rank; d-- > 0;)
    v.shape[d] = shape[d], v.strides[d] = stride, stride *= shape[d];
  if (transposed) {
    int64_t s = v.shape[rank - 1], t = v.strides[rank - 1];
    v.shape[rank - 1] = v.shape[rank - 2], v.strides[rank - 1] = v.strides[rank - 2];
    v.shape[rank - 2] = s, v.strides[rank - 2] = t;
  }
  return v;
}

static double at(const kiln_tensor_array *v, int64_t batch, int64_t i,
                 int64_t j) {
  int64_t off = i * v->strides[v->rank - 2] + j * v->strides[v->rank - 1];
  if (v->rank == 3 && v->shape[0] != 1)
    off += batch * v->strides[0];
  return v->dtype == KILN_TENSOR_F64 ? ((const double *)v->data)[off]
                                     : ((const float *)v->data)[off];
}

/* c against plain loops with the same epilogue. */
static int checkProduct(const Case *k, const kiln_tensor_array *a,
                        const kiln_tensor_array *b, const void *c) {
  int64_t batches = k->rank == 3 ? k->c[0] : 1, m = k->c[k->rank - 2],
          n = k->c[k->rank - 1], kk = a->shape[a->rank - 1], bt, i, j, p;
  for (bt = 0; bt < batches; ++bt)
    for (i = 0; i < m; ++i)
      for (j = 0; j < n; ++j) {
        double want = 0, got;
        int64_t idx = (bt * m + i) * n + j;
        for (p = 0; p < kk; ++p)
          want += at(a, bt, i, p) * at(b, bt, p, j);
        want = want * 0.5 + (double)(i + j);
        got = k->dtype == KILN_TENSOR_F64 ? ((const double *)c)[idx]
                                          : ((const float *)c)[idx];
        if (fabs(got - want) > 1e-3 * (1 + fabs(want))) {
          printf("%s: c[%lld] = %g, want %g\n", k->name, (long long)idx, got,
                 want);
          return 1;
        }
      }
  return 0;
}

static void *randomData(int dtype, int64_t n) {
  size_t size = dtype == KILN_TENSOR_F64 ? 8 : 4;
  char *p = (char *)malloc((size_t)n * size + 8);
  int64_t i;
  for (i = 0; i < n; ++i) {
    double x = (double)(rand() % 2001 - 1000) / 997.0;
    if (dtype == KILN_TENSOR_F64)
      ((double *)p)[i] = x;
    else
      ((float *)p)[i] = (float)x;
  }
  return p;
}

static int runCase(const Case *k) {
  const int threads[] = {2, 3, 8};
  size_t size = k->dtype == KILN_TENSOR_F64 ? 8 : 4;
  int64_t nc = count(k->c, k->rank);
  void *ad = randomData(k->dtype, count(k->a, k->ar));
  void *bd = randomData(k->dtype, count(k->b, k->br));
  void *one = calloc((size_t)nc + 1, size), *many = calloc((size_t)nc + 1, size);
  kiln_tensor_array a = view(ad, k->dtype, k->a, k->ar, k->transposeA);
  kiln_tensor_array b = view(bd, k->dtype, k->b, k->br, 0);
  kiln_tensor_array c1 = view(one, k->dtype, k->c, k->rank, 0);
  kiln_tensor_array cn = view(many, k->dtype, k->c, k->rank, 0);
  kt_gemm_call g = {k->dtype == KILN_TENSOR_F64 ? &kTileF64 : &kTileF32,
                    &a, &b, &c1, 0, NULL, NULL};
  int bad = kt_gemm_run_threads(&g, 1) != 0 || checkProduct(k, &a, &b, one);
  size_t i;
  g.c = &cn;
  for (i = 0; !bad && i < sizeof threads / sizeof *threads; ++i) {
    memset(many, 0xff, (size_t)nc * size); /* every element must be written */
    bad = kt_gemm_run_threads(&g, threads[i]) != 0 ||
          memcmp(one, many, (size_t)nc * size) != 0;
    if (bad)
      printf("%s: %d threads differ from 1\n", k->name, threads[i]);
  }
  free(ad), free(bd), free(one), free(many);
  return bad;
}

/* The kept packing buffers: a buffer given back is taken again by the
 * next call that fits in it (no allocation, no page faults), the smallest
 * that fits first, 64-byte aligned. */
static int checkScratch(void) {
  char *p = (char *)kt_scratch_take(4096), *q = (char *)kt_scratch_take(1 << 20);
  int bad = !p || !q || (size_t)p % 64 != 0 || (size_t)q % 64 != 0;
  if (p && q)
    memset(p, 1, 4096), memset(q, 1, 1 << 20);
  kt_scratch_give(q, 1 << 20);
  kt_scratch_give(p, 4096);
  bad |= kt_scratch_take(1000) != p;      /* the smaller one fits */
  bad |= kt_scratch_take(8192) != q;      /* only the larger one fits */
  kt_scratch_give(p, 4096);
  kt_scratch_give(q, 1 << 20);
  if (bad)
    printf("kept packing buffers: not reused as expected\n");
  return bad;
}

/* A kept buffer taken by a smaller request and given back with that size
 * must still be known at its real size: it was kept as a 4 KiB one, so the
 * 64 MiB bound counted 4 KiB for 40 MiB and a later large take allocated
 * again (16 slots could hold 16 x 64 MiB). A give above the bound is not
 * kept, and a take that cannot be allocated is NULL. */
static int checkScratchSizes(void) {
  const size_t big = (size_t)40 << 20, huge = (size_t)65 << 20;
  char *p = (char *)kt_scratch_take(big), *q, *r, *h;
  int bad = !p;
  kt_scratch_give(p, big);
  q = (char *)kt_scratch_take(2 << 20); /* only p fits */
  bad |= q != p;
  kt_scratch_give(q, 2 << 20);
  r = (char *)kt_scratch_take(big);
  bad |= r != p;
  kt_scratch_give(r, big);
  h = (char *)kt_scratch_take(huge);
  bad |= !h || h == p;
  kt_scratch_give(h, huge); /* freed, not kept: p is still the one kept */
  bad |= (q = (char *)kt_scratch_take(big)) != p;
  kt_scratch_give(q, big);
  /* a size no allocation can have (nor its header: no wrap to a small one) */
  bad |= kt_scratch_take((size_t)-1 - 8) != NULL;
  if (bad)
    printf("kept packing buffers: a buffer's size was forgotten\n");
  return bad;
}

/* One product several callers run at once: its inputs and the result of
 * one thread, which every caller's result must equal. */
typedef struct Shared {
  const Case *k;
  kiln_tensor_array a, b;
  void *want;
  size_t bytes;
} Shared;

enum { kCallers = 4, kRounds = 6, kShared = 3 };
static Shared shared[kShared];
static int callerBad[kCallers];

/* Runs every shared product kRounds times on 1-3 threads, in an order that
 * differs per caller, so that kept buffers of every size pass between
 * callers (f32 and f64, large and tiny). */
static void *caller(void *arg) {
  int id = (int)(size_t)arg, r, j;
  for (r = 0; r < kRounds; ++r)
    for (j = 0; j < kShared; ++j) {
      const Shared *s = &shared[(j + id) % kShared];
      void *out = malloc(s->bytes + 8);
      kiln_tensor_array c = view(out, s->k->dtype, s->k->c, s->k->rank, 0);
      kt_gemm_call g = {s->k->dtype == KILN_TENSOR_F64 ? &kTileF64 : &kTileF32,
                        &s->a, &s->b, &c, 0, NULL, NULL};
      memset(out, 0xff, s->bytes);
      if (kt_gemm_run_threads(&g, 1 + (r + id) % 3) != 0 ||
          memcmp(out, s->want, s->bytes) != 0)
        callerBad[id] = 1;
      free(out);
    }
  return NULL;
}

/* Concurrent callers of one driver (a library called from many threads)
 * get the single-thread result bit for bit while they share the kept
 * buffers. */
static int checkConcurrentCallers(const Case *cases) {
  const int pick[kShared] = {1, 0, 6}; /* f32, f64, tiny */
  pthread_t threads[kCallers];
  int i, bad = 0;
  for (i = 0; i < kShared; ++i) {
    Shared *s = &shared[i];
    const Case *k = &cases[pick[i]];
    kt_gemm_call g = {k->dtype == KILN_TENSOR_F64 ? &kTileF64 : &kTileF32,
                      &s->a, &s->b, NULL, 0, NULL, NULL};
    kiln_tensor_array c;
    s->k = k;
    s->bytes = (size_t)count(k->c, k->rank) *
               (k->dtype == KILN_TENSOR_F64 ? 8 : 4);
    s->a = view(randomData(k->dtype, count(k->a, k->ar)), k->dtype, k->a,
                k->ar, k->transposeA);
    s->b = view(randomData(k->dtype, count(k->b, k->br)), k->dtype, k->b,
                k->br, 0);
    s->want = malloc(s->bytes + 8);
    c = view(s->want, k->dtype, k->c, k->rank, 0);
    g.c = &c;
    bad |= kt_gemm_run_threads(&g, 1) != 0;
  }
  for (i = 0; i < kCallers; ++i)
    bad |= pthread_create(&threads[i], NULL, caller, (void *)(size_t)i) != 0;
  for (i = 0; i < kCallers; ++i)
    pthread_join(threads[i], NULL), bad |= callerBad[i];
  for (i = 0; i < kShared; ++i)
    free(shared[i].a.data), free(shared[i].b.data), free(shared[i].want);
  if (bad)
    printf("concurrent callers: a result differs from one thread's\n");
  return bad;
}

int main(void) {
  /* Each case is at least 2^23 flops (the threshold for threads this test
   * builds the driver with, KT_PARALLEL_FLOPS, so that the cases stay small
   * under ThreadSanitizer) but the last, which stays on the calling thread. */
  static const Case cases[] = {
      {"square f64", KILN_TENSOR_F64, 2, {200, 120}, {120, 190}, {200, 190}, 2, 2, 0},
      {"square f32", KILN_TENSOR_F32, 2, {200, 120}, {120, 190}, {200, 190}, 2, 2, 0},
      {"tall (row cut)", KILN_TENSOR_F64, 2, {2000, 64}, {64, 40}, {2000, 40}, 2, 2, 0},
      {"wide (column cut)", KILN_TENSOR_F64, 2, {40, 64}, {64, 2000}, {40, 2000}, 2, 2, 0},
      {"batched, broadcast b", KILN_TENSOR_F64, 3, {3, 130, 70}, {1, 70, 150}, {3, 130, 150}, 3, 3, 0},
      {"transposed a", KILN_TENSOR_F32, 2, {90, 210}, {90, 230}, {210, 230}, 2, 2, 1},
      {"tiny", KILN_TENSOR_F64, 2, {5, 3}, {3, 4}, {5, 4}, 2, 2, 0},
  };
  int failed = 0;
  size_t i;
  srand(7);
  failed += checkScratch();
  failed += checkScratchSizes();
  for (i = 0; i < sizeof cases / sizeof *cases; ++i)
    failed += runCase(&cases[i]);
  failed += checkConcurrentCallers(cases);
  printf("%d of %d cases failed\n", failed, (int)(sizeof cases / sizeof *cases));
  return failed != 0;
}
