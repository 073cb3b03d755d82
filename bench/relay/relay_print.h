// relay_print.h: print numbers exactly as Relay's print() does, so the C
// reference programs in bench/relay/ produce byte-identical output.
// Integral values below 2^53 print without a decimal point; others print as
// the shortest %.Ng text (N = 1..17) that reads back to the same double.
#pragma once
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void relay_put(double x) {
  if (x == floor(x) && fabs(x) < 9007199254740992.0) {
    printf("%.0f", x);
    return;
  }
  char buf[40];
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, x);
    if (strtod(buf, NULL) == x)
      break;
  }
  fputs(buf, stdout);
}

/// print(a, b, ...) for n numbers: one space between, newline at the end.
static void relay_print(int n, const double *xs) {
  for (int i = 0; i < n; i++) {
    if (i)
      putchar(' ');
    relay_put(xs[i]);
  }
  putchar('\n');
}
#define RELAY_PRINT(...)                                                       \
  relay_print(sizeof((double[]){__VA_ARGS__}) / sizeof(double),                \
              (double[]){__VA_ARGS__})

/// A growable array of doubles that grows like a Relay array (doubling
/// capacity), for the reference programs that push.
typedef struct {
  double *data;
  long len, cap;
} array;

static inline void push(array *a, double v) {
  if (a->len == a->cap) {
    a->cap = a->cap ? 2 * a->cap : 8;
    a->data = realloc(a->data, a->cap * sizeof(double));
  }
  a->data[a->len++] = v;
}
