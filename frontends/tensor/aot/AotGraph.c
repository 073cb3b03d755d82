/* AotGraph: the context of an AOT graph and its two calls (AotGraph.h) —
 * checks, a plan per set of input shapes, the run, the copy of results.
 *
 * A context holds the node values and one workspace; it plans (shapes,
 * then buffers) on the first call and again only when an input's shape
 * changes, so a training loop allocates nothing after its first step.
 * Every error is a status with a message in the library's last-error
 * (kt_aot_last_error); nothing is written on an error found before the
 * run. A context is not safe to use from two threads at once. */
#include "AotGraphRt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kt_graph_dtype_size(int t) { return t == 0 ? 1 : t == 1 || t == 3 ? 4 : 8; }

double kt_graph_to_double(int64_t bits, int dtype) {
  float f;
  double d;
  int32_t i;
  switch (dtype) {
  case KILN_TENSOR_F32: memcpy(&f, &bits, sizeof f); return f;
  case KILN_TENSOR_F64: memcpy(&d, &bits, sizeof d); return d;
  case KILN_TENSOR_I32: memcpy(&i, &bits, sizeof i); return i;
  case KILN_TENSOR_I64: return (double)bits;
  default: return (bits & 0xff) != 0;
  }
}

int64_t kt_graph_from_double(double v, int dtype) {
  int64_t bits = 0;
  float f = (float)v;
  int32_t i = (int32_t)v;
  switch (dtype) {
  case KILN_TENSOR_F32: memcpy(&bits, &f, sizeof f); break;
  case KILN_TENSOR_F64: memcpy(&bits, &v, sizeof v); break;
  case KILN_TENSOR_I32: memcpy(&bits, &i, sizeof i); break;
  case KILN_TENSOR_I64: bits = (int64_t)v; break;
  default: bits = v != 0; break;
  }
  return bits;
}

int kt_graph_fail(const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  return kt_aot_fail(text);
}

void kt_graph_shape_text(char *buf, size_t size, const int64_t *dims,
                         int rank) {
  size_t used = (size_t)snprintf(buf, size, "[");
  int d;
  for (d = 0; d < rank && used < size; ++d)
    used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "",
                             (long long)dims[d]);
  if (used < size)
    snprintf(buf + used, size - used, "]");
}

kt_graph_ctx *kt_graph_create(const kt_graph *g) {
  kt_graph_ctx *c = calloc(1, sizeof *c);
  if (!c)
    return 0;
  c->g = g;
  c->slots = calloc((size_t)g->nnodes + 1, sizeof *c->slots);
  c->key = calloc((size_t)g->inputs.nparams * 5 + 1, sizeof *c->key);
  c->scratch =
      calloc(3 * ((size_t)g->nnodes + (size_t)g->nsteps) + 1, sizeof(int64_t));
  c->alias = calloc((size_t)g->nsteps + 1, 1);
  if (!c->slots || !c->key || !c->scratch || !c->alias) {
    kt_graph_free(c);
    return 0;
  }
  return c;
}

void kt_graph_free(kt_graph_ctx *c) {
  if (!c)
    return;
  free(c->slots);
  free(c->key);
  free(c->scratch);
  free(c->alias);
  free(c->work);
  free(c);
}

/* Whether the inputs' ranks and shapes are the planned ones; `store`
 * records them as the planned ones instead. */
static int sameKey(kt_graph_ctx *c, const kiln_tensor_array *const *arrays,
                   int store) {
  int32_t i;
  int d, same = c->planned;
  for (i = 0; i < c->g->inputs.nparams; ++i) {
    int64_t *k = c->key + 5 * i;
    const kiln_tensor_array *a = arrays[i];
    int rank = c->g->inputs.params[i].isArray ? a->rank : -1;
    same = same && k[0] == rank;
    if (store)
      k[0] = rank;
    for (d = 0; d < rank; ++d) {
      same = same && k[1 + d] == a->shape[d];
      if (store)
        k[1 + d] = a->shape[d];
    }
  }
  return same;
}

/* Whether array parameter i of `k` is a contiguous view of its dtype
 * (AotAbi.h's fast check: no message to format); else the full check. */
static int plain(const kt_aot_kernel *k, int32_t i,
                 const kiln_tensor_array *a) {
  return kt_aot_plain_size(a, k->params[i].dtype, a) >= 0;
}

/* The input checks, then a plan for their shapes unless it is the last. */
static int prepare(kt_graph_ctx *c, const kiln_tensor_array *const *arrays) {
  int32_t i;
  int err;
  if (!c)
    return kt_graph_fail("the graph context is a null pointer");
  for (i = 0; i < c->g->inputs.nparams; ++i)
    if (c->g->inputs.params[i].isArray && !plain(&c->g->inputs, i, arrays[i]) &&
        (err = kt_aot_check_param(&c->g->inputs, i, arrays[i])) != 0)
      return err;
  if (sameKey(c, arrays, 0))
    return 0;
  c->planned = 0;
  if ((err = kt_graph_infer(c, arrays)) != 0 || (err = kt_graph_layout(c)))
    return err;
  sameKey(c, arrays, 1);
  c->planned = 1;
  return 0;
}

/* The slot holding result i (a parameter's, a literal's, a step's). */
static const kt_gslot *resultSlot(kt_graph_ctx *c, int32_t i) {
  return &c->slots[c->g->resultNodes[i]];
}

int kt_graph_shapes(kt_graph_ctx *c, const kiln_tensor_array *const *arrays,
                    const int64_t *scalars, kiln_tensor_array *const *outs) {
  int32_t i;
  int err;
  (void)scalars;
  if ((err = prepare(c, arrays)) != 0)
    return err;
  for (i = 0; i < c->g->results.nparams; ++i) {
    const kt_gslot *s = resultSlot(c, i);
    kiln_tensor_array *o = outs[i];
    int64_t step = 1;
    int d;
    if (!o || !c->g->results.params[i].isArray)
      continue;
    o->dtype = c->g->results.params[i].dtype;
    o->rank = s->scalar ? 0 : s->rank;
    for (d = o->rank; d-- > 0;)
      o->shape[d] = s->dims[d], o->strides[d] = step, step *= s->dims[d];
  }
  kt_aot_call_ok();
  return 0;
}

/* Bytes [lo, hi] a view spans (AotRuntime.c's byteRange). */
static void byteRange(const kiln_tensor_array *a, intptr_t *lo, intptr_t *hi) {
  int64_t size = kt_graph_dtype_size(a->dtype);
  int d;
  *lo = *hi = (intptr_t)a->data;
  for (d = 0; d < a->rank; ++d) {
    int64_t span = (a->shape[d] - 1) * a->strides[d] * size;
    *(span < 0 ? lo : hi) += span;
  }
  *hi += size - 1;
}

static int64_t elements(const kiln_tensor_array *a) {
  int64_t n = 1;
  int d;
  for (d = 0; d < a->rank; ++d)
    n *= a->shape[d];
  return n;
}

/* Output i: a valid view of the result's dtype and shape, apart from the
 * outputs before it (outputs may be the memory of inputs). */
static int checkOut(kt_graph_ctx *c, kiln_tensor_array *const *outs,
                    int32_t i) {
  const kiln_tensor_array *o = outs[i];
  const kt_gslot *s = resultSlot(c, i);
  char want[96], got[96];
  intptr_t lo, hi, lo2, hi2;
  int32_t j;
  int err, rank = s->scalar ? 0 : s->rank;
  if (!plain(&c->g->results, i, o) &&
      (err = kt_aot_check_param(&c->g->results, i, o)) != 0)
    return err;
  kt_graph_shape_text(want, sizeof want, s->dims, rank);
  kt_graph_shape_text(got, sizeof got, o->shape, o->rank);
  if (strcmp(want, got) != 0 || o->rank != rank)
    return kt_graph_fail("argument '%s': shape %s does not match the "
                         "result's shape %s",
                         c->g->results.params[i].name, got, want);
  if (!elements(o))
    return 0;
  byteRange(o, &lo, &hi);
  for (j = 0; j < i; ++j) {
    if (!outs[j] || !c->g->results.params[j].isArray || !elements(outs[j]))
      continue;
    byteRange(outs[j], &lo2, &hi2);
    if (lo <= hi2 && lo2 <= hi)
      return kt_graph_fail("argument '%s' overlaps argument '%s' (results "
                           "need memory of their own)",
                           c->g->results.params[i].name,
                           c->g->results.params[j].name);
  }
  return 0;
}

static void bindInputs(kt_graph_ctx *c, const kiln_tensor_array *const *arrays,
                       const int64_t *scalars) {
  int32_t id;
  for (id = 0; id < c->g->nnodes; ++id) {
    const kt_graph_node *n = &c->g->nodes[id];
    if (n->op != KT_GN_INPUT)
      continue;
    if (c->g->inputs.params[n->axis].isArray)
      c->slots[id].v = *arrays[n->axis];
    else
      c->slots[id].bits = scalars[n->axis];
  }
}

/* Whether `a` is contiguous (row-major, strides in elements). */
static int contiguousView(const kiln_tensor_array *a) {
  int64_t step = 1;
  int d;
  for (d = a->rank; d-- > 0; step *= a->shape[d])
    if (a->shape[d] != 1 && a->strides[d] != step)
      return 0;
  return 1;
}

/* Copies `src` into `dst` (same dtype and shape, any strides): one memcpy
 * when both are contiguous, else element by element. */
static void copyView(const kiln_tensor_array *src, kiln_tensor_array *dst) {
  int64_t dims[4] = {1, 1, 1, 1}, ss[4] = {0, 0, 0, 0}, ds[4] = {0, 0, 0, 0};
  int64_t i, j, k, l, size = kt_graph_dtype_size(src->dtype), n = 1;
  int d, pad = 4 - src->rank;
  for (d = 0; d < src->rank; ++d) {
    dims[pad + d] = src->shape[d], n *= src->shape[d];
    ss[pad + d] = src->strides[d] * size, ds[pad + d] = dst->strides[d] * size;
  }
  if (n && contiguousView(src) && contiguousView(dst)) {
    if (src->data != dst->data)
      memmove(dst->data, src->data, (size_t)(n * size));
    return;
  }
  for (i = 0; i < dims[0]; ++i)
    for (j = 0; j < dims[1]; ++j)
      for (k = 0; k < dims[2]; ++k) {
        char *o = (char *)dst->data + i * ds[0] + j * ds[1] + k * ds[2];
        const char *p =
            (const char *)src->data + i * ss[0] + j * ss[1] + k * ss[2];
        for (l = 0; l < dims[3]; ++l)
          memcpy(o + l * ds[3], p + l * ss[3], (size_t)size);
      }
}

static void copyResult(kt_graph_ctx *c, int32_t i,
                       kiln_tensor_array *const *outs,
                       void *const *scalarOuts) {
  const kt_graph_node *n = &c->g->nodes[c->g->resultNodes[i]];
  const kt_gslot *s = resultSlot(c, i);
  int dtype = c->g->results.params[i].dtype;
  int64_t bits =
      n->op == KT_GN_NUMBER ? kt_graph_from_double(n->number, dtype) : s->bits;
  if (c->g->results.params[i].isArray && outs[i])
    copyView(&s->v, outs[i]);
  else if (!c->g->results.params[i].isArray && scalarOuts[i])
    memcpy(scalarOuts[i], &bits, (size_t)kt_graph_dtype_size(dtype));
}

int kt_graph_run(kt_graph_ctx *c, const kiln_tensor_array *const *arrays,
                 const int64_t *scalars, kiln_tensor_array *const *outs,
                 void *const *scalarOuts) {
  int32_t i, pass;
  int err;
  if ((err = prepare(c, arrays)) != 0)
    return err;
  for (i = 0; i < c->g->results.nparams; ++i)
    if (outs[i] && c->g->results.params[i].isArray &&
        (err = checkOut(c, outs, i)) != 0)
      return err;
  bindInputs(c, arrays, scalars);
  if ((err = kt_graph_steps(c)) != 0)
    return err;
  /* Results that are parameters first: an output may be an input's memory
   * (an in-place update), which the other results no longer read. */
  for (pass = 0; pass < 2; ++pass)
    for (i = 0; i < c->g->results.nparams; ++i)
      if ((c->g->nodes[c->g->resultNodes[i]].op == KT_GN_INPUT) == !pass)
        copyResult(c, i, outs, scalarOuts);
  kt_aot_call_ok();
  return 0;
}
