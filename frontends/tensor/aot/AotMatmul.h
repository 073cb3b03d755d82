/* AotMatmul: what a generated AOT wrapper of a kernel with `a @ b` calls —
 * the JIT's matmul plan (engine/MatmulLower.h) as static tables, run by a
 * plain C packing/blocking driver (products on kt_aot_threads() threads,
 * AotThreads.h) around the tile functions generated for the target CPU
 * (irgen/EmitGemm.h).
 *
 * Pasted into generated wrappers after KernelAbi.h, AotAbi.h and
 * AotStaged.h. */
#ifndef KILN_TENSOR_AOT_MATMUL_H
#define KILN_TENSOR_AOT_MATMUL_H

#ifndef KILN_TENSOR_AOT_STAGED_H
#include "AotStaged.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* irgen::TileFn: kc, a panel, b panel, ldb, c, ldc, rows, cols, mode,
 * epilogue words, i0, j0. */
typedef void (*kt_tile_fn)(int64_t, const void *, const void *, int64_t,
                           void *, int64_t, int64_t, int64_t, int64_t,
                           const int64_t *, int64_t, int64_t);

/* A tile function and the blocks it is driven with: `blocks` is MR, NR,
 * KC, MC, NC, a table the object file carries next to the function (the
 * register block depends on the CPU it was built for). */
typedef struct kt_mm_tile {
  kt_tile_fn fn;
  int32_t dtype;
  const int64_t *blocks;
} kt_mm_tile;

/* Call argument `arg`, or temporary `temp` (an earlier step's result). */
typedef struct kt_mm_source {
  int32_t arg, temp;
} kt_mm_source;

/* A step into a temporary: an ordinary kernel over `sources` (`kernel`),
 * an axis-reduction kernel (`staged`), or the product sources[0] @
 * sources[1] through `tile`. */
typedef struct kt_mm_step {
  const kt_aot_kernel *kernel;
  const kt_aot_staged *staged;
  const kt_mm_tile *tile;
  int32_t dtype, nsources;
  const kt_mm_source *sources;
} kt_mm_step;

typedef struct kt_aot_matmul {
  kt_aot_kernel desc; /* name, parameters, result; desc.fns unused */
  int32_t nsteps;
  const kt_mm_step *steps;
  /* The last product fused with the epilogue (sources a, b, then the
   * epilogue's parameters; entry 2 + product unused), or fused.tile null. */
  kt_mm_step fused;
  int32_t product;
  kt_mm_step rest; /* the rest of the body, writes the result */
} kt_aot_matmul;

/* kt_aot_call for a kernel with `@`: checks the parameters and the
 * products' shapes (checkCall's messages), runs the steps into malloc'd
 * temporaries, then the fused product straight into `out` when it fits
 * (the product's shape, unit last stride, no overlap), else the rest. */
int kt_aot_matmul_call(const kt_aot_matmul *k,
                       const kiln_tensor_array *const *arrays,
                       const int64_t *scalars, kiln_tensor_array *out,
                       void *result);

#ifdef __cplusplus
}
#endif

#endif
