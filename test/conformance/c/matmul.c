/* Checks double-precision matrix multiply (trace/Frobenius norm) and a
 * Gauss-Jordan inverse check. */
#include <math.h>
#include <stdio.h>

#define N 6

static void matmul(double c[N][N], double a[N][N], double b[N][N]) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double s = 0.0;
      for (int k = 0; k < N; ++k)
        s += a[i][k] * b[k][j];
      c[i][j] = s;
    }
}

static int invert(double out[N][N], double in[N][N]) {
  double m[N][2 * N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < 2 * N; ++j)
      m[i][j] = j < N ? in[i][j] : (j - N == i ? 1.0 : 0.0);
  for (int col = 0; col < N; ++col) {
    int piv = col;
    for (int r = col + 1; r < N; ++r)
      if (fabs(m[r][col]) > fabs(m[piv][col]))
        piv = r;
    if (fabs(m[piv][col]) < 1e-12)
      return 0;
    for (int j = 0; j < 2 * N; ++j) {
      double t = m[col][j];
      m[col][j] = m[piv][j];
      m[piv][j] = t;
    }
    double d = m[col][col];
    for (int j = 0; j < 2 * N; ++j)
      m[col][j] /= d;
    for (int r = 0; r < N; ++r)
      if (r != col) {
        double f = m[r][col];
        for (int j = 0; j < 2 * N; ++j)
          m[r][j] -= f * m[col][j];
      }
  }
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      out[i][j] = m[i][j + N];
  return 1;
}

int main(void) {
  double a[N][N], b[N][N], c[N][N], inv[N][N], id[N][N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      a[i][j] = 1.0 / (i + j + 1) + (i == j ? 2.0 : 0.0);
      b[j][i] = (double)((i * 7 + j * 3) % 11) - 5.0 + 0.1 * j;
    }
  matmul(c, a, b);
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j)
      printf("%.17g%c", c[i][j], j == N - 1 ? '\n' : ' ');
  }
  double trace = 0.0, fro = 0.0;
  for (int i = 0; i < N; ++i) {
    trace += c[i][i];
    for (int j = 0; j < N; ++j)
      fro += c[i][j] * c[i][j];
  }
  printf("trace=%.17g frobenius=%.17g\n", trace, sqrt(fro));
  if (!invert(inv, a)) {
    printf("singular\n");
    return 1;
  }
  matmul(id, a, inv);
  double maxerr = 0.0;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double e = fabs(id[i][j] - (i == j ? 1.0 : 0.0));
      if (e > maxerr)
        maxerr = e;
    }
  printf("inv[0][0]=%.17g inv[5][5]=%.17g identity_ok=%d\n", inv[0][0],
         inv[N - 1][N - 1], maxerr < 1e-12);
  return 0;
}
