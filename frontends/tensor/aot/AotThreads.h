/* AotThreads: how an AOT library runs tasks on several threads — the
 * thread count (KILN_THREADS, else the CPUs online) and a parallel loop.
 *
 * A library has no engine and so no thread pool; the JIT's pool lives in
 * the engine (engine/ThreadPool.h). Threads here are started per call and
 * joined before it returns, so a library holds no thread between calls
 * and can be dlclose()d at any time; callers use this only for work large
 * enough that starting a thread is noise (AotMatmulGemm.c: 5 x 2^23
 * flops). */
#ifndef KILN_TENSOR_AOT_THREADS_H
#define KILN_TENSOR_AOT_THREADS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most threads a call uses: KILN_THREADS when it is a number from 1
 * to 256, else the CPUs online; read once per process (thread-safe). */
int kt_aot_threads(void);

/* One task of a parallel loop: `worker` (0 to workers - 1) is the calling
 * thread's index, for per-thread scratch memory. */
typedef void (*kt_worker_fn)(void *ctx, int worker, int64_t task);

/* Runs fn(ctx, worker, t) for every t in [0, tasks) on up to `workers`
 * threads (the caller is worker 0; tasks are taken in order from a shared
 * counter). Returns once all have run. A thread that cannot be started
 * leaves its share to the others, so it never fails. */
void kt_aot_parallel(int64_t tasks, int workers, kt_worker_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
