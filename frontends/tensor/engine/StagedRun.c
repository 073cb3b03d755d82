/* StagedRun: executes an axis-reduction plan (StagedAbi.h) — per reduction
 * pass a temporary filled row by row, or by cache-sized tiles of slices,
 * then the result pass over the arguments and temporaries.
 *
 * Plain C shared by the JIT and AOT libraries (like Driver.c, which runs
 * every single kernel call here). Work goes to the pool in pieces fixed by
 * the shapes alone: a row is reduced by one driver call whatever the thread
 * count (the driver's chunks make that call's result independent of its
 * own threads), and a tile accumulates its slices in axis order, so every
 * thread count gives bit-identical results. */
#include "StagedAbi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Tiles of the slice path hold this many accumulator bytes (L2: a tile is
 * read and written once per slice while the slices stream past). */
#define KT_TILE_BYTES 65536

static int sizeOf(int t) { return t == 0 ? 1 : t == 1 || t == 3 ? 4 : 8; }

/* A pass's source broadcast to the pass's shape: an array's base, element
 * size and strides (0 where it broadcasts), or a scalar's bits (size 0). */
typedef struct Src {
  char *data;
  int size;
  int64_t str[4];
  int64_t bits;
} Src;

/* One pass resolved for a call: the broadcast shape of its array sources
 * (the reduction's argument, or the result) and where each source is. */
typedef struct Pass {
  const kt_staged_pass *p;
  int rank, axis, n;
  int nred, red[4];         /* the reduced dimensions, ascending */
  unsigned char reduced[4]; /* per dimension: reduced */
  int64_t shape[4];
  Src *src;
  kt_view *dst; /* the temporary (reduction passes) */
} Pass;

typedef struct Call {
  const kt_view *args;
  const int64_t *scalars;
  kt_view *temps;
  const kt_parallel *par;
  int rc;
  const kt_kernel_fns *failed;
} Call;

static void setFailed(Call *c, int rc, const kt_kernel_fns *fns) {
  __atomic_store_n(&c->failed, fns, __ATOMIC_RELAXED);
  __atomic_store_n(&c->rc, rc, __ATOMIC_RELAXED);
}

static const kt_view *viewOf(const Call *c, int source) {
  return source >= KT_FROM_TEMP ? &c->temps[source - KT_FROM_TEMP]
                                : &c->args[source];
}

/* Fills ps->shape/rank with the broadcast of the array sources and
 * ps->src; 0 when memory runs out. */
static int resolve(Pass *ps, const Call *c, const kt_staged_pass *p) {
  int k, d;
  ps->p = p;
  ps->n = p->nsources;
  ps->rank = 0;
  ps->src = (Src *)calloc((size_t)(p->nsources ? p->nsources : 1), sizeof(Src));
  if (!ps->src)
    return 0;
  for (d = 0; d < 4; ++d)
    ps->shape[d] = 1;
  for (k = 0; k < p->nsources; ++k)
    if (p->kernel->elemSize[k] && viewOf(c, p->sources[k])->rank > ps->rank)
      ps->rank = viewOf(c, p->sources[k])->rank;
  for (k = 0; k < p->nsources; ++k) {
    const kt_view *v = viewOf(c, p->sources[k]);
    Src *s = &ps->src[k];
    if (!p->kernel->elemSize[k]) {
      s->bits = c->scalars[p->sources[k]];
      continue;
    }
    s->data = (char *)v->data;
    s->size = sizeOf(v->dtype);
    for (d = 0; d < v->rank; ++d) {
      int to = ps->rank - v->rank + d;
      if (v->shape[d] != 1)
        ps->shape[to] = v->shape[d];
      s->str[to] = v->shape[d] == 1 ? 0 : v->strides[d];
    }
  }
  return 1;
}

/* The reduced dimensions of pass ps (its axes, normalised). */
static void reducedDims(Pass *ps) {
  int a, d;
  memset(ps->reduced, 0, sizeof ps->reduced);
  for (a = 0; a < ps->p->naxes; ++a) {
    int axis = ps->p->axes[a];
    ps->reduced[axis < 0 ? axis + ps->rank : axis] = 1;
  }
  ps->nred = 0;
  for (d = 0; d < ps->rank; ++d)
    if (ps->reduced[d])
      ps->red[ps->nred++] = d;
  ps->axis = ps->red[0];
}

/* The temporary of reduction pass ps: the argument's shape without the
 * reduced axes (kept as 1 with keepdims), contiguous; 0 when memory runs
 * out. */
static int makeTemp(Pass *ps, kt_view *t) {
  int d, r = 0;
  int64_t n = 1;
  reducedDims(ps);
  memset(t, 0, sizeof *t);
  t->dtype = ps->p->dtype;
  for (d = 0; d < ps->rank; ++d)
    if (!ps->reduced[d] || ps->p->keepdims)
      t->shape[r++] = ps->reduced[d] ? 1 : ps->shape[d];
  t->rank = r;
  for (d = r - 1; d >= 0; --d)
    t->strides[d] = n, n *= t->shape[d];
  t->data = malloc((size_t)(n ? n : 1) * (size_t)sizeOf(t->dtype));
  ps->dst = t;
  return t->data != NULL;
}

/* ---- argmax/argmin: NumPy's first largest (smallest) or first NaN. */

#define ARG_BEST(NAME, T, AT)                                                  \
  static int64_t NAME(const T *x, int64_t n, int isMax) {                      \
    int64_t best = 0, i;                                                       \
    for (i = 0; i < n; ++i) {                                                  \
      T v = AT(x[i]), b = AT(x[best]);                                         \
      if (v != v)                                                              \
        return i;                                                              \
      if (isMax ? v > b : v < b)                                               \
        best = i;                                                              \
    }                                                                          \
    return best;                                                               \
  }
#define AS_IS(v) (v)
#define TRUTH(v) ((unsigned char)((v) != 0))
ARG_BEST(bestBool, unsigned char, TRUTH)
ARG_BEST(bestI32, int32_t, AS_IS)
ARG_BEST(bestI64, int64_t, AS_IS)
ARG_BEST(bestF32, float, AS_IS)
ARG_BEST(bestF64, double, AS_IS)

static int64_t argBest(int t, const void *x, int64_t n, int isMax) {
  switch (t) {
  case 0: return bestBool((const unsigned char *)x, n, isMax);
  case 1: return bestI32((const int32_t *)x, n, isMax);
  case 2: return bestI64((const int64_t *)x, n, isMax);
  case 3: return bestF32((const float *)x, n, isMax);
  default: return bestF64((const double *)x, n, isMax);
  }
}

/* ---- Rows: one driver call per row along the axis. */

typedef struct RowJob {
  Call *c;
  const Pass *ps;
  const kt_kernel_fns *fns; /* kernel, or rowKernel when `scalars` */
  int scalars, contiguous, isArg;
  int64_t len, rows, perTask;
  const kt_parallel *inner; /* each row's pool: null when rows are split */
} RowJob;

/* The offset (elements) of row i's first element in source s. */
static int64_t rowOffset(const Pass *ps, const Src *s, int64_t i) {
  int64_t off = 0;
  int d;
  for (d = ps->rank - 1; d >= 0; --d)
    if (!ps->reduced[d]) {
      off += (i % ps->shape[d]) * s->str[d];
      i /= ps->shape[d];
    }
  return off;
}

static int runRow(const RowJob *j, int64_t i, int64_t *ctx, char *buf) {
  const Pass *ps = j->ps;
  int64_t *slot;
  unsigned char bytes[8] = {0};
  int k, rc;
  int d, pad = 4 - ps->nred;
  memset(ctx, 0, (size_t)KT_CTX_WORDS(ps->n + 1) * sizeof *ctx);
  for (d = 0; d < 4; ++d) /* the row: the reduced dimensions */
    ctx[KT_CTX_SHAPE + d] = d < pad ? 1 : ps->shape[ps->red[d - pad]];
  for (k = 0; k < ps->n; ++k) {
    const Src *s = &ps->src[k];
    char *at = s->data + rowOffset(ps, s, i) * s->size;
    slot = ctx + KT_CTX_SLOTS + k * KT_SLOT_WORDS;
    if (!s->size)
      slot[KT_SLOT_SCALAR] = s->bits;
    else if (j->scalars && ps->p->asScalar[k])
      memcpy(&slot[KT_SLOT_SCALAR], at, (size_t)s->size);
    else {
      slot[KT_SLOT_DATA] = (int64_t)(intptr_t)at;
      for (d = pad; d < 4; ++d)
        slot[KT_SLOT_STRIDES + d] = s->str[ps->red[d - pad]];
    }
  }
  slot = ctx + KT_CTX_SLOTS + ps->n * KT_SLOT_WORDS;
  slot[KT_SLOT_DATA] = (int64_t)(intptr_t)buf;
  slot[KT_SLOT_STRIDES + 3] = buf ? 1 : 0;
  rc = j->contiguous ? kt_execute_contiguous(j->fns, ctx, j->len, bytes, j->inner)
                     : kt_execute(j->fns, ctx, bytes, j->inner);
  if (rc)
    return rc;
  char *dst = (char *)ps->dst->data + i * sizeOf(ps->dst->dtype);
  if (j->isArg) {
    int64_t best = argBest(ps->p->argDtype, buf, j->len,
                           ps->p->op == KT_OP_ARGMAX);
    memcpy(dst, &best, sizeof best);
  } else
    memcpy(dst, bytes, (size_t)sizeOf(ps->dst->dtype));
  return 0;
}

static void rowTask(void *arg, int64_t t) {
  const RowJob *j = (const RowJob *)arg;
  int64_t i = t * j->perTask, end = i + j->perTask;
  int64_t *ctx = (int64_t *)malloc((size_t)KT_CTX_WORDS(j->ps->n + 1) * 8);
  char *buf = j->isArg ? (char *)malloc((size_t)j->len * 8 + 8) : NULL;
  int rc = 0;
  if (!ctx || (j->isArg && !buf))
    rc = 2;
  for (end = end < j->rows ? end : j->rows; !rc && i < end; ++i)
    rc = runRow(j, i, ctx, buf);
  if (rc)
    setFailed(j->c, rc, j->fns);
  free(ctx);
  free(buf);
}

/* Whether the row-constant sources can be scalars in this call (stride 0
 * along the reduced axes, or rows of at most one element). */
static int rowScalars(const Pass *ps, int64_t len) {
  int k, a;
  if (!ps->p->rowKernel)
    return 0;
  for (k = 0; k < ps->n; ++k)
    for (a = 0; a < ps->nred; ++a)
      if (ps->p->asScalar[k] && ps->src[k].str[ps->red[a]] != 0 && len > 1)
        return 0;
  return 1;
}

static int contiguousRows(const RowJob *j) {
  int k;
  if (j->ps->nred > 1)
    return 0; /* the driver coalesces what it can */
  for (k = 0; k < j->ps->n; ++k) {
    const Src *s = &j->ps->src[k];
    if (s->size && !(j->scalars && j->ps->p->asScalar[k]) &&
        s->str[j->ps->axis] != 1 && j->len > 1)
      return 0;
  }
  return 1;
}

static void runRows(Call *c, const Pass *ps, int64_t rows) {
  const kt_parallel *par = c->par;
  unsigned threads = par && par->run ? par->threads : 1;
  RowJob j;
  int64_t t, tasks;
  memset(&j, 0, sizeof j);
  j.c = c;
  j.ps = ps;
  for (j.len = 1, t = 0; t < ps->nred; ++t)
    j.len *= ps->shape[ps->red[t]];
  j.rows = rows;
  j.isArg = ps->p->op == KT_OP_ARGMAX || ps->p->op == KT_OP_ARGMIN;
  j.scalars = !j.isArg && rowScalars(ps, j.len);
  j.fns = j.scalars ? ps->p->rowKernel : ps->p->kernel;
  j.contiguous = contiguousRows(&j);
  j.perTask = 2 * KT_REDUCE_CHUNK / (j.len > 0 ? j.len : 1);
  j.perTask = j.perTask > 0 ? j.perTask : 1;
  tasks = (rows + j.perTask - 1) / j.perTask;
  if (threads > 1 && tasks >= threads && rows * j.len >= par->threshold) {
    par->run(par->pool, tasks, rowTask, &j);
    return;
  }
  j.inner = par; /* few rows: each long row may use the pool itself */
  for (t = 0; t < tasks && !c->rc; ++t)
    rowTask(&j, t);
}

/* ---- Slices: acc = acc OP arg per position along the axis, by tiles. */

/* The identity of `op` in dtype t at p (min: +inf, INT_MAX, true). */
static void identity(char *p, int t, int op) {
  int isMin = op == KT_OP_MIN, extreme = isMin || op == KT_OP_MAX;
  double f = extreme ? (isMin ? INFINITY : -INFINITY) : op == KT_OP_PROD;
  int64_t i = op == KT_OP_PROD;
  float f32 = (float)f;
  int32_t i32 = extreme ? (isMin ? INT32_MAX : INT32_MIN) : (int32_t)i;
  if (extreme)
    i = isMin ? INT64_MAX : INT64_MIN;
  switch (t) {
  case 0: *(unsigned char *)p = (unsigned char)(extreme ? isMin : 0); break;
  case 1: memcpy(p, &i32, 4); break;
  case 2: memcpy(p, &i, 8); break;
  case 3: memcpy(p, &f32, 4); break;
  default: memcpy(p, &f, 8); break;
  }
}

/* Whether slices beat rows: fewer calls of ~100 elements' overhead each,
 * strided elements counted 4 times. */
static int preferSlices(const Pass *ps, int64_t rows) {
  double call = 100, len = (double)ps->shape[ps->axis];
  int last = ps->axis + 1 == ps->rank;
  if (!ps->p->columnKernel || ps->rank < 2 || ps->nred != 1)
    return 0;
  return len * (call + (double)rows * (last ? 4 : 1)) <
         (double)rows * (call + len * (last ? 1 : 4));
}

typedef struct TileJob {
  Call *c;
  const Pass *ps;
  int m;                 /* rank of the slices */
  int64_t rest[3], accStr[3], str[64][3], step[64];
  int64_t h, w, tilesW;  /* tile extent along rest[0] and rest[m-1] */
  int64_t tile;          /* KT_TILE_BYTES in elements */
  int flat; /* every array source is laid out as the accumulator */
} TileJob;

/* Fills slot s of ctx with `data` walking the tile's dims `shape` with
 * strides `str` (right-aligned; 0 where a dim is 1). */
static void tileSlot(int64_t *ctx, int s, const TileJob *j, char *data,
                     const int64_t *str, const int64_t *shape) {
  int64_t *slot = ctx + KT_CTX_SLOTS + s * KT_SLOT_WORDS;
  int d;
  slot[KT_SLOT_DATA] = (int64_t)(intptr_t)data;
  for (d = 0; d < j->m; ++d)
    slot[KT_SLOT_STRIDES + 4 - j->m + d] = shape[d] == 1 ? 0 : str[d];
}

/* mean's acc / n over the tile at acc (a `shape` box). */
static int scaleTile(const TileJob *j, char *acc, const int64_t *shape,
                     int64_t *ctx) {
  const kt_staged_pass *p = j->ps->p;
  double n = (double)j->ps->shape[j->ps->axis];
  float n32 = (float)n;
  unsigned char bytes[8];
  int d;
  int64_t *word = &ctx[KT_CTX_SLOTS + KT_SLOT_WORDS + KT_SLOT_SCALAR];
  memset(ctx, 0, (size_t)KT_CTX_WORDS(3) * sizeof *ctx);
  for (d = 0; d < 4; ++d)
    ctx[KT_CTX_SHAPE + d] = d < 4 - j->m ? 1 : shape[d - (4 - j->m)];
  tileSlot(ctx, 0, j, acc, j->accStr, shape);
  tileSlot(ctx, 2, j, acc, j->accStr, shape);
  if (p->dtype == 3)
    memcpy(word, &n32, 4);
  else
    memcpy(word, &n, 8);
  return kt_execute(p->scaleKernel, ctx, bytes, NULL);
}

/* A tile whose accumulator and sources are all contiguous alike: the
 * driver's contiguous entry per slice (data words only). */
static int runFlatTile(const TileJob *j, char *acc, const int64_t *start,
                       const int64_t *shape, int64_t *ctx) {
  const Pass *ps = j->ps;
  int64_t n = 1, pos;
  int d, k, rc;
  unsigned char bytes[8];
  for (d = 0; d < j->m; ++d)
    n *= shape[d];
  for (pos = 0; pos < ps->shape[ps->axis]; ++pos) {
    ctx[KT_CTX_SLOTS + KT_SLOT_DATA] = (int64_t)(intptr_t)acc;
    ctx[KT_CTX_SLOTS + (ps->n + 1) * KT_SLOT_WORDS + KT_SLOT_DATA] =
        (int64_t)(intptr_t)acc;
    for (k = 0; k < ps->n; ++k) {
      const Src *s = &ps->src[k];
      int64_t *slot = ctx + KT_CTX_SLOTS + (k + 1) * KT_SLOT_WORDS;
      if (!s->size)
        slot[KT_SLOT_SCALAR] = s->bits;
      else
        slot[KT_SLOT_DATA] = (int64_t)(intptr_t)(
            s->data + (start[k] + pos * j->step[k]) * s->size);
    }
    rc = kt_execute_contiguous(ps->p->columnKernel, ctx, n, bytes, NULL);
    if (rc)
      return rc;
  }
  return ps->p->scaleKernel ? scaleTile(j, acc, shape, ctx) : 0;
}

static int runTile(const TileJob *j, int64_t t, int64_t *ctx) {
  const Pass *ps = j->ps;
  const kt_staged_pass *p = ps->p;
  int64_t shape[3], lo0 = 0, loW, pos, start[65], words = KT_CTX_WORDS(ps->n + 2);
  int d, k, rc;
  unsigned char bytes[8];
  memcpy(shape, j->rest, sizeof shape);
  loW = (t % j->tilesW) * j->w;
  shape[j->m - 1] = j->rest[j->m - 1] - loW < j->w ? j->rest[j->m - 1] - loW : j->w;
  if (j->m > 1) {
    lo0 = (t / j->tilesW) * j->h;
    shape[0] = j->rest[0] - lo0 < j->h ? j->rest[0] - lo0 : j->h;
  }
  for (k = 0; k <= ps->n; ++k) { /* k == n: the accumulator */
    const int64_t *st = k < ps->n ? j->str[k] : j->accStr;
    start[k] = loW * st[j->m - 1] + (j->m > 1 ? lo0 * st[0] : 0);
  }
  char *acc = (char *)ps->dst->data + start[ps->n] * sizeOf(p->dtype);
  if (j->flat && (j->m == 1 || shape[j->m - 1] == j->rest[j->m - 1]))
    return runFlatTile(j, acc, start, shape, ctx);
  for (pos = 0; pos < ps->shape[ps->axis]; ++pos) {
    memset(ctx, 0, (size_t)words * sizeof *ctx);
    for (d = 0; d < 4; ++d)
      ctx[KT_CTX_SHAPE + d] = d < 4 - j->m ? 1 : shape[d - (4 - j->m)];
    tileSlot(ctx, 0, j, acc, j->accStr, shape);
    tileSlot(ctx, ps->n + 1, j, acc, j->accStr, shape);
    for (k = 0; k < ps->n; ++k) {
      const Src *s = &ps->src[k];
      if (!s->size)
        ctx[KT_CTX_SLOTS + (k + 1) * KT_SLOT_WORDS + KT_SLOT_SCALAR] = s->bits;
      else
        tileSlot(ctx, k + 1, j, s->data + (start[k] + pos * j->step[k]) * s->size,
                 j->str[k], shape);
    }
    if ((rc = kt_execute(p->columnKernel, ctx, bytes, NULL)) != 0)
      return rc;
  }
  return p->scaleKernel ? scaleTile(j, acc, shape, ctx) : 0;
}

static void tileTask(void *arg, int64_t t) {
  const TileJob *j = (const TileJob *)arg;
  int64_t *ctx = (int64_t *)malloc((size_t)KT_CTX_WORDS(j->ps->n + 2) * 8);
  int rc = ctx ? runTile(j, t, ctx) : 2;
  if (rc)
    setFailed(j->c, rc, rc == 3 ? j->ps->p->columnKernel : NULL);
  free(ctx);
}

/* The tiles: at most j->tile accumulator elements, cut along the last
 * slice dimension and then the first. */
static int64_t planTiles(TileJob *j) {
  int64_t mid = 1, w = j->rest[j->m - 1], tiles0 = 1, d;
  for (d = 1; d + 1 < j->m; ++d)
    mid *= j->rest[d];
  j->w = w > j->tile ? j->tile : w;
  j->tilesW = (w + j->w - 1) / j->w;
  if (j->m > 1) {
    j->h = j->tile / (j->w * mid);
    j->h = j->h < 1 ? 1 : j->h > j->rest[0] ? j->rest[0] : j->h;
    tiles0 = (j->rest[0] + j->h - 1) / j->h;
  }
  return tiles0 * j->tilesW;
}

static int runSlices(Call *c, const Pass *ps, int64_t count) {
  const kt_parallel *par = c->par;
  TileJob *j = (TileJob *)calloc(1, sizeof(TileJob));
  int64_t i, t, tiles, size = sizeOf(ps->p->dtype);
  int d, k, r;
  if (!j)
    return 2;
  j->c = c;
  j->ps = ps;
  identity((char *)ps->dst->data, ps->p->dtype, ps->p->op);
  for (i = 1; i < count; i *= 2) /* doubling copies of the first */
    memcpy((char *)ps->dst->data + i * size, ps->dst->data,
           (size_t)((count - i < i ? count - i : i) * size));
  for (d = 0; d < ps->rank; ++d)
    if (d != ps->axis) {
      for (k = 0; k < ps->n; ++k)
        j->str[k][j->m] = ps->src[k].str[d];
      j->rest[j->m++] = ps->shape[d];
    }
  for (k = 0; k < ps->n; ++k)
    j->step[k] = ps->src[k].str[ps->axis];
  for (r = j->m - 1, i = 1; r >= 0; --r)
    j->accStr[r] = i, i *= j->rest[r];
  j->flat = 1;
  for (k = 0; k < ps->n; ++k)
    for (r = 0; r < j->m; ++r)
      if (ps->src[k].size && j->rest[r] > 1 && j->str[k][r] != j->accStr[r])
        j->flat = 0;
  j->tile = KT_TILE_BYTES / size;
  tiles = planTiles(j);
  if (par && par->run && par->threads > 1 && tiles > 1 &&
      count * ps->shape[ps->axis] >= par->threshold)
    par->run(par->pool, tiles, tileTask, j);
  else
    for (t = 0; t < tiles && !c->rc; ++t)
      tileTask(j, t);
  free(j);
  return 0;
}

/* ---- The plan. */

static int runReduction(Call *c, Pass *ps, kt_view *temp) {
  int64_t count = 1;
  int d;
  if (!makeTemp(ps, temp))
    return 2;
  for (d = 0; d < temp->rank; ++d)
    count *= temp->shape[d];
  if (count == 0)
    return 0;
  if (ps->n <= 63 && preferSlices(ps, count))
    return runSlices(c, ps, count);
  runRows(c, ps, count);
  return 0;
}

static int runFinal(Call *c, Pass *ps, const kt_view *out, void *result) {
  const kt_kernel_fns *k = ps->p->kernel;
  int64_t *ctx = (int64_t *)calloc((size_t)KT_CTX_WORDS(ps->n + 1), 8);
  int d, s, rc;
  if (!ctx)
    return 2;
  for (d = 0; d < 4; ++d)
    ctx[KT_CTX_SHAPE + d] = d < 4 - ps->rank ? 1 : ps->shape[d - 4 + ps->rank];
  for (s = 0; s <= ps->n; ++s) {
    int64_t *slot = ctx + KT_CTX_SLOTS + s * KT_SLOT_WORDS;
    const Src *src = s < ps->n ? &ps->src[s] : NULL;
    if (src && !src->size) {
      slot[KT_SLOT_SCALAR] = src->bits;
      continue;
    }
    if (!src && !out)
      break;
    slot[KT_SLOT_DATA] = (int64_t)(intptr_t)(src ? src->data : out->data);
    for (d = 0; d < ps->rank; ++d) {
      int64_t st = src ? src->str[d]
                       : out->shape[d] == 1 ? 0 : out->strides[d];
      slot[KT_SLOT_STRIDES + 4 - ps->rank + d] = st;
    }
  }
  rc = kt_execute(k, ctx, result, c->par);
  if (rc == 3)
    c->failed = k;
  free(ctx);
  return rc;
}

int kt_staged_run(const kt_staged_plan *plan, const kt_view *args,
                  const int64_t *scalars, const kt_view *out, void *result,
                  const kt_parallel *par, const kt_kernel_fns **failed) {
  Call c = {args, scalars, NULL, par, 0, NULL};
  int i, rc = 0;
  c.temps = (kt_view *)calloc((size_t)plan->npasses, sizeof(kt_view));
  if (!c.temps)
    return 2;
  for (i = 0; i < plan->npasses && !rc; ++i) {
    Pass ps;
    memset(&ps, 0, sizeof ps);
    if (!resolve(&ps, &c, &plan->passes[i]))
      rc = 2;
    else if (i + 1 == plan->npasses)
      rc = runFinal(&c, &ps, plan->resultIsArray ? out : NULL, result);
    else if ((rc = runReduction(&c, &ps, &c.temps[i])) == 0)
      rc = c.rc;
    free(ps.src);
  }
  for (i = 0; i < plan->npasses; ++i)
    free(c.temps[i].data);
  free(c.temps);
  if (rc == 3 && failed)
    *failed = c.failed;
  return rc;
}
