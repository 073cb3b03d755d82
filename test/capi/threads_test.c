/* threads_test.c: the C API from 8 threads at once — each with its own
 * engine, then all sharing one (adding, calling and removing units, and
 * calling one shared function, concurrently).
 *
 * Registered twice: capi.threads in the plain suites and
 * concurrency.capi_threads, which `scripts/test --sanitize=thread` runs
 * under ThreadSanitizer (what TSan cannot see there: docs/c-api.md).
 */
#define _POSIX_C_SOURCE 200809L
#include "relay_tensor_check.h"

#include <pthread.h>
#include <stdint.h>

enum { kThreads = 8, kRounds = 4 };

static kiln_engine *shared_engine;
static int64_t (*shared_fn)(int64_t);

/* IR defining `name(x) = x * k + k` with a loop, so that compiling it does
 * some work. */
static void make_ir(char *buffer, size_t size, const char *name, int k) {
  snprintf(buffer, size,
           "define i64 @%s(i64 %%x) {\n"
           "entry:\n"
           "  br label %%loop\n"
           "loop:\n"
           "  %%i = phi i64 [ 0, %%entry ], [ %%i1, %%loop ]\n"
           "  %%acc = phi i64 [ %d, %%entry ], [ %%acc1, %%loop ]\n"
           "  %%acc1 = add i64 %%acc, %%x\n"
           "  %%i1 = add i64 %%i, 1\n"
           "  %%done = icmp eq i64 %%i1, %d\n"
           "  br i1 %%done, label %%exit, label %%loop\n"
           "exit:\n"
           "  ret i64 %%acc1\n"
           "}\n",
           name, k, k);
}

static int64_t expected(int64_t x, int k) { return x * k + k; }

/* Adds `name`, calls it, removes it: on `engine`. */
static void round_trip(kiln_engine *engine, const char *name, int k) {
  char ir[1024];
  kiln_unit *unit = NULL;
  int64_t (*fn)(int64_t) = NULL;
  make_ir(ir, sizeof ir, name, k);
  OK(kiln_unit_add_ir(engine, name, ir, strlen(ir), &unit));
  OK(kiln_unit_lookup(unit, name, (void **)&fn));
  CHECK(fn(3) == expected(3, k));
  CHECK(shared_fn == NULL || shared_fn(2) == expected(2, 5));
  kiln_unit_free(unit);
}

static void *own_engine(void *arg) {
  int id = (int)(intptr_t)arg, round;
  for (round = 0; round < kRounds; ++round) {
    kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
    kiln_engine *engine = NULL;
    options.opt_level = round % 4;
    OK(kiln_engine_new(&options, &engine));
    round_trip(engine, "f", id + round + 1);
    kiln_engine_free(engine);
  }
  return NULL;
}

static void *share_engine(void *arg) {
  int id = (int)(intptr_t)arg, round;
  char name[32];
  for (round = 0; round < kRounds; ++round) {
    snprintf(name, sizeof name, "f%d_%d", id, round);
    round_trip(shared_engine, name, id * 10 + round + 1);
  }
  return NULL;
}

static void run_threads(void *(*body)(void *)) {
  pthread_t threads[kThreads];
  int i;
  for (i = 0; i < kThreads; ++i)
    CHECK(pthread_create(&threads[i], NULL, body, (void *)(intptr_t)i) == 0);
  for (i = 0; i < kThreads; ++i)
    CHECK(pthread_join(threads[i], NULL) == 0);
}

static void engines_per_thread(void) { run_threads(own_engine); }

static void one_shared_engine(void) {
  char ir[1024];
  kiln_unit *unit = NULL;
  shared_engine = new_engine();
  make_ir(ir, sizeof ir, "shared", 5);
  OK(kiln_unit_add_ir(shared_engine, "shared", ir, strlen(ir), &unit));
  OK(kiln_engine_lookup(shared_engine, "shared", (void **)&shared_fn));
  run_threads(share_engine);
  shared_fn = NULL;
  kiln_unit_free(unit);
  kiln_engine_free(shared_engine);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"engines_per_thread", engines_per_thread},
      {"one_shared_engine", one_shared_engine},
  };
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
