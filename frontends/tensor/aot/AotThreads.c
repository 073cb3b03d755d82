/* AotThreads: the thread count and the per-call parallel loop of AOT
 * libraries (see AotThreads.h) — POSIX threads and C11 atomics only. */
#include "AotThreads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

enum { kMaxWorkers = 256 };

static int threadCount = 1;
static pthread_once_t threadsOnce = PTHREAD_ONCE_INIT;

static void readThreads(void) {
  const char *env = getenv("KILN_THREADS");
  char *end = NULL;
  long n = env && *env ? strtol(env, &end, 10) : 0;
  if (!(end && *end == '\0' && n >= 1 && n <= kMaxWorkers))
    n = sysconf(_SC_NPROCESSORS_ONLN);
  threadCount = n < 1 ? 1 : n > kMaxWorkers ? kMaxWorkers : (int)n;
}

int kt_aot_threads(void) {
  pthread_once(&threadsOnce, readThreads);
  return threadCount;
}

typedef struct Loop {
  kt_worker_fn fn;
  void *ctx;
  int64_t tasks;
  atomic_llong next;
} Loop;

typedef struct Worker {
  Loop *loop;
  int index;
} Worker;

static void *work(void *arg) {
  Worker *w = (Worker *)arg;
  Loop *loop = w->loop;
  for (;;) {
    int64_t t = atomic_fetch_add_explicit(&loop->next, 1, memory_order_relaxed);
    if (t >= loop->tasks)
      return NULL;
    loop->fn(loop->ctx, w->index, t);
  }
}

void kt_aot_parallel(int64_t tasks, int workers, kt_worker_fn fn, void *ctx) {
  Loop loop;
  Worker ws[kMaxWorkers];
  pthread_t ids[kMaxWorkers];
  int started = 0, i;
  if (tasks <= 0)
    return;
  loop.fn = fn, loop.ctx = ctx, loop.tasks = tasks;
  atomic_init(&loop.next, 0);
  if (workers < 1)
    workers = 1;
  if (workers > kMaxWorkers)
    workers = kMaxWorkers;
  if (workers > tasks)
    workers = (int)tasks;
  for (i = 0; i < workers; ++i)
    ws[i].loop = &loop, ws[i].index = i;
  /* Workers 1.. on new threads; one that cannot start is skipped (its
   * index stays unused: scratch is per index, so nothing is shared). */
  for (i = 1; i < workers; ++i)
    if (pthread_create(&ids[started], NULL, work, &ws[i]) == 0)
      ++started;
  work(&ws[0]);
  for (i = 0; i < started; ++i)
    pthread_join(ids[i], NULL);
}
