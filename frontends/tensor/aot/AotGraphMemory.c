/* AotGraphMemory: the workspace of a graph context — one buffer per value
 * a step writes, shared by values whose lifetimes do not overlap, as the
 * JIT's graph/Memory.cpp shares them.
 *
 * The steps run in one fixed order, so each value's last reader is known:
 * once it has run, the value's buffer may hold a later step's result.
 * Results live until the run's end (they are copied out), and a view keeps
 * its source alive as long as the view is read. The buffers and the sums
 * of the SumTo steps are carved from one allocation, made again only when
 * a new plan needs more than the context holds. */
#include "AotGraphRt.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KT_ALIGN 64

/* The node a step reads as its source (SumTo's value, a view's array). */
static int32_t sourceOf(const kt_graph *g, const kt_graph_step *s) {
  return g->nodes[s->node].args[0];
}

static int sameShape(const kt_gslot *a, const kt_gslot *b) {
  return a->scalar == b->scalar &&
         (a->scalar ||
          (a->rank == b->rank &&
           !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank)));
}

/* Which SumTo steps are no-ops for these shapes (c->alias): the value
 * (not a literal) has the result's shape, which is the space's, so the JIT
 * passes it on. */
static void markAliases(kt_graph_ctx *c) {
  int32_t s;
  for (s = 0; s < c->g->nsteps; ++s) {
    const kt_graph_step *st = &c->g->steps[s];
    const kt_graph_node *n = &c->g->nodes[st->node];
    c->alias[s] = st->kind == KT_GS_SUMTO &&
                  c->g->nodes[n->args[0]].op != KT_GN_NUMBER &&
                  sameShape(&c->slots[n->args[0]], &c->slots[n->args[1]]) &&
                  sameShape(&c->slots[n->args[1]], &c->slots[n->args[2]]);
  }
}

/* last[node]: the index of the last step that reads it (nsteps for the
 * results), views (and aliases) extending their sources' lives. */
static void lastUses(const kt_graph_ctx *c, int64_t *last) {
  const kt_graph *g = c->g;
  int32_t s, i, n = g->nsteps;
  memset(last, 0, sizeof(int64_t) * (size_t)g->nnodes);
  for (s = 0; s < n; ++s) {
    const kt_graph_step *st = &g->steps[s];
    if (st->kind == KT_GS_KERNEL) {
      for (i = 0; i < st->nparams; ++i)
        last[st->params[i]] = s;
    } else {
      last[sourceOf(g, st)] = s;
    }
  }
  for (i = 0; i < g->results.nparams; ++i)
    last[g->resultNodes[i]] = n;
  for (s = n; s-- > 0;)
    if (g->steps[s].kind == KT_GS_VIEW || c->alias[s]) {
      int32_t src = sourceOf(g, &g->steps[s]), v = g->steps[s].node;
      if (last[v] > last[src])
        last[src] = last[v];
    }
}

static int64_t bytesOf(const kt_graph_ctx *c, int32_t node) {
  const kt_gslot *s = &c->slots[node];
  int64_t n = 1, size = kt_graph_dtype_size(c->g->nodes[node].dtype);
  int d;
  for (d = 0; d < s->rank; ++d)
    n *= s->dims[d]; /* at most 2^60 (kt_graph_infer) */
  n = n > INT64_MAX / size - KT_ALIGN ? INT64_MAX / 2 : n * size;
  return (n + KT_ALIGN - 1) / KT_ALIGN * KT_ALIGN;
}

/* The free buffers fre[0, n) are sorted by size: the first position whose
 * buffer holds at least `need` bytes (n: none). */
static int64_t firstFit(const int64_t *sizes, const int64_t *fre, int64_t n,
                        int64_t need) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (sizes[fre[mid]] < need)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The smallest free buffer that fits `need`, else the largest; -1: none.
 * Of equal sizes the last, so that taking it moves nothing. */
static int64_t bestFit(const int64_t *sizes, const int64_t *fre, int64_t nfree,
                       int64_t need) {
  int64_t at = firstFit(sizes, fre, nfree, need);
  if (at == nfree)
    return nfree - 1;
  return firstFit(sizes, fre, nfree, sizes[fre[at]] + 1) - 1;
}

/* Puts buffer b back among the free ones, in size order. */
static void release(const int64_t *sizes, int64_t *fre, int64_t *nfree,
                    int64_t b) {
  int64_t at = firstFit(sizes, fre, *nfree, sizes[b] + 1);
  memmove(fre + at + 1, fre + at, sizeof(int64_t) * (size_t)(*nfree - at));
  fre[at] = b;
  ++*nfree;
}

/* owner[node] = its buffer (or -1), sizes[buffer]; returns the count.
 * A buffer is free from the step after its value's last reader on: the
 * values are listed by that step (head, next), so that a step visits only
 * the values it frees (a scan of every live value was quadratic in a long
 * chain with its gradient, whose forward values live until the backward
 * pass). After owner: fre[nsteps], head[nsteps + 1], next[nnodes]. */
static int64_t assign(kt_graph_ctx *c, const int64_t *last, int64_t *owner,
                      int64_t *sizes) {
  const kt_graph *g = c->g;
  int64_t *fre = owner + g->nnodes, *head = fre + g->nsteps;
  int64_t *next = head + g->nsteps + 1;
  int64_t nfree = 0, nbuf = 0, s, i;
  for (i = 0; i < g->nnodes; ++i)
    owner[i] = -1;
  for (s = 0; s <= g->nsteps; ++s)
    head[s] = -1;
  for (s = 0; s < g->nsteps; ++s) {
    const kt_graph_step *st = &g->steps[s];
    int64_t need, at, b, v;
    for (v = head[s]; v >= 0; v = next[v]) /* values no later step reads */
      release(sizes, fre, &nfree, owner[v]);
    if (st->kind == KT_GS_VIEW || c->alias[s] || c->slots[st->node].scalar)
      continue;
    need = bytesOf(c, st->node);
    at = bestFit(sizes, fre, nfree, need);
    b = at < 0 ? nbuf++ : fre[at];
    if (at < 0)
      sizes[b] = need;
    else /* keep the order */
      memmove(fre + at, fre + at + 1, sizeof(int64_t) * (size_t)(--nfree - at));
    if (sizes[b] < need)
      sizes[b] = need;
    owner[st->node] = b;
    v = last[st->node] + 1 > s + 1 ? last[st->node] + 1 : s + 1;
    if (v < g->nsteps)
      next[st->node] = head[v], head[v] = st->node;
  }
  return nbuf;
}

/* Room for `bytes` in c->work (allocated again only to grow). */
static int reserve(kt_graph_ctx *c, double bytes) {
  double memory = (double)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
  void *p = 0;
  if (bytes <= (double)c->workBytes)
    return 0;
  if (bytes > memory ||
      posix_memalign(&p, KT_ALIGN, (size_t)bytes ? (size_t)bytes : 1)) {
    kt_aot_fail("out of memory for the graph's temporaries");
    return KILN_TENSOR_ENOMEM;
  }
  free(c->work);
  c->work = p;
  c->workBytes = (size_t)bytes;
  return 0;
}

static void contiguous(kiln_tensor_array *v, void *data, int dtype,
                       const kt_gslot *s) {
  int d;
  int64_t step = 1;
  v->data = data, v->dtype = dtype, v->rank = s->rank;
  for (d = s->rank; d-- > 0;) {
    v->shape[d] = s->dims[d];
    v->strides[d] = step;
    step *= s->dims[d];
  }
}

/* Points every written value at its buffer (or, for a rank-0 kernel
 * result, at its scalar bits) and every SumTo at its sums. */
static void place(kt_graph_ctx *c, const int64_t *owner, const int64_t *at,
                  size_t sums) {
  int32_t s;
  for (s = 0; s < c->g->nsteps; ++s) {
    const kt_graph_step *st = &c->g->steps[s];
    kt_gslot *slot = &c->slots[st->node];
    int dtype = c->g->nodes[st->node].dtype;
    if (st->kind == KT_GS_VIEW || c->alias[s])
      continue;
    if (st->kind == KT_GS_SUMTO) {
      slot->accum = (double *)(c->work + sums);
      sums += (size_t)(slot->scalar ? KT_ALIGN
                                    : bytesOf(c, st->node) /
                                              kt_graph_dtype_size(dtype) * 8 +
                                          KT_ALIGN);
    }
    if (slot->scalar)
      contiguous(&slot->v, &slot->bits, dtype, slot);
    else
      contiguous(&slot->v, c->work + at[owner[st->node]], dtype, slot);
  }
}

int kt_graph_layout(kt_graph_ctx *c) {
  const kt_graph *g = c->g;
  int64_t *last = c->scratch, *owner = last + g->nnodes;
  int64_t *sizes = owner + 2 * (int64_t)g->nnodes + 2 * (int64_t)g->nsteps + 1;
  int64_t nbuf, b;
  double total = 0, sums = 0;
  int32_t s;
  int err;
  markAliases(c);
  lastUses(c, last);
  nbuf = assign(c, last, owner, sizes);
  for (b = 0; b < nbuf; ++b) { /* sizes[b] becomes its offset */
    int64_t size = sizes[b];
    sizes[b] = (int64_t)total;
    total += (double)size;
  }
  for (s = 0; s < g->nsteps; ++s)
    if (g->steps[s].kind == KT_GS_SUMTO && !c->alias[s]) {
      int32_t node = g->steps[s].node;
      sums += c->slots[node].scalar
                  ? KT_ALIGN
                  : (double)bytesOf(c, node) /
                            kt_graph_dtype_size(g->nodes[node].dtype) * 8 +
                        KT_ALIGN;
    }
  if ((err = reserve(c, total + sums)) != 0)
    return err;
  place(c, owner, sizes, (size_t)total);
  return 0;
}
