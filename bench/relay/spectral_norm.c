// spectral_norm: as bench/relay/spectral_norm.relay, in doubles and in the
// same order.
#include "relay_print.h"

static double a(double i, double j) {
  return 1 / ((i + j) * (i + j + 1) / 2 + i + 1);
}

static void mul_av(const double *v, double *out, double n) {
  for (double i = 0; i < n; i++) {
    double s = 0;
    for (double j = 0; j < n; j++)
      s = s + a(i, j) * v[(long)j];
    out[(long)i] = s;
  }
}

static void mul_atv(const double *v, double *out, double n) {
  for (double i = 0; i < n; i++) {
    double s = 0;
    for (double j = 0; j < n; j++)
      s = s + a(j, i) * v[(long)j];
    out[(long)i] = s;
  }
}

static void mul_atav(const double *v, double *out, double *tmp, double n) {
  mul_av(v, tmp, n);
  mul_atv(tmp, out, n);
}

static double *zeros(double n) {
  double *z = malloc(((long)n + 1) * sizeof(double));
  for (long i = 0; i < (long)n; i++)
    z[i] = 0;
  return z;
}

int main(void) {
  double n = 200; // bench:size
  double *u = zeros(n), *v = zeros(n), *tmp = zeros(n);
  for (long i = 0; i < (long)n; i++)
    u[i] = 1;
  for (int i = 0; i < 10; i++) {
    mul_atav(u, v, tmp, n);
    mul_atav(v, u, tmp, n);
  }
  double vbv = 0, vv = 0;
  for (long i = 0; i < (long)n; i++) {
    vbv = vbv + u[i] * v[i];
    vv = vv + v[i] * v[i];
  }
  RELAY_PRINT(sqrt(vbv / vv));
  free(u), free(v), free(tmp);
  return 0;
}
