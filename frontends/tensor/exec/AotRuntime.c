/* AotRuntime: the call check and context set-up of AOT kernel libraries.
 *
 * C, libc only, so a library built by `kiln tensor build` needs no LLVM and
 * no C++ runtime. The messages match kiln::tensor::checkCall (Array.cpp).
 * A call whose arrays are all contiguous with one shape is checked with
 * plain compares and runs the flat loop at once (plainContext, as in the
 * JIT's Run.cpp); every other call, and every wrong one, takes the general
 * check, which formats the message. */
#include "AotAbi.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char lastError[512];

const char *kt_aot_last_error(void) { return lastError; }

static const char *dtypeName(int t) {
  static const char *names[] = {"bool", "i32", "i64", "f32", "f64"};
  return t >= 0 && t <= 4 ? names[t] : "unknown";
}

static int dtypeSize(int t) { return t == 0 ? 1 : t == 1 || t == 3 ? 4 : 8; }

static int fail(const char *fmt, const char *a, const char *b, const char *c) {
  snprintf(lastError, sizeof lastError, fmt, a, b, c);
  return KILN_TENSOR_EINVAL;
}

static void shapeText(char *buf, size_t size, const int64_t *shape, int rank) {
  int d;
  size_t used = (size_t)snprintf(buf, size, "[");
  for (d = 0; d < rank && used < size; ++d)
    used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "",
                             (long long)shape[d]);
  if (used < size)
    snprintf(buf + used, size - used, "]");
}

static int64_t sizeOf(const kiln_tensor_array *a) {
  int64_t n = 1;
  int d;
  for (d = 0; d < a->rank; ++d)
    n *= a->shape[d];
  return n;
}

static int checkView(const char *what, const kiln_tensor_array *a) {
  int d;
  char num[32];
  if (a->rank < 0 || a->rank > 4) {
    snprintf(num, sizeof num, "%d", (int)a->rank);
    return fail("%s: rank %s is out of range (0-4)", what, num, "");
  }
  for (d = 0; d < a->rank; ++d)
    if (a->shape[d] < 0) {
      char dim[16];
      snprintf(dim, sizeof dim, "%d", d);
      snprintf(num, sizeof num, "%lld", (long long)a->shape[d]);
      return fail("%s: dimension %s is negative (%s)", what, dim, num);
    }
  if (!a->data && sizeOf(a) > 0)
    return fail("%s: data pointer is null", what, "", "");
  return 0;
}

/* Broadcasts `a` into `shape` (4 dims, right-aligned). */
static int broadcastInto(int64_t *shape, const kiln_tensor_array *a) {
  int d;
  for (d = 0; d < a->rank; ++d) {
    int64_t *o = &shape[4 - a->rank + d];
    int64_t s = a->shape[d];
    if (s == *o || s == 1)
      continue;
    if (*o != 1)
      return 0;
    *o = s;
  }
  return 1;
}

static void fillSlot(int64_t *ctx, int slot, const kiln_tensor_array *a) {
  int64_t *s = ctx + KT_CTX_SLOTS + slot * KT_SLOT_WORDS;
  int d, pad = 4 - a->rank;
  s[KT_SLOT_DATA] = (int64_t)(intptr_t)a->data;
  for (d = 0; d < 4; ++d) {
    int src = d - pad;
    s[KT_SLOT_STRIDES + d] =
        src >= 0 && a->shape[src] != 1 ? a->strides[src] : 0;
  }
}

static void byteRange(const kiln_tensor_array *a, intptr_t *lo, intptr_t *hi) {
  int d;
  int64_t size = dtypeSize(a->dtype);
  *lo = *hi = (intptr_t)a->data;
  for (d = 0; d < a->rank; ++d) {
    int64_t span = (a->shape[d] - 1) * a->strides[d] * size;
    if (span < 0)
      *lo += span;
    else
      *hi += span;
  }
  *hi += size - 1;
}

static int sameView(const kiln_tensor_array *a, const kiln_tensor_array *b) {
  int d;
  if (a->data != b->data || a->rank != b->rank || a->dtype != b->dtype)
    return 0;
  for (d = 0; d < a->rank; ++d)
    if (a->shape[d] != b->shape[d] ||
        (a->shape[d] != 1 && a->strides[d] != b->strides[d]))
      return 0;
  return 1;
}

static int checkArgs(const kt_aot_kernel *k,
                     const kiln_tensor_array *const *arrays, int64_t *shape,
                     int *rank) {
  char what[160], a[96], b[96];
  int i, err;
  for (i = 0; i < 4; ++i)
    shape[i] = 1;
  *rank = 0;
  for (i = 0; i < k->nparams; ++i) {
    const kt_param_desc *p = &k->params[i];
    const kiln_tensor_array *v = arrays[i];
    if (!p->isArray)
      continue;
    snprintf(what, sizeof what, "argument '%s'", p->name);
    if (!v)
      return fail("%s: expected an array (%s[]), got a null pointer", what,
                  dtypeName(p->dtype), "");
    if (v->dtype != p->dtype)
      return fail("%s: dtype %s does not match parameter type %s", what,
                  dtypeName(v->dtype), dtypeName(p->dtype));
    if ((err = checkView(what, v)) != 0)
      return err;
    shapeText(a, sizeof a, shape + 4 - *rank, *rank);
    if (!broadcastInto(shape, v)) {
      shapeText(b, sizeof b, v->shape, v->rank);
      return fail("%s: shape %s does not broadcast with %s (the arguments "
                  "before it)", what, b, a);
    }
    if (v->rank > *rank)
      *rank = v->rank;
  }
  return 0;
}

static int checkOut(const kt_aot_kernel *k,
                    const kiln_tensor_array *const *arrays,
                    const kiln_tensor_array *out, const int64_t *shape,
                    int rank) {
  char a[96], b[96];
  int i, err;
  intptr_t olo, ohi, lo, hi;
  if (!out)
    return fail("kernel '%s' returns an array: pass an output array",
                k->name, "", "");
  if ((err = checkView("output", out)) != 0)
    return err;
  if (out->dtype != k->resultDtype)
    return fail("output: dtype %s does not match the result type %s",
                dtypeName(out->dtype), dtypeName(k->resultDtype), "");
  shapeText(a, sizeof a, out->shape, out->rank);
  shapeText(b, sizeof b, shape + 4 - rank, rank);
  if (strcmp(a, b) != 0 || out->rank != rank)
    return fail("output: shape %s does not match the broadcast shape %s", a,
                b, "");
  if (sizeOf(out) == 0)
    return 0;
  byteRange(out, &olo, &ohi);
  for (i = 0; i < k->nparams; ++i) {
    const kiln_tensor_array *v = arrays[i];
    if (!k->params[i].isArray || sizeOf(v) == 0 || sameView(v, out))
      continue;
    byteRange(v, &lo, &hi);
    if (lo <= ohi && olo <= hi)
      return fail("output overlaps argument '%s' (an output may only alias "
                  "an identical input view)", k->params[i].name, "", "");
  }
  return 0;
}

/* The element count of `v` when it has `ref`'s rank (0-4) and shape, is
 * contiguous and has data unless empty; else -1. */
static int64_t plainSize(const kiln_tensor_array *v,
                         const kiln_tensor_array *ref) {
  int64_t expected = 1;
  int d;
  if (v->rank != ref->rank || v->rank < 0 || v->rank > 4)
    return -1;
  for (d = v->rank - 1; d >= 0; --d) {
    int64_t size = v->shape[d];
    if (size != ref->shape[d] || size < 0 ||
        (size != 1 && v->strides[d] != expected))
      return -1;
    expected *= size;
  }
  return v->data != NULL || expected == 0 ? expected : -1;
}

/* Contiguous views of n elements: disjoint, or the same elements as
 * `out`. */
static int plainDisjoint(const kiln_tensor_array *in,
                         const kiln_tensor_array *out, int64_t n) {
  uintptr_t lo = (uintptr_t)in->data, olo = (uintptr_t)out->data;
  if (n == 0 || (in->data == out->data && in->dtype == out->dtype))
    return 1;
  return lo + (uintptr_t)n * (uintptr_t)dtypeSize(in->dtype) <= olo ||
         olo + (uintptr_t)n * (uintptr_t)dtypeSize(out->dtype) <= lo;
}

/* One slot of a contiguous call: data, strides {0, 0, 0, 1}, scalar bits. */
static void plainSlot(int64_t *ctx, int slot, const kiln_tensor_array *a,
                      int64_t scalar) {
  int64_t *s = ctx + KT_CTX_SLOTS + slot * KT_SLOT_WORDS;
  s[KT_SLOT_DATA] = a ? (int64_t)(intptr_t)a->data : 0;
  s[KT_SLOT_STRIDES] = s[KT_SLOT_STRIDES + 1] = s[KT_SLOT_STRIDES + 2] = 0;
  s[KT_SLOT_STRIDES + 3] = a ? 1 : 0;
  s[KT_SLOT_SCALAR] = scalar;
}

/* The fast path: checks the call with plain compares while filling `ctx`
 * as a one-dimensional walk of n elements. 0 for anything but a
 * well-formed call whose arrays (and array output) are all contiguous with
 * one shape; the general check then decides, and words any error. */
static int plainContext(const kt_aot_kernel *k,
                        const kiln_tensor_array *const *arrays,
                        const int64_t *scalars,
                        const kiln_tensor_array *out, const void *result,
                        int64_t *ctx) {
  const kiln_tensor_array *ref = k->resultIsArray ? out : NULL;
  int64_t n = 1;
  int i, any = 0;
  if (k->nparams >= 64 ||
      (k->resultIsArray ? !out || out->dtype != k->resultDtype ||
                              (n = plainSize(out, out)) < 0
                        : !result))
    return 0;
  for (i = 0; i < k->nparams; ++i) {
    const kiln_tensor_array *v = arrays[i];
    if (!k->params[i].isArray) {
      plainSlot(ctx, i, NULL, scalars[i]);
      continue;
    }
    if (!v || v->dtype != k->params[i].dtype)
      return 0;
    ref = ref ? ref : v;
    if ((n = plainSize(v, ref)) < 0 ||
        (k->resultIsArray && !plainDisjoint(v, out, n)))
      return 0;
    any = 1;
    plainSlot(ctx, i, v, 0);
  }
  /* No array argument: the broadcast shape is [] (rank 0). */
  if (k->resultIsArray && !any && out->rank != 0)
    return 0;
  plainSlot(ctx, k->nparams, k->resultIsArray ? out : NULL, 0);
  ctx[KT_CTX_SHAPE] = ctx[KT_CTX_SHAPE + 1] = ctx[KT_CTX_SHAPE + 2] = 1;
  ctx[KT_CTX_SHAPE + 3] = n;
  return 1;
}

/* Runs a filled context on the driver (contiguous: the fast entry),
 * single-threaded; copies a scalar result out. */
static int runContext(const kt_aot_kernel *k, int64_t *ctx, void *result,
                      int contiguous) {
  unsigned char bytes[8] = {0};
  int rc = contiguous ? kt_execute_contiguous(&k->fns, ctx, bytes, NULL)
                      : kt_execute(&k->fns, ctx, bytes, NULL);
  if (rc == 2) {
    snprintf(lastError, sizeof lastError,
             "out of memory for the reduction partials of kernel '%s'",
             k->name);
    return KILN_TENSOR_ENOMEM;
  }
  if (!k->resultIsArray)
    memcpy(result, bytes, (size_t)dtypeSize(k->resultDtype));
  return KILN_TENSOR_OK;
}

int kt_aot_call(const kt_aot_kernel *k, const kiln_tensor_array *const *arrays,
                const int64_t *scalars, kiln_tensor_array *out, void *result) {
  int64_t ctx[KT_CTX_WORDS(64)], shape[4];
  int rank, i, err;
  lastError[0] = '\0';
  if (plainContext(k, arrays, scalars, out, result, ctx))
    return runContext(k, ctx, result, 1);
  if ((err = checkArgs(k, arrays, shape, &rank)) != 0)
    return err;
  if (k->resultIsArray && (err = checkOut(k, arrays, out, shape, rank)) != 0)
    return err;
  if (!k->resultIsArray && !result)
    return fail("kernel '%s' returns a scalar: pass a result pointer",
                k->name, "", "");
  memset(ctx, 0, sizeof ctx);
  for (i = 0; i < 4; ++i)
    ctx[KT_CTX_SHAPE + i] = shape[i];
  for (i = 0; i < k->nparams; ++i) {
    if (k->params[i].isArray)
      fillSlot(ctx, i, arrays[i]);
    else
      ctx[KT_CTX_SLOTS + i * KT_SLOT_WORDS + KT_SLOT_SCALAR] = scalars[i];
  }
  if (k->resultIsArray)
    fillSlot(ctx, k->nparams, out);
  return runContext(k, ctx, result, 0);
}
