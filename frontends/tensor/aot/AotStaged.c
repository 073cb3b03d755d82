/* AotStaged: the entry of an axis-reduction kernel in an AOT library — the
 * call check by the kernel's shape program (AotStaged.h), then the staged
 * plan on the shared runner (engine/StagedRun.c), single-threaded.
 *
 * The checks and their messages are checkCall's for such kernels
 * (syntax/Array.cpp argsProblem, syntax/AxisShape.cpp): each argument, then
 * every node's shape children first, the result's size, the output. */
#include "AotStaged.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct NodeShape {
  int rank;
  int64_t dim[4];
} NodeShape;

static void shapeText(char *buf, size_t size, const NodeShape *s) {
  size_t used = (size_t)snprintf(buf, size, "[");
  int d;
  for (d = 0; d < s->rank && used < size; ++d)
    used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "",
                             (long long)s->dim[d]);
  if (used < size)
    snprintf(buf + used, size - used, "]");
}

/* NumPy broadcasting of the children's shapes into *out; 0 if they clash. */
static int broadcastKids(const kt_shape_node *n, const NodeShape *shapes,
                         NodeShape *out) {
  int k, d, rank = 0;
  for (k = 0; k < n->nkids; ++k)
    if (shapes[n->kids[k]].rank > rank)
      rank = shapes[n->kids[k]].rank;
  out->rank = rank;
  for (d = 0; d < rank; ++d)
    out->dim[d] = 1;
  for (k = 0; k < n->nkids; ++k) {
    const NodeShape *s = &shapes[n->kids[k]];
    for (d = 0; d < s->rank; ++d) {
      int64_t *o = &out->dim[rank - s->rank + d], v = s->dim[d];
      if (v == *o || v == 1)
        continue;
      if (*o != 1)
        return 0;
      *o = v;
    }
  }
  return 1;
}

static int clash(const kt_shape_node *n, const NodeShape *shapes) {
  char a[96], b[96], c[96], msg[400];
  shapeText(a, sizeof a, &shapes[n->kids[0]]);
  shapeText(b, sizeof b, &shapes[n->kids[1]]);
  c[0] = 0;
  if (n->nkids > 2) {
    strcpy(c, " and ");
    shapeText(c + 5, sizeof c - 5, &shapes[n->kids[2]]);
  }
  snprintf(msg, sizeof msg, "operand shapes %s and %s%s do not broadcast", a,
           b, c);
  return kt_aot_fail(msg);
}

/* The problem of axis reduction n on `arg` (AxisShape.cpp axisProblem):
 * an axis out of range, a dimension named twice, an empty axis without an
 * identity; 0 and each axis normalised into norm[] when there is none. */
static int axisProblem(const kt_shape_node *n, const NodeShape *arg,
                       int *norm) {
  char text[96], msg[400];
  int r = arg->rank, a, b;
  shapeText(text, sizeof text, arg);
  for (a = 0; a < n->naxes; ++a)
    if (n->axes[a] < -r || n->axes[a] >= r) {
      snprintf(msg, sizeof msg,
               "'%s': axis %d is out of range for an argument of shape %s "
               "(rank %d)",
               n->name, n->axes[a], text, r);
      return kt_aot_fail(msg);
    }
  for (a = 0; a < n->naxes; ++a) {
    norm[a] = n->axes[a] < 0 ? n->axes[a] + r : n->axes[a];
    for (b = 0; b < a; ++b)
      if (norm[b] == norm[a]) {
        snprintf(msg, sizeof msg,
                 "'%s': axis=%s names dimension %d twice for an argument of "
                 "shape %s",
                 n->name, n->axisText, norm[a], text);
        return kt_aot_fail(msg);
      }
  }
  for (a = 0; a < n->naxes; ++a)
    if (n->noIdentity && arg->dim[norm[a]] == 0) {
      snprintf(msg, sizeof msg,
               "'%s': axis %d of the argument's shape %s is empty, and %s "
               "has no identity",
               n->name, n->axes[a], text, n->name);
      return kt_aot_fail(msg);
    }
  return 0;
}

/* The axis reduction's shape, or its problem. */
static int axisShape(const kt_shape_node *n, const NodeShape *arg,
                     NodeShape *out) {
  int norm[4], reduced[4] = {0, 0, 0, 0}, a, d, err;
  if ((err = axisProblem(n, arg, norm)) != 0)
    return err;
  for (a = 0; a < n->naxes; ++a)
    reduced[norm[a]] = 1;
  out->rank = 0;
  for (d = 0; d < arg->rank; ++d)
    if (!reduced[d] || n->keepdims)
      out->dim[out->rank++] = reduced[d] ? 1 : arg->dim[d];
  return 0;
}

/* Every node's shape into shapes; the first problem's error code. */
static int nodeShapes(const kt_aot_staged *k,
                      const kiln_tensor_array *const *arrays,
                      NodeShape *shapes) {
  int i, d, err;
  for (i = 0; i < k->nnodes; ++i) {
    const kt_shape_node *n = &k->nodes[i];
    NodeShape *s = &shapes[i];
    s->rank = 0;
    if (n->kind == KT_SHAPE_PARAM) {
      s->rank = arrays[n->param]->rank;
      for (d = 0; d < s->rank; ++d)
        s->dim[d] = arrays[n->param]->shape[d];
    } else if (n->kind == KT_SHAPE_AXIS) {
      if ((err = axisShape(n, &shapes[n->kids[0]], s)) != 0)
        return err;
    } else if (n->kind == KT_SHAPE_EACH && !broadcastKids(n, shapes, s)) {
      return clash(n, shapes);
    }
  }
  return 0;
}

int kt_aot_staged_shape(const kt_aot_staged *k,
                        const kiln_tensor_array *const *arrays, int64_t *shape,
                        int *rank) {
  NodeShape *shapes;
  int i, d, err = 0;
  for (i = 0; i < k->desc.nparams; ++i)
    if (k->desc.params[i].isArray &&
        (err = kt_aot_check_param(&k->desc, i, arrays[i])) != 0)
      return err;
  shapes = (NodeShape *)malloc((size_t)k->nnodes * sizeof *shapes);
  if (!shapes)
    return kt_aot_fail("out of memory checking an axis-reduction call");
  if ((err = nodeShapes(k, arrays, shapes)) == 0) {
    const NodeShape *root = &shapes[k->nnodes - 1];
    *rank = root->rank;
    for (d = 0; d < 4; ++d)
      shape[d] = d < 4 - root->rank ? 1 : root->dim[d - 4 + root->rank];
  }
  free(shapes);
  return err ? err : kt_aot_check_count(shape, *rank);
}

/* The checks; the result's shape (4 dims right-aligned) and rank. */
static int check(const kt_aot_staged *k, const kiln_tensor_array *const *arrays,
                 kiln_tensor_array *out, void *result, int64_t *shape,
                 int *rank) {
  int err = kt_aot_staged_shape(k, arrays, shape, rank);
  if (err)
    return err;
  if (k->desc.resultIsArray)
    return kt_aot_check_out(&k->desc, arrays, out, shape, *rank);
  if (!result) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "kernel '%s' returns a scalar: pass a result pointer",
             k->desc.name);
    return kt_aot_fail(msg);
  }
  return 0;
}

static kt_view viewOf(const kiln_tensor_array *a) {
  kt_view v;
  memset(&v, 0, sizeof v);
  if (!a)
    return v;
  v.data = a->data;
  v.dtype = a->dtype;
  v.rank = a->rank;
  memcpy(v.shape, a->shape, sizeof v.shape);
  memcpy(v.strides, a->strides, sizeof v.strides);
  return v;
}

int kt_aot_staged_call(const kt_aot_staged *k,
                       const kiln_tensor_array *const *arrays,
                       const int64_t *scalars, kiln_tensor_array *out,
                       void *result) {
  kt_view views[64], outView;
  int64_t shape[4];
  unsigned char bytes[8] = {0};
  int rank = 0, i, rc, size;
  kt_aot_call_ok();
  if ((rc = check(k, arrays, out, result, shape, &rank)) != 0)
    return rc;
  for (i = 0; i < k->desc.nparams && i < 64; ++i)
    views[i] = viewOf(k->desc.params[i].isArray ? arrays[i] : NULL);
  outView = viewOf(k->desc.resultIsArray ? out : NULL);
  rc = kt_staged_run(k->plan, views, scalars, &outView, bytes, NULL, NULL);
  if (rc) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "out of memory for the temporaries of an axis reduction in "
             "kernel '%s'",
             k->desc.name);
    kt_aot_fail(msg);
    return KILN_TENSOR_ENOMEM;
  }
  size = k->desc.resultDtype == 0 ? 1
         : k->desc.resultDtype == 1 || k->desc.resultDtype == 3 ? 4 : 8;
  if (!k->desc.resultIsArray)
    memcpy(result, bytes, (size_t)size);
  return KILN_TENSOR_OK;
}
