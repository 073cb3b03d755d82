/* Driver: runs a checked kernel call — coalesces dimensions, picks the flat
 * loop, the row path (the flat loop per row, for broadcasts along the
 * innermost dimension) or the strided loop, splits the work into chunks
 * (threads) and reduces chunk partials in chunk order. Calls whose array
 * operands are all contiguous with the output's shape skip all of that
 * below the thread threshold (kt_execute_contiguous).
 *
 * Plain C shared by the JIT (with the engine's thread pool) and by AOT
 * libraries (single-threaded), so both execute calls identically. */
#include "tensor/irgen/KernelAbi.h"

#include <stdlib.h>
#include <string.h>

static int64_t *slotOf(int64_t *ctx, int s) {
  return ctx + KT_CTX_SLOTS + s * KT_SLOT_WORDS;
}

static int64_t magnitude(int64_t v) { return v < 0 ? -v : v; }

/* The order to walk the dimensions in: an array output's memory order
 * (largest |stride| outermost; stable), so that a transposed or
 * column-major output with operands laid out alike merges into contiguous
 * rows. Elementwise results do not depend on the order; scalar results
 * keep the logical order. */
static void walkOrder(const kt_kernel_fns *k, int64_t *ctx,
                      int order[KT_MAX_DIMS]) {
  const int64_t *st = slotOf(ctx, k->nslots - 1) + KT_SLOT_STRIDES;
  int d, e;
  for (d = 0; d < KT_MAX_DIMS; ++d)
    order[d] = d;
  if (!k->elemSize[k->nslots - 1])
    return;
  for (d = 1; d < KT_MAX_DIMS; ++d)
    for (e = d; e > 0 && magnitude(st[order[e - 1]]) < magnitude(st[order[e]]);
         --e) {
      int t = order[e];
      order[e] = order[e - 1];
      order[e - 1] = t;
    }
}

/* Drops size-1 dimensions and merges neighbours (in walkOrder) that every
 * operand walks as one (outer stride = inner stride * inner size);
 * right-aligns the rest. Returns the number of dimensions left. */
static int coalesce(const kt_kernel_fns *k, int64_t *ctx) {
  int64_t shape[KT_MAX_DIMS], strides[64][KT_MAX_DIMS];
  int nd = 0, s, d, i, order[KT_MAX_DIMS];
  walkOrder(k, ctx, order);
  for (i = 0; i < KT_MAX_DIMS; ++i) {
    int64_t size = ctx[KT_CTX_SHAPE + (d = order[i])];
    if (size == 1)
      continue;
    int merge = nd > 0;
    for (s = 0; s < k->nslots && merge; ++s)
      if (k->elemSize[s] &&
          strides[s][nd - 1] != slotOf(ctx, s)[KT_SLOT_STRIDES + d] * size)
        merge = 0;
    if (merge) {
      shape[nd - 1] *= size;
      for (s = 0; s < k->nslots; ++s)
        strides[s][nd - 1] = slotOf(ctx, s)[KT_SLOT_STRIDES + d];
      continue;
    }
    shape[nd] = size;
    for (s = 0; s < k->nslots; ++s)
      strides[s][nd] = slotOf(ctx, s)[KT_SLOT_STRIDES + d];
    ++nd;
  }
  for (d = 0; d < KT_MAX_DIMS; ++d) {
    int src = d - (KT_MAX_DIMS - nd);
    ctx[KT_CTX_SHAPE + d] = src >= 0 ? shape[src] : 1;
    for (s = 0; s < k->nslots; ++s)
      slotOf(ctx, s)[KT_SLOT_STRIDES + d] = src >= 0 ? strides[s][src] : 0;
  }
  return nd;
}

static int isFlat(const kt_kernel_fns *k, const int64_t *ctx, int nd) {
  int s;
  if (nd > 1)
    return 0;
  for (s = 0; s < k->nslots; ++s)
    if (k->elemSize[s] && nd == 1 &&
        ctx[KT_CTX_SLOTS + s * KT_SLOT_WORDS + KT_SLOT_STRIDES + 3] != 1)
      return 0;
  return 1;
}

/* The number of broadcast operands when the row path applies (see
 * KT_ROW_MIN in KernelAbi.h: the output and contiguous operands have
 * innermost stride 1, broadcast operands 0), else -1. */
static int rowSplats(const kt_kernel_fns *k, const int64_t *ctx) {
  int s, splats = 0;
  if (ctx[KT_CTX_SHAPE + 3] < KT_ROW_MIN || k->nreductions > KT_ROW_REDUCTIONS)
    return -1;
  for (s = 0; s < k->nslots; ++s) {
    int64_t st = ctx[KT_CTX_SLOTS + s * KT_SLOT_WORDS + KT_SLOT_STRIDES + 3];
    if (!k->elemSize[s] || st == 1)
      continue;
    if (st != 0 || s == k->nslots - 1 || ++splats > KT_ROW_SPLATS)
      return -1;
  }
  return splats;
}

typedef struct {
  const kt_kernel_fns *k;
  kt_loop_fn loop; /* null: the row path */
  int64_t tile;    /* the row path's longest flat call */
  const int64_t *ctx;
  int64_t n, chunk;
  char *partials; /* nreductions * 8 bytes per chunk, or null */
  int nreductions;
} kt_job;

/* `len` copies of the element at `from` (size 1, 4 or 8 bytes). */
static void splatFill(char *buf, const char *from, int64_t size, int64_t len) {
  int64_t i;
  if (size == 1) {
    memset(buf, *from, (size_t)len);
  } else if (size == 4) {
    int32_t v, *out = (int32_t *)buf;
    memcpy(&v, from, 4);
    for (i = 0; i < len; ++i)
      out[i] = v;
  } else {
    int64_t v, *out = (int64_t *)buf;
    memcpy(&v, from, 8);
    for (i = 0; i < len; ++i)
      out[i] = v;
  }
}

/* Points the row context's slots at element `idx` of the iteration space;
 * broadcast operands at their splat buffer, refilled with `len` copies of
 * the row's element when `fill`. */
static void pointRow(const kt_job *job, int64_t *row, int64_t idx,
                     int64_t (*splat)[KT_ROW_TILE], int fill, int64_t len) {
  const int64_t *ctx = job->ctx, *dims = ctx + KT_CTX_SHAPE;
  int64_t r = idx / dims[3], col = idx % dims[3];
  int64_t pos[3] = {r / dims[2] / dims[1], r / dims[2] % dims[1], r % dims[2]};
  int s, b = 0;
  for (s = 0; s < job->k->nslots; ++s) {
    const int64_t *st =
        ctx + KT_CTX_SLOTS + s * KT_SLOT_WORDS + KT_SLOT_STRIDES;
    int64_t size = job->k->elemSize[s];
    char *at;
    if (!size)
      continue;
    at =
        (char *)(intptr_t)ctx[KT_CTX_SLOTS + s * KT_SLOT_WORDS] +
        size * (pos[0] * st[0] + pos[1] * st[1] + pos[2] * st[2] + col * st[3]);
    if (st[3] == 0) {
      char *buf = (char *)splat[b++];
      if (fill)
        splatFill(buf, at, size, len);
      at = buf;
    }
    row[KT_CTX_SLOTS + s * KT_SLOT_WORDS + KT_SLOT_DATA] =
        (int64_t)(intptr_t)at;
  }
}

/* The row path over [begin, end): tiles of at most KT_ROW_TILE elements
 * within a row, each by the flat loop; partials combined in order. */
static void runRows(const kt_job *job, int64_t begin, int64_t end,
                    void *partial) {
  const kt_kernel_fns *k = job->k;
  int64_t row[KT_CTX_WORDS(64)], part[KT_ROW_REDUCTIONS];
  int64_t splat[KT_ROW_SPLATS][KT_ROW_TILE];
  int64_t m = job->ctx[KT_CTX_SHAPE + 3], idx, filled = -1;
  memcpy(row, job->ctx, sizeof(int64_t) * KT_CTX_WORDS(k->nslots));
  for (idx = begin; idx < end;) {
    int64_t col = idx % m, len = m - col;
    if (len > end - idx)
      len = end - idx;
    if (len > job->tile)
      len = job->tile;
    /* A new row refills the splats (at most a tile: the value repeats). */
    pointRow(job, row, idx, splat, filled != idx / m,
             m < KT_ROW_TILE ? m : KT_ROW_TILE);
    filled = idx / m;
    if (partial && idx != begin) {
      k->flat(row, 0, len, part);
      k->combine(partial, part);
    } else {
      k->flat(row, 0, len, partial);
    }
    idx += len;
  }
}

static void runChunk(void *arg, int64_t index) {
  kt_job *job = (kt_job *)arg;
  int64_t begin = index * job->chunk;
  int64_t end = begin + job->chunk < job->n ? begin + job->chunk : job->n;
  void *partial =
      job->partials ? job->partials + index * job->nreductions * 8 : NULL;
  if (job->loop)
    job->loop(job->ctx, begin, end, partial);
  else
    runRows(job, begin, end, partial);
}

/* The flat loop, the row path (job->loop null) or the strided loop for a
 * coalesced call; 0 when the strided loop cannot be compiled. */
static int pickLoop(const kt_kernel_fns *k, const int64_t *ctx, int nd,
                    kt_job *job) {
  int splats;
  if (isFlat(k, ctx, nd)) {
    job->loop = k->flat;
  } else if ((splats = rowSplats(k, ctx)) >= 0) {
    /* Without broadcast operands a flat call may take a whole row. */
    job->tile = splats ? KT_ROW_TILE : ctx[KT_CTX_SHAPE + 3];
  } else {
    /* Published by another thread's resolveStrided (JIT) while calls run. */
    job->loop = __atomic_load_n(&k->strided, __ATOMIC_ACQUIRE);
    if (!job->loop && k->resolveStrided)
      job->loop = k->resolveStrided(k->resolveArg);
    if (!job->loop)
      return 0;
  }
  return 1;
}

static void runAll(kt_job *job, int64_t tasks, const kt_parallel *par) {
  int64_t t;
  if (par && par->run && par->threads > 1 && tasks > 1 &&
      job->n >= par->threshold) {
    par->run(par->pool, tasks, runChunk, job);
    return;
  }
  for (t = 0; t < tasks; ++t)
    runChunk(job, t);
}

int kt_execute(const kt_kernel_fns *k, int64_t *ctx, void *result,
               const kt_parallel *par) {
  int64_t n = 1, d, t, tasks;
  int nd;
  kt_job job;
  for (d = 0; d < KT_MAX_DIMS; ++d)
    n *= ctx[KT_CTX_SHAPE + d];
  ctx[KT_CTX_N] = n;
  nd = n > 0 ? coalesce(k, ctx) : 0;
  memset(&job, 0, sizeof job);
  job.k = k;
  if (!pickLoop(k, ctx, nd, &job))
    return 3;
  job.ctx = ctx;
  job.n = n;
  job.nreductions = k->nreductions;
  if (k->nreductions == 0) {
    unsigned threads = par && par->run ? par->threads : 1;
    int64_t per = threads > 1 ? (n + threads - 1) / threads : n;
    job.chunk = (per + 63) / 64 * 64; /* whole cache lines per thread */
    tasks = job.chunk > 0 ? (n + job.chunk - 1) / job.chunk : 0;
    runAll(&job, tasks, par);
    return 0;
  }
  job.chunk = KT_REDUCE_CHUNK;
  tasks = n > 0 ? (n + KT_REDUCE_CHUNK - 1) / KT_REDUCE_CHUNK : 1;
  job.partials = (char *)calloc((size_t)tasks, (size_t)k->nreductions * 8);
  if (!job.partials)
    return 2;
  runAll(&job, tasks, par);
  for (t = 1; t < tasks; ++t)
    k->combine(job.partials, job.partials + t * k->nreductions * 8);
  k->finish(ctx, job.partials, result);
  free(job.partials);
  return 0;
}

/* The serial chunk loop of a contiguous reduction with its partials on the
 * stack (at most KT_ROW_REDUCTIONS; more go through kt_execute): chunk 0
 * into acc, every later chunk into part and combined into acc in chunk
 * order — what kt_execute computes, without the heap. */
static void reduceSerial(const kt_kernel_fns *k, const int64_t *ctx, int64_t n,
                         void *result) {
  int64_t acc[KT_ROW_REDUCTIONS], part[KT_ROW_REDUCTIONS], begin;
  k->flat(ctx, 0, n < KT_REDUCE_CHUNK ? n : KT_REDUCE_CHUNK, acc);
  for (begin = KT_REDUCE_CHUNK; begin < n; begin += KT_REDUCE_CHUNK) {
    int64_t end = n - begin > KT_REDUCE_CHUNK ? begin + KT_REDUCE_CHUNK : n;
    k->flat(ctx, begin, end, part);
    k->combine(acc, part);
  }
  k->finish(ctx, acc, result);
}

/* The words a one-dimensional walk of n elements has beyond the data and
 * scalar words the fast path fills: shape {1, 1, 1, n}, strides {0, 0, 0, 1}
 * for arrays (0 for scalars). Only kt_execute reads them. */
static void flatWalk(const kt_kernel_fns *k, int64_t *ctx, int64_t n) {
  int s;
  ctx[KT_CTX_SHAPE] = ctx[KT_CTX_SHAPE + 1] = ctx[KT_CTX_SHAPE + 2] = 1;
  ctx[KT_CTX_SHAPE + 3] = n;
  for (s = 0; s < k->nslots; ++s) {
    int64_t *st = slotOf(ctx, s) + KT_SLOT_STRIDES;
    st[0] = st[1] = st[2] = 0;
    st[3] = k->elemSize[s] ? 1 : 0;
  }
}

int kt_execute_contiguous(const kt_kernel_fns *k, int64_t *ctx, int64_t n,
                          void *result, const kt_parallel *par) {
  if ((par && par->run && par->threads > 1 && n >= par->threshold) ||
      k->nreductions > KT_ROW_REDUCTIONS) {
    flatWalk(k, ctx, n);
    return kt_execute(k, ctx, result, par);
  }
  ctx[KT_CTX_N] = n;
  if (k->nreductions == 0)
    k->flat(ctx, 0, n, NULL);
  else
    reduceSerial(k, ctx, n, result);
  return 0;
}
