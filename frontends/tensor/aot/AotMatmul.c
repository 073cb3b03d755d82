/* AotMatmul: running a matmul plan in an AOT library (see AotMatmul.h) —
 * MatmulRun.cpp's steps in C: temporaries from malloc, products through
 * the C driver (AotMatmulGemm.c), ordinary kernels through kt_aot_call. */
#include "AotMatmul.h"
#include "AotMatmulGemm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Run {
  const kt_aot_matmul *k;
  const kiln_tensor_array *const *arrays;
  const int64_t *scalars;
  kiln_tensor_array *temps; /* one per step run so far */
  int ntemps;
} Run;

static void shapeText(char *buf, size_t size, const int64_t *shape, int rank) {
  size_t used = (size_t)snprintf(buf, size, "[");
  int d;
  for (d = 0; d < rank && used < size; ++d)
    used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "",
                             (long long)shape[d]);
  if (used < size)
    snprintf(buf + used, size - used, "]");
}

static int64_t sizeOf(int dtype) {
  return dtype == KILN_TENSOR_F32 || dtype == KILN_TENSOR_I32 ? 4
         : dtype == KILN_TENSOR_BOOL                          ? 1
                                                              : 8;
}

static void contiguous(kiln_tensor_array *v, void *data, int dtype,
                       const int64_t *shape, int rank) {
  int64_t stride = 1;
  int d;
  memset(v, 0, sizeof *v);
  v->data = data, v->dtype = dtype, v->rank = rank;
  for (d = rank; d-- > 0;) {
    v->shape[d] = shape[d], v->strides[d] = stride;
    stride *= shape[d];
  }
}

/* A new zeroed temporary of `shape`: the next temps entry. */
static int newTemp(Run *run, int dtype, const int64_t *shape, int rank) {
  int64_t n = 1;
  int d;
  void *mem;
  for (d = 0; d < rank; ++d)
    n = shape[d] && n > KT_MAX_ELEMENTS / shape[d] ? -1 : n * shape[d];
  /* Beyond the machine's memory (the JIT's rule): an error, not the OOM
   * killer once the zero pages are written. */
  mem = n < 0 || (double)n * (double)sizeOf(dtype) >
                     (double)sysconf(_SC_PHYS_PAGES) *
                         (double)sysconf(_SC_PAGESIZE)
            ? NULL
            : calloc((size_t)n + 1, (size_t)sizeOf(dtype));
  if (!mem) {
    kt_aot_fail("out of memory for a matrix product's temporaries");
    return KILN_TENSOR_ENOMEM;
  }
  contiguous(&run->temps[run->ntemps++], mem, dtype, shape, rank);
  return 0;
}

static const kiln_tensor_array *arrayOf(const Run *run, kt_mm_source s) {
  return s.arg >= 0 ? run->arrays[s.arg] : &run->temps[s.temp];
}

/* A step's arrays (null for scalars) and scalar bits, in source order. */
static void gather(const Run *run, const kt_mm_step *step,
                   const kiln_tensor_array **arrays, int64_t *scalars) {
  int i;
  for (i = 0; i < step->nsources; ++i) {
    kt_mm_source s = step->sources[i];
    int scalar = s.arg >= 0 && !run->k->desc.params[s.arg].isArray;
    arrays[i] = scalar ? NULL : arrayOf(run, s);
    scalars[i] = scalar ? run->scalars[s.arg] : 0;
  }
}

/* syntax::matmulShape: out (rank *rank) of a @ b after promoting 1-D
 * operands (pa, pb: the promoted views). */
static int productShape(const kiln_tensor_array *a, const kiln_tensor_array *b,
                        int64_t *out, int *rank, kiln_tensor_array *pa,
                        kiln_tensor_array *pb) {
  char ta[96], tb[96], msg[320];
  int ra, rb, nb, d;
  shapeText(ta, sizeof ta, a->shape, a->rank);
  shapeText(tb, sizeof tb, b->shape, b->rank);
  if (a->rank < 1 || b->rank < 1) {
    snprintf(msg, sizeof msg,
             "'@' needs array operands of at least 1 dimension, got %s @ %s",
             ta, tb);
    return kt_aot_fail(msg);
  }
  *pa = *a, *pb = *b;
  if (a->rank == 1) {
    pa->rank = 2, pa->shape[0] = 1, pa->shape[1] = a->shape[0];
    pa->strides[0] = 0, pa->strides[1] = a->strides[0];
  }
  if (b->rank == 1) {
    pb->rank = 2, pb->shape[1] = 1, pb->strides[1] = 0;
  }
  ra = pa->rank, rb = pb->rank;
  if (pa->shape[ra - 1] != pb->shape[rb - 2]) {
    snprintf(msg, sizeof msg, "'@': inner dimensions differ: %s @ %s (%lld "
             "!= %lld)", ta, tb, (long long)pa->shape[ra - 1],
             (long long)pb->shape[rb - 2]);
    return kt_aot_fail(msg);
  }
  nb = (ra > rb ? ra : rb) - 2;
  for (d = 0; d < nb; ++d) {
    int da = ra - 2 - nb + d, db = rb - 2 - nb + d;
    int64_t x = da >= 0 ? pa->shape[da] : 1, y = db >= 0 ? pb->shape[db] : 1;
    if (x != y && x != 1 && y != 1) {
      snprintf(msg, sizeof msg,
               "'@': batch dimensions of %s and %s do not broadcast", ta, tb);
      return kt_aot_fail(msg);
    }
    out[d] = x == 1 ? y : x;
  }
  out[nb] = pa->shape[ra - 2], out[nb + 1] = pb->shape[rb - 1];
  *rank = nb + 2;
  return 0;
}

/* A product step into a new temporary (NumPy's shape: 1-D dimensions
 * dropped again), computed through its 2-D-promoted contiguous view. */
static int runProduct(Run *run, const kt_mm_step *step) {
  const kiln_tensor_array *a = arrayOf(run, step->sources[0]),
                          *b = arrayOf(run, step->sources[1]);
  kiln_tensor_array pa, pb, c;
  int64_t shape[4], kept[4];
  int rank, err, d, n = 0;
  kt_gemm_call g;
  if ((err = productShape(a, b, shape, &rank, &pa, &pb)) != 0)
    return err;
  for (d = 0; d < rank; ++d)
    if (!((d == rank - 2 && a->rank == 1) || (d == rank - 1 && b->rank == 1)))
      kept[n++] = shape[d];
  if ((err = newTemp(run, step->dtype, kept, n)) != 0)
    return err;
  contiguous(&c, run->temps[run->ntemps - 1].data, step->dtype, shape, rank);
  g.tile = step->tile, g.a = &pa, g.b = &pb, g.c = &c;
  g.nepi = 0, g.epiArrays = NULL, g.epiScalars = NULL;
  if (kt_gemm_run(&g) != 0)
    return kt_aot_fail("out of memory for a matrix product's temporaries"),
           KILN_TENSOR_ENOMEM;
  return 0;
}

/* An axis-reduction kernel step into a new temporary of its shape. */
static int runStaged(Run *run, const kt_mm_step *step,
                     const kiln_tensor_array **arrays, const int64_t *scalars) {
  int64_t shape[4];
  int rank = 0, err;
  if ((err = kt_aot_staged_shape(step->staged, arrays, shape, &rank)) != 0 ||
      (err = newTemp(run, step->dtype, shape + 4 - rank, rank)) != 0)
    return err;
  return kt_aot_staged_call(step->staged, arrays, scalars,
                            &run->temps[run->ntemps - 1], NULL);
}

/* An ordinary kernel step into a new temporary of its arrays' broadcast
 * shape (kt_aot_call checks the rest). */
static int runKernel(Run *run, const kt_mm_step *step) {
  const kiln_tensor_array *arrays[64];
  int64_t scalars[64], shape[4] = {1, 1, 1, 1};
  int rank = 0, i, d;
  gather(run, step, arrays, scalars);
  if (step->staged)
    return runStaged(run, step, arrays, scalars);
  for (i = 0; i < step->nsources; ++i) {
    const kiln_tensor_array *v = arrays[i];
    for (d = 0; v && d < v->rank; ++d) {
      int64_t *s = &shape[4 - v->rank + d], x = v->shape[d];
      if (*s != x && *s != 1 && x != 1) {
        char ta[96], tb[96], msg[256];
        shapeText(ta, sizeof ta, shape + 4 - rank, rank);
        shapeText(tb, sizeof tb, v->shape, v->rank);
        snprintf(msg, sizeof msg, "operand shapes %s and %s do not broadcast",
                 ta, tb);
        return kt_aot_fail(msg);
      }
      *s = *s == 1 ? x : *s;
    }
    rank = v && v->rank > rank ? v->rank : rank;
  }
  if ((i = newTemp(run, step->dtype, shape + 4 - rank, rank)) != 0)
    return i;
  return kt_aot_call(step->kernel, arrays, scalars,
                     &run->temps[run->ntemps - 1], NULL);
}

static void byteRange(const kiln_tensor_array *v, intptr_t *lo,
                      intptr_t *hi) {
  intptr_t size = (intptr_t)sizeOf(v->dtype);
  int d;
  *lo = *hi = (intptr_t)v->data;
  for (d = 0; d < v->rank; ++d) {
    intptr_t span = (intptr_t)((v->shape[d] - 1) * v->strides[d]) * size;
    *(span < 0 ? lo : hi) += span;
  }
  *hi += size - 1;
}

static int64_t count(const kiln_tensor_array *v) {
  int64_t n = 1;
  int d;
  for (d = 0; d < v->rank; ++d)
    n *= v->shape[d];
  return n;
}

/* Whether `v` and `out` share no byte (MatmulRun.cpp's !overlaps). */
static int disjoint(const kiln_tensor_array *v, const kiln_tensor_array *out) {
  intptr_t lo, hi, olo, ohi;
  if (!count(v) || !count(out))
    return 1;
  byteRange(v, &lo, &hi);
  byteRange(out, &olo, &ohi);
  return hi < olo || ohi < lo;
}

/* Whether epilogue array `v` broadcasts into out's shape and does not
 * overlap it. */
static int fits(const kiln_tensor_array *v, const kiln_tensor_array *out) {
  int d;
  if (v->rank > out->rank)
    return 0;
  for (d = 0; d < v->rank; ++d)
    if (v->shape[d] != 1 &&
        v->shape[d] != out->shape[out->rank - v->rank + d])
      return 0;
  return disjoint(v, out);
}

/* The fused product straight into `out` when the call allows it (as
 * MatmulRun.cpp's runFused); 1 when done (*err set), 0 when it cannot. */
static int runFused(Run *run, kiln_tensor_array *out, int *err) {
  const kt_aot_matmul *k = run->k;
  const kiln_tensor_array *arrays[64], *a, *b;
  int64_t scalars[64], shape[4], full[4] = {0};
  kiln_tensor_array pa, pb;
  int rank, i, n = k->fused.nsources;
  kt_gemm_call g;
  gather(run, &k->fused, arrays, scalars);
  a = arrays[0], b = arrays[1];
  if (!k->fused.tile || !out || !a || !b || a->rank < 2 || b->rank < 2 ||
      productShape(a, b, shape, &rank, &pa, &pb) != 0)
    return 0;
  memcpy(full + 4 - rank, shape, sizeof(int64_t) * (size_t)rank);
  if (kt_aot_check_out(&k->desc, run->arrays, out, full, rank) != 0 ||
      (shape[rank - 1] > 1 && out->strides[rank - 1] != 1))
    return 0;
  /* The operands only must not overlap the output (their shapes are the
   * product's inputs, not out's): requiring them to broadcast into it
   * sent every non-square product down the unfused path, whose
   * transcendentals round differently from the JIT's fused tile. */
  for (i = 0; i < n; ++i)
    if (arrays[i] && i != 2 + k->product &&
        !(i < 2 ? disjoint(arrays[i], out) : fits(arrays[i], out)))
      return 0;
  g.tile = k->fused.tile, g.a = a, g.b = b, g.c = out;
  g.nepi = n - 2, g.epiArrays = arrays + 2, g.epiScalars = scalars + 2;
  if (2 + k->product < n)
    arrays[2 + k->product] = NULL;
  *err = kt_gemm_run(&g) != 0 ? kt_aot_fail("out of memory for a matrix "
                                            "product's packed panels"),
  KILN_TENSOR_ENOMEM : 0;
  return 1;
}

static int runAll(Run *run, kiln_tensor_array *out, void *result) {
  const kt_aot_matmul *k = run->k;
  const kiln_tensor_array *arrays[64];
  int64_t scalars[64];
  int i, err = 0;
  for (i = 0; i < k->desc.nparams; ++i)
    if (k->desc.params[i].isArray &&
        (err = kt_aot_check_param(&k->desc, i, run->arrays[i])) != 0)
      return err;
  for (i = 0; i + 1 < k->nsteps; ++i)
    if ((err = k->steps[i].tile ? runProduct(run, &k->steps[i])
                                : runKernel(run, &k->steps[i])) != 0)
      return err;
  kt_aot_call_ok();
  if (runFused(run, out, &err))
    return err;
  if ((err = runProduct(run, &k->steps[k->nsteps - 1])) != 0)
    return err;
  gather(run, &k->rest, arrays, scalars);
  if (k->rest.staged)
    return kt_aot_staged_call(k->rest.staged, arrays, scalars, out, result);
  return kt_aot_call(k->rest.kernel, arrays, scalars, out, result);
}

int kt_aot_matmul_call(const kt_aot_matmul *k,
                       const kiln_tensor_array *const *arrays,
                       const int64_t *scalars, kiln_tensor_array *out,
                       void *result) {
  Run run;
  int err, i;
  run.k = k, run.arrays = arrays, run.scalars = scalars, run.ntemps = 0;
  run.temps = calloc((size_t)k->nsteps, sizeof *run.temps);
  if (!run.temps)
    return kt_aot_fail("out of memory for a matrix product's temporaries"),
           KILN_TENSOR_ENOMEM;
  kt_aot_call_ok();
  err = runAll(&run, out, result);
  for (i = 0; i < run.ntemps; ++i)
    free(run.temps[i].data);
  free(run.temps);
  return err;
}
