/* AotMatmulGemm: the single-threaded GEMM driver of AOT libraries — the
 * JIT's GotoBLAS loop nest (engine/GemmDriver.cpp) in C: KC x NC blocks of
 * B and MC x KC blocks of A packed into NR/MR panels (any strides), every
 * MR x NR tile one call of the generated tile function, batches one after
 * another. Each output element is summed in the JIT's order, so the
 * library's results equal the JIT's bit for bit. */
#include "AotMatmulGemm.h"

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

/* C = epilogue(A @ B) for one matrix; pa, pb the packing buffers. */
static void matrix(const kt_mm_tile *t, const Matrix *x, const int64_t *epi,
                   char *pa, char *pb) {
  int64_t jc, pc, ic;
  for (jc = 0; jc < x->n; jc += NC(t)) {
    int64_t nc = min64(NC(t), x->n - jc);
    for (pc = 0; pc == 0 || pc < x->k; pc += KC(t)) {
      int64_t kc = min64(KC(t), x->k - pc);
      int64_t mode = (pc ? 1 : 0) | (pc + kc >= x->k ? 2 : 0);
      packBoth(t, x, 1, jc, pc, nc, kc, pb);
      for (ic = 0; ic < x->m; ic += MC(t)) {
        int64_t mc = min64(MC(t), x->m - ic);
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

int kt_gemm_run(const kt_gemm_call *g) {
  const kt_mm_tile *t = g->tile;
  int64_t batches = 1, batch, size = sizeOf(t->dtype), words[3 * 64 + 1];
  int r = g->c->rank, d;
  void *pa = NULL, *pb = NULL;
  Matrix x;
  for (d = 0; d < r - 2; ++d)
    batches *= g->c->shape[d];
  batchMatrix(g, 0, &x);
  if (batches == 0 || x.m == 0 || x.n == 0)
    return 0;
  {
    int64_t kc = min64(KC(t), x.k > 1 ? x.k : 1);
    size_t na = (size_t)(kc * up(min64(MC(t), x.m), MR(t)) * size + 64);
    size_t nb = (size_t)(kc * up(min64(NC(t), x.n), NR(t)) * size + 64);
    if (posix_memalign(&pa, 64, na) || posix_memalign(&pb, 64, nb)) {
      free(pa);
      return -1;
    }
  }
  for (batch = 0; batch < batches; ++batch) {
    batchMatrix(g, batch, &x);
    epilogueWords(g, batch, words);
    matrix(t, &x, words, pa, pb);
  }
  free(pa);
  free(pb);
  return 0;
}
