/* fib.c: the "small module" of the compile-latency benchmarks: one
 * recursive function, no main. */
long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
