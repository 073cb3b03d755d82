/* array.c: growable arrays of doubles with checked access, freed in bulk
 * through a per-thread arena. */
#include "kiln/runtime/Abi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Every live array of this thread, in allocation order. */
static _Thread_local kiln_rt_array **arena;
static _Thread_local size_t arena_size, arena_capacity;

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
  if (arena_size == arena_capacity) {
    arena_capacity = arena_capacity ? 2 * arena_capacity : 64;
    arena = checked_realloc(arena, arena_capacity * sizeof *arena);
  }
  arena[arena_size++] = a;
  return a;
}

static void destroy(kiln_rt_array *a) {
  free(a->data);
  free(a);
}

void kiln_rt_array_free(kiln_rt_array *a) {
  if (!a)
    return;
  for (size_t i = arena_size; i-- > 0;)
    if (arena[i] == a) {
      arena[i] = arena[--arena_size];
      break;
    }
  destroy(a);
}

size_t kiln_rt_arena_mark(void) { return arena_size; }

void kiln_rt_arena_release(size_t mark) {
  while (arena_size > mark)
    destroy(arena[--arena_size]);
  if (arena_size == 0) {
    free(arena);
    arena = NULL;
    arena_capacity = 0;
  }
}

void kiln_rt_array_push(kiln_rt_array *a, double v) {
  if (a->length == a->capacity) {
    a->capacity *= 2;
    a->data = checked_realloc(a->data, (size_t)a->capacity * sizeof(double));
  }
  a->data[a->length++] = v;
}

int kiln_rt_index_message(const kiln_rt_array *a, double index, char *buf,
                          size_t size) {
  char text[32];
  if (index != floor(index)) { /* also true for NaN */
    kiln_rt_format_f64(text, sizeof text, index);
    snprintf(buf, size, "array index %s is not an integer", text);
    return 1;
  }
  if (!(index >= 0 && index < (double)a->length)) {
    kiln_rt_format_f64(text, sizeof text, index);
    snprintf(buf, size, "array index %s out of range (length %lld)", text,
             (long long)a->length);
    return 1;
  }
  return 0;
}

void kiln_rt_index_trap(const kiln_rt_array *a, double index, const char *file,
                        int32_t line, int32_t column) {
  char message[128];
  if (!kiln_rt_index_message(a, index, message, sizeof message))
    snprintf(message, sizeof message, "invalid array index");
  kiln_rt_trap(message, file, line, column);
}

double kiln_rt_array_get(const kiln_rt_array *a, double index, const char *file,
                         int32_t line, int32_t column) {
  char message[128];
  if (kiln_rt_index_message(a, index, message, sizeof message))
    kiln_rt_trap(message, file, line, column);
  return a->data[(int64_t)index];
}

void kiln_rt_array_set(kiln_rt_array *a, double index, double v,
                       const char *file, int32_t line, int32_t column) {
  char message[128];
  if (kiln_rt_index_message(a, index, message, sizeof message))
    kiln_rt_trap(message, file, line, column);
  a->data[(int64_t)index] = v;
}

void kiln_rt_print_array(const kiln_rt_array *a) {
  char text[32];
  kiln_rt_print_bytes("[", 1);
  for (int64_t i = 0; i < a->length; ++i) {
    if (i)
      kiln_rt_print_bytes(", ", 2);
    int n = kiln_rt_format_f64(text, sizeof text, a->data[i]);
    kiln_rt_print_bytes(text, (size_t)n);
  }
  kiln_rt_print_bytes("]", 1);
}
