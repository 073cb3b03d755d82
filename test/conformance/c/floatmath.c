/* Checks libm floating point results printed with %.17g so every bit matters.
 */
#include <math.h>
#include <stdio.h>

static double poly(double x) { return ((2.5 * x - 1.25) * x + 0.75) * x - 3.0; }

int main(void) {
  double xs[] = {0.0, 0.5, 1.0, 2.0, 3.141592653589793, 10.0, 1e-8, 123.456};
  for (int i = 0; i < 8; ++i) {
    double x = xs[i];
    printf("x=%.17g sqrt=%.17g sin=%.17g cos=%.17g\n", x, sqrt(x), sin(x),
           cos(x));
    printf("  exp=%.17g log1p=%.17g pow(x,1.5)=%.17g atan=%.17g poly=%.17g\n",
           exp(x), log1p(x), pow(x, 1.5), atan(x), poly(x));
  }
  printf("pow(2,-10)=%.17g pow(10,22)=%.17g\n", pow(2.0, -10.0),
         pow(10.0, 22.0));
  printf("hypot(3,4)=%.17g fmod(10.5,3)=%.17g\n", hypot(3.0, 4.0),
         fmod(10.5, 3.0));
  printf(
      "floor(-2.5)=%.17g ceil(-2.5)=%.17g trunc(2.7)=%.17g round(2.5)=%.17g\n",
      floor(-2.5), ceil(-2.5), trunc(2.7), round(2.5));

  double sum = 0.0;
  for (int i = 1; i <= 1000; ++i)
    sum += 1.0 / ((double)i * i);
  printf("basel(1000)=%.17g\n", sum);

  float f = 0.1f;
  float fs = 0.0f;
  for (int i = 0; i < 10; ++i)
    fs += f;
  printf("float sum=%.9g sqrtf(2)=%.9g\n", (double)fs, (double)sqrtf(2.0f));

  double a = 1e16, b = 1.0;
  printf("cancel: %.17g\n", (a + b) - a);
  printf("div: %.17g %.17g\n", 1.0 / 3.0, 2.0 / 7.0);
  printf("inf=%g isinf=%d nan_is_nan=%d\n", HUGE_VAL, isinf(HUGE_VAL * 2.0),
         isnan(sqrt(-xs[2])));
  double d = 1.0;
  int steps = 0;
  while (1.0 + d != 1.0) {
    d /= 2.0;
    ++steps;
  }
  printf("epsilon steps=%d eps=%.17g\n", steps, d * 2.0);
  return 0;
}
