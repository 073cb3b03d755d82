/* fib_timed.c: fib(N) timed inside the program, so JIT, AOT and native
 * builds are compared on run time alone (no process or compile cost).
 * Usage: fib_timed [N=29] [REPS=7]; prints the result and the median and
 * minimum of REPS runs in microseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 29;
  int reps = argc > 2 ? atoi(argv[2]) : 7;
  if (reps < 1 || reps > 1000)
    reps = 7;
  double times[1000];
  volatile long result = 0;
  for (int r = 0; r < reps; ++r) {
    double t0 = now_us();
    result = fib(n);
    times[r] = now_us() - t0;
  }
  qsort(times, (size_t)reps, sizeof times[0], cmp);
  printf("fib(%d) = %ld median_us %.1f min_us %.1f\n", n, (long)result,
         times[reps / 2], times[0]);
  return 0;
}
