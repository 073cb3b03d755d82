/* medium.c: a "medium" module for compile-latency benchmarks: a dozen
 * functions with loops, recursion, floating point and memory traffic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double re, im;
} complex_t;

static int mandel(complex_t c, int limit) {
  double zr = 0, zi = 0;
  int i = 0;
  while (i < limit && zr * zr + zi * zi <= 4.0) {
    double t = zr * zr - zi * zi + c.re;
    zi = 2 * zr * zi + c.im;
    zr = t;
    ++i;
  }
  return i;
}

static void matmul(const double *a, const double *b, double *c, int n) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < n; ++k)
        s += a[i * n + k] * b[k * n + j];
      c[i * n + j] = s;
    }
}

static int sieve(int limit, char *marks) {
  int count = 0;
  memset(marks, 1, (size_t)limit);
  for (int i = 2; i < limit; ++i) {
    if (!marks[i])
      continue;
    ++count;
    for (long j = (long)i * i; j < limit; j += i)
      marks[j] = 0;
  }
  return count;
}

static void insertion_sort(int *v, int n) {
  for (int i = 1; i < n; ++i) {
    int x = v[i], j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      --j;
    }
    v[j + 1] = x;
  }
}

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; ++s)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static double horner(const double *coef, int n, double x) {
  double r = 0;
  for (int i = n - 1; i >= 0; --i)
    r = r * x + coef[i];
  return r;
}

static long ackermann(long m, long n) {
  if (m == 0)
    return n + 1;
  if (n == 0)
    return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

static double saxpy_sum(float a, const float *x, float *y, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    y[i] = a * x[i] + y[i];
    s += y[i];
  }
  return s;
}

static int collatz(long n) {
  int steps = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n / 2;
    ++steps;
  }
  return steps;
}

static double integrate(double (*f)(double), double a, double b, int n) {
  double h = (b - a) / n, s = 0.5 * (f(a) + f(b));
  for (int i = 1; i < n; ++i)
    s += f(a + i * h);
  return s * h;
}

int main(void) {
  enum { N = 24, L = 20000, V = 200 };
  static double a[N * N], b[N * N], c[N * N];
  static char marks[L];
  static int v[V];
  static float x[V], y[V];
  for (int i = 0; i < N * N; ++i) {
    a[i] = i % 7;
    b[i] = i % 5;
  }
  for (int i = 0; i < V; ++i) {
    v[i] = (i * 7919) % V;
    x[i] = (float)i;
    y[i] = 1.0f;
  }
  matmul(a, b, c, N);
  insertion_sort(v, V);
  double coef[] = {1, -2, 3, -4, 5};
  complex_t z = {-0.5, 0.5};
  printf("%g %d %d %u %g %ld %g %d %.6f %d\n", c[N + 1], sieve(L, marks),
         v[V - 1], hash("kiln"), horner(coef, 5, 1.5), ackermann(2, 3),
         saxpy_sum(2.0f, x, y, V), collatz(27), integrate(sin, 0, M_PI, 1000),
         mandel(z, 100));
  return 0;
}
