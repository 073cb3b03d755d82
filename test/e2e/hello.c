/* hello.c: the program the CLI tests run through `kiln run` and AOT. */
#include <math.h>
#include <stdio.h>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char **argv) {
  printf("hello from kiln: %d args\n", argc);
  for (int i = 1; i < argc; ++i)
    printf("arg %d: %s\n", i, argv[i]);
  printf("fib(25) = %d\n", fib(25));
  printf("sqrt(2) = %.17g\n", sqrt(2.0));
  return 5;
}
