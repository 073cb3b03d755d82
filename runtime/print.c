/* print.c: number formatting and printing, identical in every mode, to
 * stdout or to the output a host set for the thread (kiln_rt_set_output). */
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

/* Where this thread's print output goes: NULL is stdout. Per thread, so a
 * host that captures one program's output leaves every other thread's alone;
 * AOT executables never set it. */
static _Thread_local kiln_rt_output_fn current_output;
static _Thread_local void *current_context;

void kiln_rt_set_output(kiln_rt_output_fn output, void *context) {
  current_output = output;
  current_context = output ? context : NULL;
}

kiln_rt_output_fn kiln_rt_get_output(void **context) {
  if (context)
    *context = current_context;
  return current_output;
}

void kiln_rt_print_bytes(const char *data, size_t size) {
  if (current_output)
    current_output(current_context, data, size);
  else
    fwrite(data, 1, size, stdout);
}

static void print_char(char c) {
  if (current_output)
    current_output(current_context, &c, 1);
  else
    fputc(c, stdout);
}

void kiln_rt_print_f64(double v) {
  char buf[32];
  int n = kiln_rt_format_f64(buf, sizeof buf, v);
  kiln_rt_print_bytes(buf, (size_t)n);
}

void kiln_rt_print_i64(int64_t v) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
  kiln_rt_print_bytes(buf, (size_t)n);
}

void kiln_rt_print_bool(int32_t v) {
  if (v)
    kiln_rt_print_bytes("true", 4);
  else
    kiln_rt_print_bytes("false", 5);
}

void kiln_rt_print_str(const char *s) {
  if (s)
    kiln_rt_print_bytes(s, strlen(s));
}

void kiln_rt_print_space(void) { print_char(' '); }
void kiln_rt_print_newline(void) { print_char('\n'); }
