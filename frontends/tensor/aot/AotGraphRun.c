/* AotGraphRun: running a planned graph's steps — the library's kernels on
 * the workspace, the sums of broadcast gradients, and the views
 * (transposes, re-inserted axes, the 1 '@' adds to a 1-D operand), as the
 * JIT's graph/Run.cpp and graph/SumTo.cpp run them.
 *
 * A SumTo the JIT drops as a no-op for the call's shapes is still a step
 * here (the library's plan holds for every shape): when its value has the
 * result's shape it passes that value on as the JIT does (c->alias), else
 * the loop spreads a value that stands for a broadcast to the result's
 * shape, which holds the values the JIT passes on. */
#include "AotGraphRt.h"

#include <string.h>

#define KT_MAX_STEP_PARAMS 64

/* The data word of slot `i` in a context (KT_CTX_* in KernelAbi.h). */
#define KT_DATA(ctx, i) (ctx)[KT_CTX_SLOTS + (i)*KT_SLOT_WORDS + KT_SLOT_DATA]

/* The contiguous fast path of an ordinary kernel, as its generated typed
 * wrapper runs it (fastPathFor in Aot.cpp, these checks unrolled there):
 * every array of the output's (or the first array's) plain shape, disjoint
 * from the output or the same elements; then the flat loop at once, or a
 * reduction through kt_aot_run_plain. 1 when it ran (*err set). */
static int runPlain(const kt_aot_kernel *k, const kiln_tensor_array *const *a,
                    const int64_t *scalars, kiln_tensor_array *out,
                    void *result, int *err) {
  int64_t ctx[KT_CTX_WORDS(KT_MAX_STEP_PARAMS + 1)], n = -1;
  const kiln_tensor_array *ref = k->resultIsArray ? out : 0;
  const unsigned char *size = k->fns.elemSize;
  int i, any = 0, same;
  if (ref ? (n = kt_plain_first(out, k->resultDtype)) < 0 : !result)
    return 0;
  for (i = 0; i < k->nparams; ++i) {
    const kt_param_desc *p = &k->params[i];
    if (!p->isArray) {
      ctx[KT_CTX_SLOTS + i * KT_SLOT_WORDS + KT_SLOT_SCALAR] = scalars[i];
      continue;
    }
    if (!ref ? (n = kt_plain_first(a[i], p->dtype)) < 0
             : !kt_plain_next(a[i], p->dtype, ref, n))
      return 0;
    same = p->dtype == k->resultDtype;
    if (k->resultIsArray &&
        !kt_plain_apart(a[i], size[i], out, size[k->nparams], same, n))
      return 0;
    ref = ref ? ref : a[i];
    any = 1;
    KT_DATA(ctx, i) = (int64_t)(intptr_t)a[i]->data;
  }
  if (!any)
    return 0;
  KT_DATA(ctx, k->nparams) =
      k->resultIsArray ? (int64_t)(intptr_t)out->data : 0;
  if (!k->resultIsArray) {
    *err = kt_aot_run_plain(k, ctx, n, result);
    return 1;
  }
  kt_aot_call_ok();
  k->fns.flat(ctx, 0, n, 0);
  *err = KILN_TENSOR_OK;
  return 1;
}

/* An ordinary kernel's call: the fast path, else kt_aot_call's checks. */
static int callTable(const kt_aot_kernel *k, const kiln_tensor_array *const *a,
                     const int64_t *scalars, kiln_tensor_array *out,
                     void *result) {
  int err = KILN_TENSOR_OK;
  if (k->nparams <= KT_MAX_STEP_PARAMS &&
      runPlain(k, a, scalars, out, result, &err))
    return err;
  return kt_aot_call(k, a, scalars, k->resultIsArray ? out : 0,
                     k->resultIsArray ? 0 : result);
}

static int runKernel(kt_graph_ctx *c, const kt_graph_step *st) {
  const kiln_tensor_array *arrays[KT_MAX_STEP_PARAMS];
  int64_t scalars[KT_MAX_STEP_PARAMS];
  kt_gslot *out = &c->slots[st->node];
  int32_t i;
  for (i = 0; i < st->nparams && i < KT_MAX_STEP_PARAMS; ++i) {
    const kt_gslot *in = &c->slots[st->params[i]];
    arrays[i] = in->scalar ? 0 : &in->v;
    scalars[i] = in->scalar ? in->bits : 0;
  }
  if (!st->call)
    return callTable(st->kernel, arrays, scalars,
                     st->scalarResult ? 0 : &out->v,
                     st->scalarResult ? &out->bits : 0);
  return st->call(arrays, scalars, st->scalarResult ? 0 : &out->v,
                  st->scalarResult ? &out->bits : 0);
}

/* Strides of a view (or contiguous dims when `v` is null) as an operand of
 * a rank-4 space: 0 where the dimension is 1 or missing. */
static void alignStrides(const int64_t *dims, const kiln_tensor_array *v,
                         int rank, int64_t out[4]) {
  int64_t step = 1;
  int d;
  for (d = 3; d >= 0; --d) {
    int k = d - (4 - rank);
    out[d] = 0;
    if (k < 0)
      continue;
    if (dims[k] != 1)
      out[d] = v ? v->strides[k] : step;
    step *= dims[k];
  }
}

static double load(const kt_gslot *s, int dtype, int64_t at) {
  const char *p = (const char *)s->v.data;
  switch (dtype) {
  case KILN_TENSOR_F32: return ((const float *)p)[at];
  case KILN_TENSOR_F64: return ((const double *)p)[at];
  case KILN_TENSOR_I32: return ((const int32_t *)p)[at];
  case KILN_TENSOR_I64: return (double)((const int64_t *)p)[at];
  default: return ((const uint8_t *)p)[at];
  }
}

/* The sums of `value` (a scalar, a literal or an array) broadcast over
 * `space`, down to out's shape, in double; then stored in out's dtype. */
static void sumTo(kt_graph_ctx *c, const kt_graph_node *n, kt_gslot *out) {
  const kt_graph_node *vn = &c->g->nodes[n->args[0]];
  const kt_gslot *v = &c->slots[n->args[0]], *sp = &c->slots[n->args[2]];
  int64_t dims[4] = {1, 1, 1, 1}, vs[4] = {0, 0, 0, 0}, os[4], total = 1;
  int64_t i, j, k, l;
  int scalarIn = vn->op == KT_GN_NUMBER || v->scalar, d;
  double cst = vn->op == KT_GN_NUMBER ? vn->number
                                      : kt_graph_to_double(v->bits, vn->dtype);
  for (d = 0; !sp->scalar && d < sp->rank; ++d)
    dims[4 - sp->rank + d] = sp->dims[d];
  if (!scalarIn)
    alignStrides(v->v.shape, &v->v, v->v.rank, vs);
  alignStrides(out->dims, 0, out->scalar ? 0 : out->rank, os);
  for (d = 0; !out->scalar && d < out->rank; ++d)
    total *= out->dims[d];
  memset(out->accum, 0, sizeof(double) * (size_t)total);
  for (i = 0; i < dims[0]; ++i)
    for (j = 0; j < dims[1]; ++j)
      for (k = 0; k < dims[2]; ++k) {
        double *a = out->accum + i * os[0] + j * os[1] + k * os[2];
        int64_t at = i * vs[0] + j * vs[1] + k * vs[2];
        double row = 0; /* into one sum: a row total first, as SumTo.cpp */
        for (l = 0; l < dims[3]; ++l) {
          double x = scalarIn ? cst : load(v, vn->dtype, at + l * vs[3]);
          if (os[3])
            a[l * os[3]] += x;
          else
            row += x;
        }
        if (!os[3])
          a[0] += row;
      }
  if (out->scalar) {
    out->bits = kt_graph_from_double(out->accum[0], n->dtype);
    return;
  }
  for (i = 0; i < total; ++i)
    if (n->dtype == KILN_TENSOR_F32)
      ((float *)out->v.data)[i] = (float)out->accum[i];
    else
      ((double *)out->v.data)[i] = out->accum[i];
}

/* `src` with a size-1 dimension inserted at `at` (stride 0). */
static void insertOne(kiln_tensor_array *v, int at) {
  int d;
  for (d = v->rank; d > at; --d)
    v->shape[d] = v->shape[d - 1], v->strides[d] = v->strides[d - 1];
  v->shape[at] = 1, v->strides[at] = 0;
  ++v->rank;
}

/* Unsqueeze: padded with leading 1s to rank(of) - k, a 1 at each axis. */
static void unsqueezeView(kt_graph_ctx *c, const kt_graph_node *n,
                          kiln_tensor_array *v) {
  int r = c->slots[n->args[1]].rank, k = n->naxes, i, j, at[4];
  for (i = 0; i < k; ++i)
    at[i] = n->axes[i] < 0 ? n->axes[i] + r : n->axes[i];
  for (i = 1; i < k; ++i)
    for (j = i; j > 0 && at[j - 1] > at[j]; --j) {
      int t = at[j];
      at[j] = at[j - 1], at[j - 1] = t;
    }
  while (v->rank < r - k)
    insertOne(v, 0);
  for (i = 0; i < k; ++i)
    insertOne(v, at[i]);
}

static void runView(kt_graph_ctx *c, const kt_graph_node *n, kt_gslot *out) {
  const kt_gslot *src = &c->slots[n->args[0]];
  kiln_tensor_array v = src->v;
  int r = v.rank, d;
  int64_t t;
  out->bits = src->bits;
  if (src->scalar)
    return;
  if (n->op == KT_GN_TRANSPOSE) {
    t = v.shape[r - 2], v.shape[r - 2] = v.shape[r - 1], v.shape[r - 1] = t;
    t = v.strides[r - 2], v.strides[r - 2] = v.strides[r - 1],
    v.strides[r - 1] = t;
  } else if (n->op == KT_GN_UNSQUEEZE) {
    unsqueezeView(c, n, &v);
  } else if (c->slots[n->args[1]].scalar || c->slots[n->args[1]].rank != 1) {
    /* Lift, Drop: the same view unless the operand is 1-D */
  } else if (n->op == KT_GN_LIFT) {
    insertOne(&v, r + 1 + n->axis);
  } else {
    for (d = r + n->axis; d + 1 < r; ++d)
      v.shape[d] = v.shape[d + 1], v.strides[d] = v.strides[d + 1];
    --v.rank;
  }
  out->v = v;
}

int kt_graph_steps(kt_graph_ctx *c) {
  int32_t s;
  int err;
  for (s = 0; s < c->g->nsteps; ++s) {
    const kt_graph_step *st = &c->g->steps[s];
    const kt_graph_node *n = &c->g->nodes[st->node];
    kt_gslot *out = &c->slots[st->node];
    if (st->kind == KT_GS_KERNEL) {
      if ((err = runKernel(c, st)) != 0)
        return err;
    } else if (c->alias[s]) { /* a no-op SumTo: the value itself */
      out->v = c->slots[n->args[0]].v;
      out->bits = c->slots[n->args[0]].bits;
    } else if (st->kind == KT_GS_SUMTO) {
      sumTo(c, n, out);
    } else {
      runView(c, n, out);
    }
  }
  return 0;
}
