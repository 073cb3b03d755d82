/* stack.c: how much native stack a call-depth limit needs, and the entry
 * point of AOT executables, which runs the program on a stack that size.
 *
 * The depth limit only protects the process if the native stack outlasts it:
 * a limit the stack cannot hold turns runaway recursion into SIGSEGV instead
 * of the "stack overflow" error. So every host sizes the stack of the thread
 * that runs a program from its limit, and refuses limits no stack here could
 * hold, with a message that says what fits. Calls of functions with large
 * frames, which the per-call allowance does not cover, check the stack left
 * against the marked thread's (kiln_rt_stack_mark). */
#define _GNU_SOURCE /* pthread_getattr_np */
#include "kiln/runtime/Abi.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Native stack per Relay call: the interpreter uses 300-850 bytes for the
 * functions of the tests (a call nested ten expressions deep), compiled code
 * under 100. The base covers the host's own frames around the program, and
 * the window the large-frame check keeps (kiln_rt_stack_mark, at most 16
 * MiB): without it a stack of exactly this size, as runs under an
 * address-space limit or at the largest --max-depth get, made every large
 * function trap at depth 1 (relay_frames_test). */
enum { PER_CALL = KILN_RT_STACK_PER_CALL };
static const uint64_t most_window = (uint64_t)16 << 20;
static const uint64_t base_bytes = ((uint64_t)1 << 20) + most_window;
static const uint64_t most_bytes = (uint64_t)64 << 30;
static const uint64_t mib = (uint64_t)1 << 20;

size_t kiln_rt_stack_for_depth(int64_t max_depth) {
  if (max_depth < 0)
    max_depth = 0;
  return (size_t)(base_bytes + (uint64_t)max_depth * PER_CALL);
}

size_t kiln_rt_stack_limit(void) {
  uint64_t limit = most_bytes;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0 && (uint64_t)pages * (uint64_t)page / 2 < limit)
    limit = (uint64_t)pages * (uint64_t)page / 2;
  struct rlimit as;
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY &&
      (uint64_t)as.rlim_cur / 2 < limit)
    limit = (uint64_t)as.rlim_cur / 2;
  return (size_t)limit;
}

/* Room for the largest frames the language allows: a call holds at most
 * 256 arguments at once and an expression nests at most 256 levels, which
 * make an -O0 frame of about 6 KiB (a 255-argument call whose last argument
 * nests 250 levels). AOT executables reserved 4x the need (4 KiB a call) and
 * crashed with such frames long before the depth limit; now they reserve as
 * the JIT's runner does, at least 1 GiB of address space. */
static const uint64_t least_reserve = (uint64_t)1 << 30;
enum { RESERVE_FACTOR = 8 };

size_t kiln_rt_stack_reserve(int64_t max_depth) {
  uint64_t need = kiln_rt_stack_for_depth(max_depth);
  uint64_t room = RESERVE_FACTOR * need, limit = kiln_rt_stack_limit();
  if (room < least_reserve)
    room = least_reserve;
  if (room > limit)
    room = limit;
  return (size_t)(room > need ? room : need);
}

int kiln_rt_depth_message(int64_t max_depth, char *buf, size_t size) {
  uint64_t need = kiln_rt_stack_for_depth(max_depth);
  uint64_t limit = kiln_rt_stack_limit();
  if (need <= limit)
    return 0;
  uint64_t fits = limit > base_bytes ? (limit - base_bytes) / PER_CALL : 0;
  snprintf(buf, size,
           "--max-depth %lld needs about %llu MiB of stack, more than the "
           "%llu MiB this machine can reserve; use --max-depth %llu or less",
           (long long)max_depth, (unsigned long long)((need + mib - 1) / mib),
           (unsigned long long)(limit / mib), (unsigned long long)fits);
  return 1;
}

static void *run_program(void *program) {
  kiln_rt_stack_mark();
  (*(void (**)(void))program)();
  kiln_rt_stack_unmark();
  return NULL;
}

uintptr_t kiln_rt_stack_low = 0;
uintptr_t kiln_rt_stack_window = 0;
static size_t marked_size; /* for kiln_rt_stack_exhausted's message */

void kiln_rt_stack_mark(void) {
  pthread_attr_t attr;
  void *low = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return; /* unmarked: no check fires */
  int rc = pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || !low || size == 0)
    return;
  kiln_rt_stack_window =
      size / 8 < most_window ? size / 8 : (size_t)most_window;
  kiln_rt_stack_low = (uintptr_t)low;
  marked_size = size;
}

void kiln_rt_stack_unmark(void) {
  kiln_rt_stack_low = 0;
  kiln_rt_stack_window = 0;
  marked_size = 0;
}

void kiln_rt_stack_exhausted(int32_t budget, const char *file, int32_t line,
                             int32_t column) {
  char message[160];
  snprintf(message, sizeof message,
           "stack overflow: call depth %d needs more native stack than the "
           "%llu MiB reserved (calls with large frames)",
           (int)(kiln_rt_max_depth - budget),
           (unsigned long long)(marked_size / mib));
  kiln_rt_trap(message, file, line, column);
}

/* Runs program() on a thread with `bytes` of stack; 0 on success. */
static int run_on_stack(void (*program)(void), size_t bytes) {
  pthread_attr_t attr;
  pthread_t thread;
  int rc = pthread_attr_init(&attr);
  if (rc == 0)
    rc = pthread_attr_setstacksize(&attr, bytes);
  if (rc == 0)
    rc = pthread_create(&thread, &attr, run_program, &program);
  pthread_attr_destroy(&attr);
  if (rc == 0)
    pthread_join(thread, NULL);
  return rc;
}

/* The time limit: the one built in, else KILN_TIMEOUT; 0 for none, -1 when
 * KILN_TIMEOUT is not a number of seconds (reported here). */
static double time_limit(double built_in) {
  if (built_in > 0)
    return built_in;
  const char *text = getenv("KILN_TIMEOUT");
  double seconds = 0;
  if (!text || !*text)
    return 0;
  if (kiln_rt_parse_timeout(text, &seconds) == 0)
    return seconds;
  fprintf(
      stderr,
      "error: KILN_TIMEOUT needs a positive number of seconds, not '%.64s'\n",
      text);
  return -1;
}

int kiln_rt_main(void (*program)(void), int32_t max_depth,
                 double timeout_seconds) {
  char message[256];
  if (max_depth <= 0)
    max_depth = 10000;
  if (kiln_rt_depth_message(max_depth, message, sizeof message)) {
    fprintf(stderr, "error: %s\n", message);
    return 1;
  }
  double seconds = time_limit(timeout_seconds);
  if (seconds < 0)
    return 2;
  kiln_rt_max_depth = max_depth;
  kiln_rt_depth = 0;
  if (seconds > 0)
    kiln_rt_watchdog_start(seconds);
  size_t bytes = kiln_rt_stack_for_depth(max_depth);
  int rc = run_on_stack(program, kiln_rt_stack_reserve(max_depth));
  if (rc != 0)
    rc = run_on_stack(program, bytes);
  kiln_rt_watchdog_stop();
  if (rc != 0) {
    fprintf(stderr,
            "error: cannot reserve %llu MiB of stack for --max-depth %d: %s\n",
            (unsigned long long)((bytes + mib - 1) / mib), (int)max_depth,
            strerror(rc));
    return 1;
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "error: cannot write the program's output: %s\n",
            strerror(errno));
    return 1;
  }
  return 0;
}
