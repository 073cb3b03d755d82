/* AotScratch: packing buffers an AOT library keeps between calls.
 *
 * A matrix product packs blocks of A and B into per-worker buffers of up
 * to a few MiB. Allocated and freed on every call, they cost page faults
 * each time once glibc gives the memory back (it trims the heap's top when
 * a large enough block there is freed): on 2 threads a 512^3 product paid
 * ~200 faults a call, 0.2-0.5 ms, as much as the second thread saved. So
 * freed buffers are kept for the next call, up to a total size; the
 * library frees them when it is unloaded. Thread-safe (one mutex, taken
 * once per buffer per call). */
#ifndef KILN_TENSOR_AOT_SCRATCH_H
#define KILN_TENSOR_AOT_SCRATCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A 64-byte-aligned buffer of at least `size` bytes (a kept one when one
 * is large enough), or NULL when memory runs out. Give it back with
 * kt_scratch_give(p, size) with the same size. */
void *kt_scratch_take(size_t size);
/* Keeps p (taken with `size`) for a later call, or frees it when the kept
 * buffers are at their limit. A buffer counts at the size it was allocated
 * with (kept with it), which a reused one may exceed `size` by. NULL is
 * ignored. */
void kt_scratch_give(void *p, size_t size);

#ifdef __cplusplus
}
#endif

#endif
