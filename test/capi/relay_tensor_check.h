/* relay_tensor_check.h: the small harness the C API's Relay and tensor tests
 * share (plain C99).
 *
 * Each test program holds several named cases; ctest runs one case per test
 * (`relay_test call`), so a failure names what broke. A failed check prints
 * file:line and the expression (or the error Kiln returned) and exits 1.
 */
#ifndef KILN_TEST_CAPI_RELAY_TENSOR_CHECK_H
#define KILN_TEST_CAPI_RELAY_TENSOR_CHECK_H

#include "kiln/kiln.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* A call that must succeed; on error prints Kiln's rendered error. */
#define OK(call)                                                               \
  do {                                                                         \
    kiln_error *ok_error_ = (call);                                            \
    if (ok_error_) {                                                           \
      fprintf(stderr, "%s:%d: %s failed (%s):\n%s\n", __FILE__, __LINE__,      \
              #call, kiln_error_code_name(kiln_error_get_code(ok_error_)),     \
              kiln_error_rendered(ok_error_));                                 \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* A call that must fail with `code`; returns the error (caller frees). */
#define FAILS(call, code) expect_failure((call), (code), #call, __LINE__)

static kiln_error *expect_failure(kiln_error *error, kiln_error_code code,
                                  const char *what, int line) {
  if (!error) {
    fprintf(stderr, "%s:%d: %s succeeded; expected a %s error\n", __FILE__,
            line, what, kiln_error_code_name(code));
    exit(1);
  }
  if (kiln_error_get_code(error) != code) {
    fprintf(stderr, "%s:%d: %s: expected a %s error, got %s:\n%s\n", __FILE__,
            line, what, kiln_error_code_name(code),
            kiln_error_code_name(kiln_error_get_code(error)),
            kiln_error_rendered(error));
    exit(1);
  }
  return error;
}

/* Frees an error after checking its first message contains `text`. */
static void expect_message(kiln_error *error, const char *text) {
  if (!strstr(kiln_error_message(error), text)) {
    fprintf(stderr, "message '%s' does not contain '%s'\n",
            kiln_error_message(error), text);
    exit(1);
  }
  kiln_error_free(error);
}

static kiln_engine *new_engine(void) {
  kiln_engine *engine = NULL;
  OK(kiln_engine_new(NULL, &engine));
  return engine;
}

/* An engine for a machine other than this one: it can emit, not run. */
static kiln_engine *foreign_engine(void) {
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  kiln_engine *host = new_engine(), *engine = NULL;
  options.target = strncmp(kiln_engine_target(host), "x86_64", 6) == 0
                       ? "aarch64-linux-gnu:cortex-a72"
                       : "x86_64-linux-gnu:x86-64";
  kiln_engine_free(host);
  OK(kiln_engine_new(&options, &engine));
  return engine;
}

typedef struct test_case {
  const char *name;
  void (*run)(void);
} test_case;

/* Runs the case argv[1] names (every case without an argument). */
static int run_cases(int argc, char **argv, const test_case *cases,
                     size_t count) {
  size_t i, ran = 0;
  for (i = 0; i < count; ++i) {
    if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
      continue;
    cases[i].run();
    printf("ok %s\n", cases[i].name);
    ++ran;
  }
  if (ran == 0) {
    fprintf(stderr, "no test case named '%s'\n", argc > 1 ? argv[1] : "");
    return 1;
  }
  return 0;
}

#endif
