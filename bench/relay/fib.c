// fib: naive doubly recursive Fibonacci in doubles, as bench/relay/fib.relay.
#include "relay_print.h"

static double fib(double n) {
  if (n < 2)
    return n;
  return fib(n - 1) + fib(n - 2);
}

int main(void) {
  double n = 30; // bench:size
  RELAY_PRINT(fib(n));
  return 0;
}
