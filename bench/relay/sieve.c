// sieve: as bench/relay/sieve.relay; the flags are doubles in an array that
// grows like a Relay array (doubling capacity).
#include "relay_print.h"

static array sieve(double n) {
  array flags = {0, 0, 0};
  for (double i = 0; i < n; i++)
    push(&flags, 1);
  flags.data[0] = 0;
  flags.data[1] = 0;
  double p = 2;
  while (p * p < n) {
    if (flags.data[(long)p] == 1) {
      double m = p * p;
      while (m < n) {
        flags.data[(long)m] = 0;
        m = m + p;
      }
    }
    p = p + 1;
  }
  return flags;
}

int main(void) {
  double n = 2000000; // bench:size
  array flags = sieve(n);
  double count = 0, sum = 0;
  for (double i = 0; i < n; i++)
    if (flags.data[(long)i] == 1) {
      count = count + 1;
      sum = sum + i;
    }
  RELAY_PRINT(count, sum);
  free(flags.data);
  return 0;
}
