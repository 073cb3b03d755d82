/* print.c: number formatting and printing, identical in every mode. */
#include "kiln/runtime/Abi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kiln_rt_format_f64(char *buf, size_t size, double v) {
  if (isnan(v))
    return snprintf(buf, size, "nan");
  if (isinf(v))
    return snprintf(buf, size, v < 0 ? "-inf" : "inf");
  /* Integral values that fit in 2^53 exactly print as integers. */
  if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    if (v == 0 && signbit(v))
      return snprintf(buf, size, "-0");
    return snprintf(buf, size, "%lld", (long long)v);
  }
  /* Shortest %.Ng that reads back to the same double. */
  for (int precision = 1; precision <= 17; ++precision) {
    int n = snprintf(buf, size, "%.*g", precision, v);
    if (strtod(buf, NULL) == v)
      return n;
  }
  return snprintf(buf, size, "%.17g", v);
}

void kiln_rt_print_f64(double v) {
  char buf[32];
  kiln_rt_format_f64(buf, sizeof buf, v);
  fputs(buf, stdout);
}

void kiln_rt_print_i64(int64_t v) { printf("%lld", (long long)v); }
void kiln_rt_print_bool(int32_t v) { fputs(v ? "true" : "false", stdout); }
void kiln_rt_print_str(const char *s) { fputs(s ? s : "", stdout); }
void kiln_rt_print_space(void) { fputc(' ', stdout); }
void kiln_rt_print_newline(void) { fputc('\n', stdout); }
