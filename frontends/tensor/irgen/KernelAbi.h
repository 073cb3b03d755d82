/* KernelAbi: how generated kernel code and its driver talk (C and C++).
 *
 * Every kernel compiles to four plain functions that read one context block
 * of 64-bit words; the driver (exec/Driver.c, used by the JIT and linked into
 * AOT libraries) fills the block, coalesces dimensions, picks the contiguous
 * or the strided loop and splits the work into chunks. Kept in C so AOT
 * libraries need neither C++ nor LLVM at run time. */
#ifndef KILN_TENSOR_KERNEL_ABI_H
#define KILN_TENSOR_KERNEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Context words: shape[4] (right-aligned, leading 1s), n, then per slot
 * (parameters in order, then the output) data pointer, strides[4] (elements,
 * 0 for broadcast dims) and a scalar's bits (f32 in the low 4 bytes). */
enum {
  KT_CTX_SHAPE = 0,
  KT_CTX_N = 4,
  KT_CTX_SLOTS = 5,
  KT_SLOT_WORDS = 6,
  KT_SLOT_DATA = 0,
  KT_SLOT_STRIDES = 1,
  KT_SLOT_SCALAR = 5,
  KT_MAX_DIMS = 4
};
#define KT_CTX_WORDS(nslots) (KT_CTX_SLOTS + (nslots)*KT_SLOT_WORDS)

/* The row path (Driver.c): when every array operand walks the innermost
 * dimension with stride 1 or 0 (broadcast) and the output with stride 1,
 * rows of at least KT_ROW_MIN elements run through the vectorized flat loop
 * in tiles of at most KT_ROW_TILE elements; a broadcast operand reads a
 * per-call buffer filled with its row's element. At most KT_ROW_SPLATS
 * broadcast operands and KT_ROW_REDUCTIONS reductions (else the strided
 * loop). */
#define KT_ROW_MIN 8
#define KT_ROW_TILE 512
#define KT_ROW_SPLATS 8
#define KT_ROW_REDUCTIONS 32

/* Reductions are computed per fixed chunk of this many elements and the
 * chunk partials combined in order, whatever the thread count, so results
 * are bit-identical for every number of threads. */
#define KT_REDUCE_CHUNK 16384

/* One pass over elements [begin, end) of the iteration space: stores the
 * output, or writes each reduction's partial (8 bytes each) to `partial`. */
typedef void (*kt_loop_fn)(const int64_t *ctx, int64_t begin, int64_t end,
                           void *partial);
/* acc[r] = acc[r] (op) part[r] for every reduction r. */
typedef void (*kt_combine_fn)(void *acc, const void *part);
/* The scalar result from the combined reductions (8-byte slot). */
typedef void (*kt_finish_fn)(const int64_t *ctx, const void *acc, void *result);

typedef struct kt_kernel_fns {
  kt_loop_fn flat;       /* every array operand contiguous, same shape */
  kt_loop_fn strided;    /* general: 4 dims, per-operand strides; may be null
                            when resolveStrided is set */
  kt_combine_fn combine; /* null for elementwise kernels */
  kt_finish_fn finish;   /* null for elementwise kernels */
  int nslots;            /* parameters + 1 (the output) */
  int nreductions;       /* 0 for elementwise kernels */
  /* Per slot: an array's element size in bytes (1, 4 or 8), 0 for a
   * scalar; the output slot: 0 for a scalar result. */
  const unsigned char *elemSize;
  /* The JIT compiles the strided loop on first use: returns it, or null
   * when it cannot be compiled. */
  kt_loop_fn (*resolveStrided)(void *arg);
  void *resolveArg;
} kt_kernel_fns;

/* Runs fn(arg, i) for every i in [0, ntasks), possibly on several threads,
 * and returns when all are done. */
typedef void (*kt_task_fn)(void *arg, int64_t index);
typedef void (*kt_parallel_fn)(void *pool, int64_t ntasks, kt_task_fn fn,
                               void *arg);
typedef struct kt_parallel {
  kt_parallel_fn run; /* null: single-threaded */
  void *pool;
  unsigned threads;
  int64_t threshold; /* elements; below it one thread */
} kt_parallel;

/* Executes a checked call whose context block is filled (iteration shape,
 * slots). Coalesces dimensions in place. Returns 0, 2 when memory for
 * reduction partials cannot be allocated, 3 when the strided loop cannot be
 * compiled. */
int kt_execute(const kt_kernel_fns *k, int64_t *ctx, void *result,
               const kt_parallel *par);
/* kt_execute for a call whose array operands are all contiguous with the
 * output's shape (or scalars), n elements: the caller fills only the slots'
 * data and scalar words (the flat loop reads nothing else). Below the thread
 * threshold (par null: always) it calls the flat loop directly (reductions:
 * chunk by chunk in order, partials on the stack), with the same results;
 * else it fills the rest of the block as a one-dimensional walk and is
 * kt_execute. */
int kt_execute_contiguous(const kt_kernel_fns *k, int64_t *ctx, int64_t n,
                          void *result, const kt_parallel *par);

#ifdef __cplusplus
}
#endif

#endif
