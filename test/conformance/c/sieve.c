/* Checks loops and array indexing: Sieve of Eratosthenes prime counting and
 * listing. */
#include <stdio.h>
#include <string.h>

#define LIMIT 100000

static unsigned char composite[LIMIT + 1];

int main(void) {
  memset(composite, 0, sizeof composite);
  composite[0] = composite[1] = 1;
  for (long i = 2; i * i <= LIMIT; ++i)
    if (!composite[i])
      for (long j = i * i; j <= LIMIT; j += i)
        composite[j] = 1;
  int count = 0;
  long sum = 0, last = 0;
  int bounds[] = {10, 100, 1000, 10000, 100000};
  int bi = 0;
  for (long i = 0; i <= LIMIT; ++i) {
    if (!composite[i]) {
      ++count;
      sum += i;
      last = i;
    }
    if (bi < 5 && i == bounds[bi]) {
      printf("pi(%d) = %d\n", bounds[bi], count);
      ++bi;
    }
  }
  printf("first 25:");
  for (long i = 0, shown = 0; i <= LIMIT && shown < 25; ++i)
    if (!composite[i]) {
      printf(" %ld", i);
      ++shown;
    }
  printf("\n");
  printf("count=%d sum=%ld largest=%ld\n", count, sum, last);
  int twins = 0;
  for (long i = 3; i + 2 <= LIMIT; i += 2)
    if (!composite[i] && !composite[i + 2])
      ++twins;
  printf("twin prime pairs = %d\n", twins);
  return 0;
}
