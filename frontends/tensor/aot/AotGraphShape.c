/* AotGraphShape: every node's shape for one call's inputs — the rules and
 * messages of the JIT's graph/Shapes.cpp, over the node table.
 *
 * NumPy's rules, as the kernels apply them: elementwise operations
 * broadcast, an axis reduction drops (or keeps as 1) its axes, a matrix
 * product takes [..., M, K] @ [..., K, N] (syntax/MatmulShape.cpp). A
 * mismatch is the caller's error, with the statement's line and column.
 * Counts (the element counts a mean divides by) are set here too. */
#include "AotGraphRt.h"

#include <stdio.h>
#include <string.h>

#define KT_TOO_MANY ((int64_t)1 << 60)

/* The message `text` at node n's position, as Shapes.cpp's at(). */
static int nodeFail(const kt_graph_node *n, const char *text) {
  if (n->line)
    return kt_graph_fail("%s (line %d, column %d)", text, (int)n->line,
                         (int)n->col);
  return kt_graph_fail("%s", text);
}

static void setShape(kt_gslot *s, const int64_t *dims, int rank) {
  s->scalar = 0;
  s->rank = rank;
  memcpy(s->dims, dims, sizeof(int64_t) * (size_t)rank);
}

/* Broadcasts dims (right-aligned) into `out` of rank *rank; 0 if they
 * do not broadcast. */
static int broadcastInto(int64_t *out, int *rank, const int64_t *dims, int r) {
  int64_t tmp[4];
  int k, top = r > *rank ? r : *rank;
  for (k = 0; k < top; ++k) {
    int64_t a = k < *rank ? out[*rank - 1 - k] : 1;
    int64_t b = k < r ? dims[r - 1 - k] : 1;
    if (a != b && a != 1 && b != 1)
      return 0;
    tmp[top - 1 - k] = a == 1 ? b : a;
  }
  memcpy(out, tmp, sizeof(int64_t) * (size_t)top);
  *rank = top;
  return 1;
}

static int eachShape(kt_graph_ctx *c, const kt_graph_node *n, kt_gslot *s) {
  int64_t dims[4];
  int rank = 0, i, arrays = 0, ok = 1;
  char text[400] = "shapes ", one[96];
  for (i = 0; i < n->nargs; ++i) {
    const kt_gslot *a = &c->slots[n->args[i]];
    if (a->scalar)
      continue;
    ok = broadcastInto(dims, &rank, a->dims, a->rank) && ok;
    kt_graph_shape_text(one, sizeof one, a->dims, a->rank);
    if (arrays++)
      strncat(text, " and ", sizeof text - strlen(text) - 1);
    strncat(text, one, sizeof text - strlen(text) - 1);
  }
  if (!arrays)
    return s->scalar = 1, 0;
  if (!ok) {
    strncat(text, " do not broadcast", sizeof text - strlen(text) - 1);
    return nodeFail(n, text);
  }
  setShape(s, dims, rank);
  return 0;
}

static int axisShape(const kt_graph_node *n, const kt_gslot *x, kt_gslot *s) {
  int64_t dims[4];
  int seen[4] = {0, 0, 0, 0}, k, d, rank = 0;
  char text[200], shape[96];
  for (k = 0; k < n->naxes; ++k) {
    int w = n->axes[k], a = w < 0 ? w + x->rank : w;
    int bad = x->scalar || a < 0 || a >= x->rank;
    if (bad || seen[a]) {
      kt_graph_shape_text(shape, sizeof shape, x->dims,
                          x->scalar ? 0 : x->rank);
      snprintf(text, sizeof text, "'%s': axis %d %s for shape %s", n->what, w,
               bad ? "is out of range" : "names a dimension twice", shape);
      return nodeFail(n, text);
    }
    seen[a] = 1;
  }
  for (d = 0; d < x->rank; ++d)
    if (!seen[d] || n->keepdims)
      dims[rank++] = seen[d] ? 1 : x->dims[d];
  setShape(s, dims, rank);
  return 0;
}

/* syntax::matmulShape: 1-D operands promoted as in NumPy, batch dimensions
 * broadcast, the promoted dimension dropped again. */
static int matmulShape(const kt_graph_node *n, const kt_gslot *a,
                       const kt_gslot *b, kt_gslot *s) {
  int64_t pa[4], pb[4], out[4];
  int ra = a->scalar ? 0 : a->rank, rb = b->scalar ? 0 : b->rank, r = 0;
  char text[300], ta[96], tb[96];
  kt_graph_shape_text(ta, sizeof ta, a->dims, ra);
  kt_graph_shape_text(tb, sizeof tb, b->dims, rb);
  if (!ra || !rb) {
    snprintf(text, sizeof text,
             "'@' needs array operands of at least 1 dimension, got %s @ %s",
             ta, tb);
    return nodeFail(n, text);
  }
  pa[0] = 1, pb[1] = 1;
  memcpy(pa + (ra == 1), a->dims, sizeof(int64_t) * (size_t)ra);
  memcpy(pb, b->dims, sizeof(int64_t) * (size_t)rb);
  ra += ra == 1, rb += rb == 1;
  if (pa[ra - 1] != pb[rb - 2]) {
    snprintf(text, sizeof text,
             "'@': inner dimensions differ: %s @ %s (%lld "
             "!= %lld)",
             ta, tb, (long long)pa[ra - 1], (long long)pb[rb - 2]);
    return nodeFail(n, text);
  }
  memcpy(out, pa, sizeof(int64_t) * (size_t)(ra - 2));
  r = ra - 2;
  if (!broadcastInto(out, &r, pb, rb - 2)) {
    snprintf(text, sizeof text,
             "'@': batch dimensions of %s and %s do not broadcast", ta, tb);
    return nodeFail(n, text);
  }
  if (a->rank > 1)
    out[r++] = pa[ra - 2];
  if (b->rank > 1)
    out[r++] = pb[rb - 1];
  setShape(s, out, r);
  return 0;
}

/* Unsqueeze: v padded with leading 1s to rank(of) - k, then a 1 at each of
 * the k axes (lowest first). */
static void unsqueezed(const kt_graph_node *n, const kt_gslot *v,
                       const kt_gslot *of, kt_gslot *s) {
  int at[4], k = n->naxes, r = of->rank, i, j, rank = 0;
  int64_t dims[4];
  for (i = 0; i < k; ++i)
    at[i] = n->axes[i] < 0 ? n->axes[i] + r : n->axes[i];
  for (i = 1; i < k; ++i) /* insertion sort */
    for (j = i; j > 0 && at[j - 1] > at[j]; --j) {
      int t = at[j];
      at[j] = at[j - 1], at[j - 1] = t;
    }
  for (i = v->rank; i < r - k; ++i)
    dims[rank++] = 1;
  for (i = 0; i < v->rank; ++i)
    dims[rank++] = v->dims[i];
  for (i = 0; i < k; ++i) {
    for (j = rank; j > at[i]; --j)
      dims[j] = dims[j - 1];
    dims[at[i]] = 1;
    ++rank;
  }
  setShape(s, dims, rank);
}

static int viewShape(kt_graph_ctx *c, const kt_graph_node *n, kt_gslot *s) {
  const kt_gslot *x = &c->slots[n->args[0]];
  int64_t dims[4];
  int r = x->rank, at;
  *s = *x;
  if (x->scalar)
    return 0;
  memcpy(dims, x->dims, sizeof dims);
  if (n->op == KT_GN_TRANSPOSE) {
    if (r < 2)
      return nodeFail(n, "the gradient of '@' needs operands of rank 2 to 4 "
                         "(a 1-D operand has no transpose; pass a [1, K] or "
                         "[K, 1] view)");
    dims[r - 2] = x->dims[r - 1], dims[r - 1] = x->dims[r - 2];
  } else if (n->op == KT_GN_UNSQUEEZE) {
    unsqueezed(n, x, &c->slots[n->args[1]], s);
    return 0;
  } else if (c->slots[n->args[1]].scalar || c->slots[n->args[1]].rank != 1) {
    return 0; /* Lift, Drop: a no-op unless the operand is 1-D */
  } else if (n->op == KT_GN_LIFT) {
    at = r + 1 + n->axis;
    memmove(dims + at + 1, x->dims + at, sizeof(int64_t) * (size_t)(r - at));
    dims[at] = 1, ++r;
  } else {
    at = r + n->axis;
    memmove(dims + at, x->dims + at + 1,
            sizeof(int64_t) * (size_t)(r - at - 1));
    --r;
  }
  setShape(s, dims, r);
  return 0;
}

/* Count: the elements of args[0], all of them or along `axis`. */
static void countOf(kt_graph_ctx *c, const kt_graph_node *n, kt_gslot *s) {
  const kt_gslot *x = &c->slots[n->args[0]];
  int64_t count = 1;
  int d, r = x->scalar ? 0 : x->rank;
  if (n->axis == KT_GN_ALL)
    for (d = 0; d < r; ++d)
      count *= x->dims[d];
  else if (r)
    count = x->dims[((n->axis % r) + r) % r];
  s->scalar = 1;
  s->bits = kt_graph_from_double((double)count, n->dtype);
}

static int nodeShape(kt_graph_ctx *c, const kt_graph_node *n, kt_gslot *s,
                     const kiln_tensor_array *const *arrays) {
  s->scalar = 1;
  switch (n->op) {
  case KT_GN_INPUT:
    if (c->g->inputs.params[n->axis].isArray)
      setShape(s, arrays[n->axis]->shape, arrays[n->axis]->rank);
    return 0;
  case KT_GN_EACH: return eachShape(c, n, s);
  case KT_GN_AXIS: return axisShape(n, &c->slots[n->args[0]], s);
  case KT_GN_MATMUL:
    return matmulShape(n, &c->slots[n->args[0]], &c->slots[n->args[1]], s);
  case KT_GN_SUMTO: *s = c->slots[n->args[1]]; return 0;
  case KT_GN_COUNT: countOf(c, n, s); return 0;
  case KT_GN_UNSQUEEZE:
  case KT_GN_TRANSPOSE:
  case KT_GN_LIFT:
  case KT_GN_DROP: return viewShape(c, n, s);
  default: return 0; /* NUMBER, WHOLE: scalars */
  }
}

int kt_graph_infer(kt_graph_ctx *c, const kiln_tensor_array *const *arrays) {
  int32_t id;
  int err, d;
  for (id = 0; id < c->g->nnodes; ++id) {
    const kt_graph_node *n = &c->g->nodes[id];
    kt_gslot *s = &c->slots[id];
    int64_t count = 1;
    memset(s, 0, sizeof *s);
    if ((err = nodeShape(c, n, s, arrays)) != 0)
      return err;
    for (d = 0; !s->scalar && d < s->rank; ++d)
      if (s->dims[d] && __builtin_mul_overflow(count, s->dims[d], &count))
        count = KT_TOO_MANY + 1;
    if (count > KT_TOO_MANY) {
      char text[160], shape[96];
      kt_graph_shape_text(shape, sizeof shape, s->dims, s->rank);
      snprintf(text, sizeof text,
               "a value of shape %s has too many elements "
               "(the limit is 2^60)",
               shape);
      return nodeFail(n, text);
    }
  }
  return 0;
}
