/* hostile_check.h: what the C API's hostile-input tests share (plain C99).
 *
 * Issue 14 asks that misuse and hostile input be an error wherever it can be
 * detected, never a crash. The cases live in one program per area
 * (hostile_<area>_test.c), each case one ctest test (capi.hostile.<case>);
 * this header holds the few helpers more than one area needs, on top of
 * relay_tensor_check.h's CHECK/OK/FAILS and run_cases.
 */
#ifndef KILN_TEST_CAPI_HOSTILE_CHECK_H
#define KILN_TEST_CAPI_HOSTILE_CHECK_H

#include "relay_tensor_check.h"

#include <stdint.h>
#include <stdlib.h>

/* A heap string of `count` copies of `piece` between `head` and `tail`. */
static char *repeat(const char *head, const char *piece, size_t count,
                    const char *tail) {
  size_t h = strlen(head), p = strlen(piece), t = strlen(tail), i;
  char *s = (char *)malloc(h + p * count + t + 1), *at = s;
  CHECK(s != NULL);
  memcpy(at, head, h), at += h;
  for (i = 0; i < count; ++i)
    memcpy(at, piece, p), at += p;
  memcpy(at, tail, t + 1);
  return s;
}

/* Frees an error after checking diagnostic 0's line. */
static void expect_line(kiln_error *error, unsigned line) {
  if (kiln_error_line_at(error, 0) != line) {
    fprintf(stderr, "expected line %u, got %u:\n%s\n", line,
            kiln_error_line_at(error, 0), kiln_error_rendered(error));
    exit(1);
  }
  kiln_error_free(error);
}

/* A module defining `int answer(void)`, returning 42. */
static const char Answer[] = "define i32 @answer() {\n  ret i32 42\n}\n";

/* Calls the engine's `answer` (from Answer): 42 when it is defined. */
static int call_answer(kiln_engine *engine) {
  void *address = NULL;
  int (*f)(void);
  OK(kiln_engine_lookup(engine, "answer", &address));
  *(void **)&f = address;
  return f();
}

/* A 1-d contiguous view of `n` elements. */
static kiln_array vector_of(void *data, kiln_dtype dtype, int64_t n) {
  kiln_array a;
  memset(&a, 0, sizeof a);
  a.data = data, a.dtype = dtype, a.rank = 1;
  a.shape[0] = n, a.strides[0] = 1;
  return a;
}

#endif /* KILN_TEST_CAPI_HOSTILE_CHECK_H */
