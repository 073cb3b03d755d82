/* host.c: the host side of an ahead-of-time compiled Ember program.
 *
 * In the JIT, the host functions are C++ functions registered with
 * defineSymbols (chapter 5). An executable has no JIT to ask, so the linker
 * must find them: this file defines print() and now(), and the C main()
 * that calls Ember's main (renamed ember_main so the two do not clash).
 * sqrt and floor come from libm, which the link includes. */
#include <stdio.h>
#include <time.h>

// [tutorial:host-c]
double ember_main(void);

double print(double x) {
  printf("%.17g\n", x);
  return 0;
}

double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void) { return (int)ember_main(); }
// [/tutorial]
