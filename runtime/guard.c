/* guard.c: call-depth limit and the watchdog behind --timeout. */
#include "kiln/runtime/Abi.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int32_t kiln_rt_depth = 0;
int32_t kiln_rt_max_depth = 10000;
volatile int32_t kiln_rt_interrupted = 0;

static double limit_seconds;
static pthread_t watchdog;
static int watchdog_running;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int stop_requested;

void kiln_rt_stack_overflow(const char *file, int32_t line, int32_t column) {
  char message[96];
  snprintf(message, sizeof message, "stack overflow: call depth exceeded %d",
           (int)kiln_rt_max_depth);
  kiln_rt_trap(message, file, line, column);
}

void kiln_rt_timeout_message(char *buf, size_t size) {
  char seconds[32];
  kiln_rt_format_f64(seconds, sizeof seconds, limit_seconds);
  snprintf(buf, size, "timeout: program ran longer than %s seconds", seconds);
}

void kiln_rt_timeout_trap(void) {
  char message[96];
  kiln_rt_timeout_message(message, sizeof message);
  kiln_rt_trap(message, NULL, 0, 0);
}

/* Waits for the deadline or a stop request, whichever comes first, never
 * spinning: a deadline pthread_cond_timedwait rejects (EINVAL) degrades to
 * waiting for the stop request alone. */
static void *watch(void *arg) {
  (void)arg;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  /* limit_seconds is in (0, KILN_RT_TIMEOUT_MAX]: the casts are defined. */
  time_t whole = (time_t)limit_seconds;
  deadline.tv_sec += whole;
  deadline.tv_nsec += (long)((limit_seconds - (double)whole) * 1e9);
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&mutex);
  int timed_out = 0;
  while (!stop_requested && !timed_out) {
    int rc = pthread_cond_timedwait(&wake, &mutex, &deadline);
    if (rc == ETIMEDOUT)
      timed_out = 1;
    else if (rc != 0 && rc != EINTR)
      while (!stop_requested)
        pthread_cond_wait(&wake, &mutex);
  }
  if (!stop_requested)
    kiln_rt_interrupted = 1;
  pthread_mutex_unlock(&mutex);
  return NULL;
}

int kiln_rt_parse_timeout(const char *text, double *seconds) {
  if (!text || !*text || isspace((unsigned char)*text))
    return 1;
  char *end = NULL;
  errno = 0;
  double value = strtod(text, &end);
  if (*end != '\0' || !(value > 0)) /* also refuses nan */
    return 1;
  *seconds = value;
  return 0;
}

int kiln_rt_watchdog_start(double seconds) {
  kiln_rt_watchdog_stop();
  if (!(seconds > 0)) /* zero, negative, nan */
    return 1;
  kiln_rt_interrupted = 0;
  if (seconds > KILN_RT_TIMEOUT_MAX) /* inf, 1e19: no limit to watch */
    return 0;
  limit_seconds = seconds;
  stop_requested = 0;
  if (pthread_create(&watchdog, NULL, watch, NULL) != 0)
    return 1;
  watchdog_running = 1;
  return 0;
}

void kiln_rt_watchdog_stop(void) {
  if (!watchdog_running)
    return;
  pthread_mutex_lock(&mutex);
  stop_requested = 1;
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&mutex);
  pthread_join(watchdog, NULL);
  watchdog_running = 0;
}
