/* Checks that main's non-zero return value (7) is propagated as the exit
 * status. */
#include <stdio.h>
#include <stdlib.h>

static int compute(int n) {
  int acc = 0;
  for (int i = 1; i <= n; ++i)
    acc += i % 3;
  return acc;
}

static int validate(int v) {
  /* Buffered output must be flushed at normal termination even without fflush.
   */
  printf("validating %d\n", v);
  return v == 10 ? 7 : EXIT_FAILURE;
}

int main(void) {
  int v = compute(10);
  printf("computed %d\n", v);
  int status = validate(v);
  printf("returning %d\n", status);
  return status; /* 7 */
}
