/* AotMatmulGemm: the GEMM driver of AOT libraries — the JIT's GotoBLAS
 * loop nest (engine/GemmDriver.cpp) in C: KC x NC blocks of B and MC x KC
 * blocks of A packed into NR/MR panels (any strides), every MR x NR tile
 * one call of the generated tile function. The work is cut as the JIT
 * cuts it (batches, then row or column blocks, about two tasks per
 * thread) and run on kt_aot_threads() threads (AotThreads.h). Each output
 * element is summed in the JIT's order whatever the cut, so the library's
 * results equal the JIT's, and each other's at any thread count, bit for
 * bit. */
#include "AotMatmulGemm.h"
#include "AotScratch.h"
#include "AotThreads.h"

#include <stdlib.h>
#include <string.h>

#define MR(t) ((t)->blocks[0])
#define NR(t) ((t)->blocks[1])
#define KC(t) ((t)->blocks[2])
#define MC(t) ((t)->blocks[3])
#define NC(t) ((t)->blocks[4])

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t up(int64_t x, int64_t unit) {
  return (x + unit - 1) / unit * unit;
}

/* dst[p*MR*kc + k*MR + r] = A(i0 + p*MR + r, k0 + k), zero past mc rows;
 * dst[p*NR*kc + k*NR + j] = B(k0 + k, j0 + p*NR + j), zero past nc. */
#define KT_PACK(T, SUF)                                                       \
  static void packA##SUF(const T *a, int64_t rs, int64_t cs, int64_t i0,      \
                         int64_t k0, int64_t mc, int64_t kc, int64_t mr,      \
                         T *dst) {                                            \
    int64_t p, r, k;                                                          \
    for (p = 0; p < mc; p += mr, dst += mr * kc) {                            \
      int64_t rows = min64(mr, mc - p);                                       \
      for (r = 0; r < mr; ++r) {                                              \
        const T *src = r < rows ? a + (i0 + p + r) * rs + k0 * cs : 0;        \
        for (k = 0; k < kc; ++k)                                              \
          dst[k * mr + r] = src ? src[k * cs] : (T)0;                         \
      }                                                                       \
    }                                                                         \
  }                                                                           \
  static void packB##SUF(const T *b, int64_t rs, int64_t cs, int64_t k0,      \
                         int64_t j0, int64_t kc, int64_t nc, int64_t nr,      \
                         T *dst) {                                            \
    int64_t p, k, j;                                                          \
    for (p = 0; p < nc; p += nr, dst += nr * kc) {                            \
      int64_t cols = min64(nr, nc - p);                                       \
      for (k = 0; k < kc; ++k) {                                              \
        const T *src = b + (k0 + k) * rs + (j0 + p) * cs;                     \
        T *to = dst + k * nr;                                                 \
        if (cs == 1)                                                          \
          memcpy(to, src, (size_t)cols * sizeof(T));                          \
        else                                                                  \
          for (j = 0; j < cols; ++j)                                          \
            to[j] = src[j * cs];                                              \
        for (j = cols; j < nr; ++j)                                           \
          to[j] = (T)0;                                                       \
      }                                                                       \
    }                                                                         \
  }
KT_PACK(float, F32)
KT_PACK(double, F64)

/* One matrix: rows/columns strides of a, b (elements), c's row stride. */
typedef struct Matrix {
  const char *a, *b;
  char *c;
  int64_t ars, acs, brs, bcs, ldc, m, n, k;
} Matrix;

static void packBoth(const kt_mm_tile *t, const Matrix *x, int which,
                     int64_t i0, int64_t k0, int64_t rows, int64_t kc,
                     void *dst) {
  int f32 = t->dtype == KILN_TENSOR_F32;
  if (which == 0 && f32)
    packAF32((const float *)x->a, x->ars, x->acs, i0, k0, rows, kc, MR(t), dst);
  else if (which == 0)
    packAF64((const double *)x->a, x->ars, x->acs, i0, k0, rows, kc, MR(t),
             dst);
  else if (f32)
    packBF32((const float *)x->b, x->brs, x->bcs, k0, i0, kc, rows, NR(t), dst);
  else
    packBF64((const double *)x->b, x->brs, x->bcs, k0, i0, kc, rows, NR(t),
             dst);
}

static void tiles(const kt_mm_tile *t, const Matrix *x, const char *pa,
                  const char *pb, int64_t ic, int64_t jc, int64_t mc,
                  int64_t nc, int64_t kc, int64_t mode, const int64_t *epi) {
  int64_t size = t->dtype == KILN_TENSOR_F32 ? 4 : 8, ir, jr;
  for (jr = 0; jr < nc; jr += NR(t))
    for (ir = 0; ir < mc; ir += MR(t)) {
      int64_t i = ic + ir, j = jc + jr;
      t->fn(kc, pa + ir * kc * size, pb + jr * kc * size, NR(t),
            x->c + (i * x->ldc + j) * size, x->ldc, min64(MR(t), mc - ir),
            min64(NR(t), nc - jr), mode, epi, i, j);
    }
}

/* C = epilogue(A @ B) on rows [m0, m1) x columns [n0, n1) of one matrix,
 * all of K; pa, pb the packing buffers. */
static void block(const kt_mm_tile *t, const Matrix *x, const int64_t *epi,
                  char *pa, char *pb, const int64_t range[4]) {
  int64_t jc, pc, ic, m1 = range[1], n1 = range[3];
  for (jc = range[2]; jc < n1; jc += NC(t)) {
    int64_t nc = min64(NC(t), n1 - jc);
    for (pc = 0; pc == 0 || pc < x->k; pc += KC(t)) {
      int64_t kc = min64(KC(t), x->k - pc);
      int64_t mode = (pc ? 1 : 0) | (pc + kc >= x->k ? 2 : 0);
      packBoth(t, x, 1, jc, pc, nc, kc, pb);
      for (ic = range[0]; ic < m1; ic += MC(t)) {
        int64_t mc = min64(MC(t), m1 - ic);
        packBoth(t, x, 0, ic, pc, mc, kc, pa);
        tiles(t, x, pa, pb, ic, jc, mc, nc, kc, mode, epi);
      }
    }
  }
}

/* Element offset of batch dimension d's index i in v, v aligned at the
 * right to an output of rank r (0 where v lacks or broadcasts it). */
static int64_t batchStride(const kiln_tensor_array *v, int r, int d) {
  int vd = v->rank - (r - d);
  return vd >= 0 && v->shape[vd] != 1 ? v->strides[vd] : 0;
}

static int64_t sizeOf(int dtype) {
  return dtype == KILN_TENSOR_F32 || dtype == KILN_TENSOR_I32 ? 4
         : dtype == KILN_TENSOR_BOOL                          ? 1
                                                              : 8;
}

/* The epilogue words of one batch (irgen/EmitGemm.h's layout). */
static void epilogueWords(const kt_gemm_call *g, int64_t batch,
                          int64_t *words) {
  int r = g->c->rank, p, d;
  for (p = 0; p < g->nepi; ++p) {
    const kiln_tensor_array *v = g->epiArrays[p];
    int64_t off = 0, index = batch;
    words[3 * p] = g->epiScalars[p], words[3 * p + 1] = 0;
    words[3 * p + 2] = 0;
    if (!v)
      continue;
    for (d = r - 2; d-- > 0;) {
      off += (index % g->c->shape[d]) * batchStride(v, r, d);
      index /= g->c->shape[d];
    }
    words[3 * p] = (int64_t)(intptr_t)((const char *)v->data +
                                       off * sizeOf(v->dtype));
    words[3 * p + 1] = batchStride(v, r, r - 2);
    words[3 * p + 2] = batchStride(v, r, r - 1);
  }
}

/* The first matrix of batch `batch` of a, b and c. */
static void batchMatrix(const kt_gemm_call *g, int64_t batch, Matrix *x) {
  const kiln_tensor_array *a = g->a, *b = g->b, *c = g->c;
  int r = c->rank, d;
  int64_t oa = 0, ob = 0, oc = 0, size = sizeOf(c->dtype);
  for (d = r - 2; d-- > 0;) {
    int64_t i = batch % c->shape[d];
    batch /= c->shape[d];
    oa += i * batchStride(a, r, d), ob += i * batchStride(b, r, d);
    oc += i * c->strides[d];
  }
  x->a = (const char *)a->data + oa * size;
  x->b = (const char *)b->data + ob * size;
  x->c = (char *)c->data + oc * size;
  x->ars = a->strides[a->rank - 2], x->acs = a->strides[a->rank - 1];
  x->brs = b->strides[b->rank - 2], x->bcs = b->strides[b->rank - 1];
  x->ldc = c->strides[r - 2];
  x->m = c->shape[r - 2], x->n = c->shape[r - 1];
  x->k = a->shape[a->rank - 1];
}

/* Below this many flops a product runs on the calling thread: starting
 * a thread costs more than it saves (docs/tensor-matmul.md). Measured on
 * 2 threads (znver5): 256^3 (2^25 flops) 0.95x of one thread, 288^3
 * (2^25.5) 1.06x, 512^3 1.57x. -DKT_PARALLEL_FLOPS=N builds a runtime with
 * another threshold. */
#ifndef KT_PARALLEL_FLOPS
#define KT_PARALLEL_FLOPS (5 << 23)
#endif

/* One product cut into tasks: task = (batch, row block, column block). */
typedef struct Job {
  const kt_gemm_call *g;
  int64_t batches, m, n, k, mChunks, nChunks, mStep, nStep;
  char **scratch; /* per worker: the A panel, then the B panel */
  int64_t aBytes;
  size_t scratchBytes; /* each worker's buffer */
} Job;

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* A block length: len / chunks rounded up to a multiple of unit. */
static int64_t stepOf(int64_t len, int64_t chunks, int64_t unit) {
  int64_t s = (len + chunks - 1) / chunks;
  return s < unit ? unit : up(s, unit);
}

/* engine/GemmDriver.cpp's cutWork: about two tasks per thread, by
 * batches first, then by columns when M <= N (each task packs all of A,
 * the smaller operand), else by rows. */
static void cutWork(Job *job, int threads) {
  const kt_mm_tile *t = job->g->tile;
  double flops = 2.0 * (double)job->m * (double)job->n * (double)job->k;
  int64_t want = threads <= 1 || flops < (1 << 21) ||
                         job->batches >= 2 * (int64_t)threads
                     ? 1
                     : (2 * (int64_t)threads + job->batches - 1) / job->batches;
  int64_t nMax = (job->n + NR(t) - 1) / NR(t), mMax = (job->m + MR(t) - 1) / MR(t);
  if (job->m <= job->n) {
    job->nChunks = clamp64(want, 1, nMax);
    job->mChunks = clamp64((want + job->nChunks - 1) / job->nChunks, 1, mMax);
  } else {
    job->mChunks = clamp64(want, 1, mMax);
    job->nChunks = clamp64((want + job->mChunks - 1) / job->mChunks, 1, nMax);
  }
  job->nStep = stepOf(job->n, job->nChunks, NR(t));
  job->mStep = stepOf(job->m, job->mChunks, MR(t));
}

static void runTask(void *ctx, int worker, int64_t task) {
  const Job *job = (const Job *)ctx;
  int64_t per = job->mChunks * job->nChunks, rest = task % per;
  int64_t range[4], words[3 * 64 + 1];
  Matrix x;
  range[0] = rest / job->nChunks * job->mStep;
  range[1] = min64(job->m, range[0] + job->mStep);
  range[2] = rest % job->nChunks * job->nStep;
  range[3] = min64(job->n, range[2] + job->nStep);
  if (range[0] >= range[1] || range[2] >= range[3])
    return;
  batchMatrix(job->g, task / per, &x);
  epilogueWords(job->g, task / per, words);
  block(job->g->tile, &x, words, job->scratch[worker],
        job->scratch[worker] + job->aBytes, range);
}

/* Gives back the first `workers` packing buffers and the array. */
static void freeScratch(Job *job, int workers) {
  int w;
  for (w = 0; job->scratch && w < workers; ++w)
    kt_scratch_give(job->scratch[w], job->scratchBytes);
  free(job->scratch);
}

/* Packing buffers for `workers` threads, sized for the job's blocks (kept
 * between calls: AotScratch.h); 0, or -1 (all given back) when memory runs
 * out. */
static int allocScratch(Job *job, int workers) {
  const kt_mm_tile *t = job->g->tile;
  int64_t size = sizeOf(t->dtype), kc = min64(KC(t), job->k > 1 ? job->k : 1);
  int64_t rows = min64(MC(t), job->mStep), cols = min64(NC(t), job->nStep);
  size_t bBytes = (size_t)(kc * up(cols, NR(t)) * size + 64);
  int w;
  job->aBytes = up(kc * up(rows, MR(t)) * size + 64, 64);
  job->scratchBytes = (size_t)job->aBytes + bBytes;
  job->scratch = (char **)calloc((size_t)workers, sizeof(char *));
  for (w = 0; job->scratch && w < workers; ++w)
    if (!(job->scratch[w] = (char *)kt_scratch_take(job->scratchBytes)))
      break;
  if (job->scratch && w == workers)
    return 0;
  freeScratch(job, w);
  return -1;
}

int kt_gemm_run_threads(const kt_gemm_call *g, int threads) {
  Job job;
  Matrix x;
  int64_t tasks;
  int d, workers;
  double flops;
  memset(&job, 0, sizeof job);
  job.g = g, job.batches = 1;
  for (d = 0; d < g->c->rank - 2; ++d)
    job.batches *= g->c->shape[d];
  batchMatrix(g, 0, &x);
  job.m = x.m, job.n = x.n, job.k = x.k;
  if (job.batches == 0 || x.m == 0 || x.n == 0)
    return 0;
  flops = 2.0 * (double)job.batches * (double)x.m * (double)x.n * (double)x.k;
  if (flops < KT_PARALLEL_FLOPS || threads < 1)
    threads = 1;
  cutWork(&job, threads);
  tasks = job.batches * job.mChunks * job.nChunks;
  workers = threads < tasks ? threads : (int)tasks;
  if (allocScratch(&job, workers))
    return -1;
  kt_aot_parallel(tasks, workers, runTask, &job);
  freeScratch(&job, workers);
  return 0;
}

int kt_gemm_run(const kt_gemm_call *g) {
  return kt_gemm_run_threads(g, kt_aot_threads());
}
