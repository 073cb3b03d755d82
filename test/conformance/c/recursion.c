/* Checks recursion: Fibonacci, small Ackermann values and mutual recursion. */
#include <stdio.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned long ack(unsigned long m, unsigned long n) {
  if (m == 0)
    return n + 1;
  if (n == 0)
    return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static unsigned long gcd(unsigned long a, unsigned long b) {
  return b == 0 ? a : gcd(b, a % b);
}

static void hanoi(int n, char from, char to, char via, int *moves) {
  if (n == 0)
    return;
  hanoi(n - 1, from, via, to, moves);
  ++*moves;
  if (n == 3)
    printf("move disk 3 %c->%c\n", from, to);
  hanoi(n - 1, via, to, from, moves);
}

int main(void) {
  for (int i = 0; i <= 30; i += 5)
    printf("fib(%d) = %ld\n", i, fib(i));
  for (unsigned long m = 0; m <= 3; ++m)
    for (unsigned long n = 0; n <= 3; ++n)
      printf("ack(%lu,%lu) = %lu\n", m, n, ack(m, n));
  printf("even(17)=%d odd(17)=%d even(100)=%d\n", is_even(17), is_odd(17),
         is_even(100));
  printf("gcd(1071,462)=%lu gcd(2^40,6^20)=%lu\n", gcd(1071, 462),
         gcd(1UL << 40, 3656158440062976UL));
  int moves = 0;
  hanoi(6, 'A', 'C', 'B', &moves);
  printf("hanoi(6) moves = %d\n", moves);
  return 0;
}
