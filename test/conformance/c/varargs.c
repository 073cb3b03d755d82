/* Checks variadic functions with stdarg: va_start/va_arg/va_copy/va_end and
 * vsnprintf. */
#include <stdarg.h>
#include <stdio.h>

static long sum_ints(int count, ...) {
  va_list ap;
  va_start(ap, count);
  long s = 0;
  for (int i = 0; i < count; ++i)
    s += va_arg(ap, int);
  va_end(ap);
  return s;
}

static double mean(int count, ...) {
  va_list ap, ap2;
  va_start(ap, count);
  va_copy(ap2, ap);
  double s = 0.0;
  for (int i = 0; i < count; ++i)
    s += va_arg(ap, double);
  double mx = -1e300;
  for (int i = 0; i < count; ++i) {
    double v = va_arg(ap2, double);
    if (v > mx)
      mx = v;
  }
  va_end(ap2);
  va_end(ap);
  printf("max=%.17g ", mx);
  return s / count;
}

/* Mixed types described by a format string: i=int, l=long long, d=double,
 * s=string, c=char. */
static void describe(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (const char *f = fmt; *f; ++f) {
    switch (*f) {
    case 'i': printf("[int %d]", va_arg(ap, int)); break;
    case 'l': printf("[ll %lld]", va_arg(ap, long long)); break;
    case 'd': printf("[dbl %.17g]", va_arg(ap, double)); break;
    case 's': printf("[str %s]", va_arg(ap, const char *)); break;
    case 'c': printf("[chr %c]", (char)va_arg(ap, int)); break;
    }
  }
  va_end(ap);
  printf("\n");
}

static int logf_to(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}

int main(void) {
  printf("sum0=%ld sum3=%ld sum10=%ld\n", sum_ints(0), sum_ints(3, 1, -2, 3),
         sum_ints(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  printf("mean=%.17g\n", mean(5, 1.5, 2.25, -3.0, 1e10, 0.1));
  describe("ildsc", -7, 1LL << 40, 2.5, "text", 'Z');
  describe("dddddddddi", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 42);
  describe("iiiiiiiil", 1, 2, 3, 4, 5, 6, 7, 8, -9LL);
  char buf[64];
  int r = logf_to(buf, sizeof buf, "%s=%d (%.3f)", "answer", 42, 0.5);
  printf("vsnprintf r=%d buf=[%s]\n", r, buf);
  return 0;
}
