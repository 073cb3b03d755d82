/* AotRuntime: the call check and context set-up of AOT kernel libraries.
 *
 * C, libc only, so a library built by `kiln tensor build` needs no LLVM and
 * no C++ runtime. The messages match kiln::tensor::checkCall (Array.cpp).
 * A call whose arrays are all contiguous with one shape is checked by the
 * generated wrapper itself, with the inline compares of AotAbi.h (the JIT's
 * Run.cpp plainContext, unrolled per kernel), and run at once (elementwise:
 * the wrapper calls the flat loop; reductions: kt_aot_run_plain); every
 * other call, and every wrong one, takes the general check (kt_aot_call),
 * which formats the message. */
#include "AotAbi.h"
#include "AotStaged.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char lastError[512];
/* Whether lastError is this thread's last call's message (kt_aot_pending
 * counts the threads where it is, AotAbi.h). */
static _Thread_local unsigned char failed;
int kt_aot_pending;

const char *kt_aot_last_error(void) { return failed ? lastError : ""; }

/* Marks the message just written as this call's. */
static void setError(void) {
  if (!failed) {
    failed = 1;
    __atomic_fetch_add(&kt_aot_pending, 1, __ATOMIC_RELAXED);
  }
}

void kt_aot_clear_error(void) {
  if (failed) {
    failed = 0;
    __atomic_fetch_sub(&kt_aot_pending, 1, __ATOMIC_RELAXED);
  }
}

static const char *dtypeName(int t) {
  static const char *names[] = {"bool", "i32", "i64", "f32", "f64"};
  return t >= 0 && t <= 4 ? names[t] : "unknown";
}

static int dtypeSize(int t) { return t == 0 ? 1 : t == 1 || t == 3 ? 4 : 8; }

static int fail(const char *fmt, const char *a, const char *b, const char *c) {
  snprintf(lastError, sizeof lastError, fmt, a, b, c);
  setError();
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

/* The product of `rank` dimensions (each >= 0), or -1 beyond
 * KT_MAX_ELEMENTS (a zero dimension makes it 0 whatever the others are). */
static int64_t countOf(const int64_t *shape, int rank) {
  int64_t n = 1;
  int d;
  for (d = 0; d < rank; ++d)
    if (shape[d] == 0)
      return 0;
  for (d = 0; d < rank; ++d)
    if (__builtin_mul_overflow(n, shape[d], &n) || n > KT_MAX_ELEMENTS)
      return -1;
  return n;
}

/* The element count of a view checkView accepted. */
static int64_t sizeOf(const kiln_tensor_array *a) {
  return countOf(a->shape, a->rank);
}

/* Whether the bytes `a` spans do not fit in an int64_t (Array.cpp). */
static int spanOverflows(const kiln_tensor_array *a) {
  int64_t total = 0, size = dtypeSize(a->dtype), span;
  int d;
  for (d = 0; d < a->rank; ++d) {
    span = 0;
    if (a->shape[d] > 1 &&
        (__builtin_mul_overflow(a->shape[d] - 1, a->strides[d], &span) ||
         __builtin_mul_overflow(span, size, &span) || span == INT64_MIN ||
         __builtin_add_overflow(total, span < 0 ? -span : span, &total)))
      return 1;
  }
  return 0;
}

static int tooMany(const char *what, const int64_t *shape, int rank) {
  char text[96];
  shapeText(text, sizeof text, shape, rank);
  return fail("%s%sshape %s has too many elements (the limit is 2^60)", what,
              what[0] ? ": " : "the broadcast ", text);
}

static int checkView(const char *what, const kiln_tensor_array *a) {
  int64_t count;
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
  if ((count = countOf(a->shape, a->rank)) < 0)
    return tooMany(what, a->shape, a->rank);
  if (count > 0 && spanOverflows(a))
    return fail("%s: strides reach beyond the address space", what, "", "");
  if (!a->data && sizeOf(a) > 0)
    return fail("%s: data pointer is null", what, "", "");
  return 0;
}

/* Whether checkView accepts `a` (its conditions, no message formatted:
 * calls that pass do no string work). */
static int viewOk(const kiln_tensor_array *a) {
  int64_t count;
  int d;
  if (a->rank < 0 || a->rank > 4)
    return 0;
  for (d = 0; d < a->rank; ++d)
    if (a->shape[d] < 0)
      return 0;
  if ((count = countOf(a->shape, a->rank)) < 0)
    return 0;
  return !(count > 0 && spanOverflows(a)) && (a->data || count == 0);
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
  int64_t before[4];
  int i, err;
  for (i = 0; i < 4; ++i)
    shape[i] = 1;
  *rank = 0;
  for (i = 0; i < k->nparams; ++i) {
    const kt_param_desc *p = &k->params[i];
    const kiln_tensor_array *v = arrays[i];
    if (!p->isArray)
      continue;
    if ((err = kt_aot_check_param(k, i, v)) != 0)
      return err;
    memcpy(before, shape, sizeof before);
    if (!broadcastInto(shape, v)) {
      snprintf(what, sizeof what, "argument '%s'", p->name);
      shapeText(a, sizeof a, before + 4 - *rank, *rank);
      shapeText(b, sizeof b, v->shape, v->rank);
      return fail("%s: shape %s does not broadcast with %s (the arguments "
                  "before it)",
                  what, b, a);
    }
    if (v->rank > *rank)
      *rank = v->rank;
  }
  if (countOf(shape + 4 - *rank, *rank) < 0)
    return tooMany("", shape + 4 - *rank, *rank);
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
    return fail("kernel '%s' returns an array: pass an output array", k->name,
                "", "");
  if ((err = checkView("output", out)) != 0)
    return err;
  if (out->dtype != k->resultDtype)
    return fail("output: dtype %s does not match the result type %s",
                dtypeName(out->dtype), dtypeName(k->resultDtype), "");
  if (out->rank != rank ||
      memcmp(out->shape, shape + 4 - rank, sizeof(int64_t) * (size_t)rank)) {
    shapeText(a, sizeof a, out->shape, out->rank);
    shapeText(b, sizeof b, shape + 4 - rank, rank);
    return fail("output: shape %s does not match the broadcast shape %s", a, b,
                "");
  }
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
                  "an identical input view)",
                  k->params[i].name, "", "");
  }
  return 0;
}

int64_t kt_aot_plain_size(const kiln_tensor_array *v, int t,
                          const kiln_tensor_array *ref) {
  int64_t expected = 1;
  int d;
  if (!v || v->dtype != t || v->rank != ref->rank || v->rank < 0 || v->rank > 4)
    return -1;
  for (d = v->rank - 1; d >= 0; --d) {
    int64_t size = v->shape[d];
    if (size != ref->shape[d] || size < 0 ||
        (size != 1 && v->strides[d] != expected) ||
        __builtin_mul_overflow(expected, size, &expected) ||
        expected > KT_MAX_ELEMENTS)
      return -1;
  }
  return v->data != NULL || expected == 0 ? expected : -1;
}

/* Runs a filled context on the driver (n >= 0: the contiguous fast entry
 * for n elements), single-threaded; copies a scalar result out. */
static int runContext(const kt_aot_kernel *k, int64_t *ctx, int64_t n,
                      void *result) {
  unsigned char bytes[8] = {0};
  int rc = n >= 0 ? kt_execute_contiguous(&k->fns, ctx, n, bytes, NULL)
                  : kt_execute(&k->fns, ctx, bytes, NULL);
  if (rc == 2) {
    snprintf(lastError, sizeof lastError,
             "out of memory for the reduction partials of kernel '%s'",
             k->name);
    setError();
    return KILN_TENSOR_ENOMEM;
  }
  if (!k->resultIsArray)
    memcpy(result, bytes, (size_t)dtypeSize(k->resultDtype));
  return KILN_TENSOR_OK;
}

int kt_aot_run_plain(const kt_aot_kernel *k, int64_t *ctx, int64_t n,
                     void *result) {
  kt_aot_call_ok();
  if (!k->fns.combine) { /* elementwise: one flat loop, as the driver */
    k->fns.flat(ctx, 0, n, NULL);
    return KILN_TENSOR_OK;
  }
  return runContext(k, ctx, n, result);
}

int kt_aot_call(const kt_aot_kernel *k, const kiln_tensor_array *const *arrays,
                const int64_t *scalars, kiln_tensor_array *out, void *result) {
  int64_t ctx[KT_CTX_WORDS(64)], shape[4];
  int rank, i, err;
  kt_aot_call_ok();
  if ((err = checkArgs(k, arrays, shape, &rank)) != 0)
    return err;
  if (k->resultIsArray && (err = checkOut(k, arrays, out, shape, rank)) != 0)
    return err;
  if (!k->resultIsArray && !result)
    return fail("kernel '%s' returns a scalar: pass a result pointer", k->name,
                "", "");
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
  return runContext(k, ctx, -1, result);
}

/* ---- The checks of axis-reduction kernels (AotStaged.h). */

int kt_aot_check_param(const kt_aot_kernel *k, int i,
                       const kiln_tensor_array *v) {
  char what[160];
  const kt_param_desc *p = &k->params[i];
  if (v && v->dtype == p->dtype && viewOk(v))
    return 0;
  snprintf(what, sizeof what, "argument '%s'", p->name);
  if (!v)
    return fail("%s: expected an array (%s[]), got a null pointer", what,
                dtypeName(p->dtype), "");
  if (v->dtype != p->dtype)
    return fail("%s: dtype %s does not match parameter type %s", what,
                dtypeName(v->dtype), dtypeName(p->dtype));
  return checkView(what, v);
}

int kt_aot_check_out(const kt_aot_kernel *k,
                     const kiln_tensor_array *const *arrays,
                     const kiln_tensor_array *out, const int64_t *shape,
                     int rank) {
  return checkOut(k, arrays, out, shape, rank);
}

int kt_aot_fail(const char *message) { return fail("%s", message, "", ""); }

int kt_aot_check_count(const int64_t *shape, int rank) {
  return countOf(shape + 4 - rank, rank) < 0
             ? tooMany("", shape + 4 - rank, rank)
             : 0;
}
