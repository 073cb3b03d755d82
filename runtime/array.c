/* array.c: growable arrays of doubles with checked access. */
#include "kiln/runtime/Abi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void *checked_realloc(void *p, size_t bytes) {
  void *q = realloc(p, bytes ? bytes : 1);
  if (!q)
    kiln_rt_trap("out of memory", NULL, 0, 0);
  return q;
}

kiln_rt_array *kiln_rt_array_new(int64_t length) {
  if (length < 0)
    kiln_rt_trap("negative array length", NULL, 0, 0);
  kiln_rt_array *a = checked_realloc(NULL, sizeof *a);
  a->length = length;
  a->capacity = length > 4 ? length : 4;
  a->data = calloc((size_t)a->capacity, sizeof(double));
  if (!a->data)
    kiln_rt_trap("out of memory", NULL, 0, 0);
  return a;
}

void kiln_rt_array_free(kiln_rt_array *a) {
  if (a) {
    free(a->data);
    free(a);
  }
}

void kiln_rt_array_push(kiln_rt_array *a, double v) {
  if (a->length == a->capacity) {
    a->capacity *= 2;
    a->data = checked_realloc(a->data, (size_t)a->capacity * sizeof(double));
  }
  a->data[a->length++] = v;
}

static int64_t checked_index(const kiln_rt_array *a, double index,
                             const char *file, int32_t line, int32_t column) {
  char message[128];
  if (index != floor(index)) {
    snprintf(message, sizeof message, "array index %.17g is not an integer",
             index);
    kiln_rt_trap(message, file, line, column);
  }
  if (!(index >= 0 && index < (double)a->length)) {
    snprintf(message, sizeof message,
             "array index %.17g out of range (length %lld)", index,
             (long long)a->length);
    kiln_rt_trap(message, file, line, column);
  }
  return (int64_t)index;
}

double kiln_rt_array_get(const kiln_rt_array *a, double index,
                         const char *file, int32_t line, int32_t column) {
  return a->data[checked_index(a, index, file, line, column)];
}

void kiln_rt_array_set(kiln_rt_array *a, double index, double v,
                       const char *file, int32_t line, int32_t column) {
  a->data[checked_index(a, index, file, line, column)] = v;
}
