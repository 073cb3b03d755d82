/* hostile_relay_test.c: hostile Relay sources, options and values.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): sources that are
 * huge, deeply nested, sized short or hold NULs; run options out of range;
 * calls back into Relay from a print callback; NaN, infinite and huge values,
 * indices and lengths, in the interpreter and the JIT alike.
 */
#include "hostile_check.h"

#include <math.h>

static void relay_sources(void) {
  kiln_engine *engine = new_engine();
  kiln_relay_program *program = NULL;
  char *deep = repeat("let x = 1\nlet y = ", "(", 100000, "1\n");
  char *long_line = repeat("let x = 0", " + 1", 200000, "\nprint(x)\n");
  char *many = repeat("", "let x = 1\n", 100000, "let y = (\n");
  static const char Sized[] = "fn f() -> number {\n  return 1\n}\n@@@@";
  expect_line(FAILS(kiln_relay_compile(engine, "deep.relay", deep, strlen(deep),
                                       NULL, &program),
                    KILN_ERROR_PARSE),
              2);
  /* 200,000 operators in a chain: too deep, or compiled, never a crash. */
  {
    kiln_error *e = kiln_relay_compile(engine, "long.relay", long_line,
                                       strlen(long_line), NULL, &program);
    if (e)
      expect_line(FAILS(e, KILN_ERROR_PARSE), 1);
    else
      kiln_relay_program_free(program), program = NULL;
  }
  expect_line(FAILS(kiln_relay_compile(engine, "many.relay", many, strlen(many),
                                       NULL, &program),
                    KILN_ERROR_PARSE),
              100002);
  /* Only `size` bytes are read; a NUL inside is an error at its line. */
  OK(kiln_relay_compile(engine, "s.relay", Sized, sizeof Sized - 5, NULL,
                        &program));
  CHECK(kiln_relay_function_count(program) == 1);
  kiln_relay_program_free(program);
  program = NULL;
  expect_line(
      FAILS(kiln_relay_compile(engine, "nul.relay", "let x = 1\nlet \0y", 16,
                               NULL, &program),
            KILN_ERROR_PARSE),
      2);
  expect_line(
      FAILS(kiln_relay_compile(engine, "\x80\x81.relay", "let \xff\xfe = 1\n",
                               10, NULL, &program),
            KILN_ERROR_PARSE),
      1);
  CHECK(program == NULL);
  free(deep), free(long_line), free(many);
  kiln_engine_free(engine);
}

static const char RelayMath[] =
    "fn add(a: number, b: number) -> number {\n" /* 1 */
    "  return a + b\n"
    "}\n"
    "fn at(a: array, i: number) -> number {\n" /* 4 */
    "  return a[i]\n"
    "}\n"
    "fn total(a: array) -> number {\n" /* 7 */
    "  let s = 0\n"
    "  for x in a { s = s + x }\n"
    "  return s\n"
    "}\n"
    "fn grow(n: number) -> array {\n" /* 12 */
    "  let r = []\n"
    "  let i = 0\n"
    "  while i < n { r.push(i)\n i = i + 1 }\n"
    "  return r\n"
    "}\n";

/* Run options: a depth below 1 and a timeout that is not a finite number
 * >= 0 are refused; a depth no stack can hold is refused with the most that
 * fits. */
static void relay_options(void) {
  static const int32_t depths[] = {0, -1, INT32_MIN};
  static const char Deep[] = "fn deep(n: number) -> number {\n"
                             "  return deep(n + 1)\n}\n";
  kiln_engine *engine = new_engine();
  kiln_relay_program *program = NULL;
  kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
  kiln_value arg;
  size_t i;
  for (i = 0; i < sizeof depths / sizeof depths[0]; ++i) {
    options.max_depth = depths[i];
    expect_message(FAILS(kiln_relay_compile(engine, "d.relay", Deep,
                                            strlen(Deep), &options, &program),
                         KILN_ERROR_INVALID_ARGUMENT),
                   "max_depth");
  }
  options.max_depth = INT32_MAX;
  expect_message(FAILS(kiln_relay_compile(engine, "d.relay", Deep, strlen(Deep),
                                          &options, &program),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "or less");
  options.max_depth = 10000;
  options.timeout_seconds = NAN;
  kiln_error_free(FAILS(kiln_relay_compile(engine, "d.relay", Deep,
                                           strlen(Deep), &options, &program),
                        KILN_ERROR_INVALID_ARGUMENT));
  options.timeout_seconds = -INFINITY;
  kiln_error_free(FAILS(kiln_relay_compile(engine, "d.relay", Deep,
                                           strlen(Deep), &options, &program),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(program == NULL);
  /* Depth 1 is honoured: the second call overflows, located. */
  options.timeout_seconds = 0, options.max_depth = 1;
  OK(kiln_relay_compile(engine, "d.relay", Deep, strlen(Deep), &options,
                        &program));
  memset(&arg, 0, sizeof arg);
  arg.type = KILN_VALUE_NUMBER;
  expect_message(FAILS(kiln_relay_call(program, "deep", &arg, 1, NULL),
                       KILN_ERROR_RUNTIME),
                 "call depth exceeded 1");
  kiln_relay_program_free(program);
  kiln_engine_free(engine);
}

/* A print callback that calls back into Relay: the nested call is refused
 * (the Relay lock is held while the callback runs), not a deadlock. */
typedef struct reentry {
  kiln_relay_program *program;
  int run_code, call_code, prints;
} reentry;

static void reenter(void *user_data, const char *text, size_t length) {
  reentry *r = (reentry *)user_data;
  kiln_error *e;
  (void)text, (void)length;
  if (r->prints++ > 0)
    return;
  e = kiln_relay_run(r->program);
  r->run_code = e ? (int)kiln_error_get_code(e) : 0;
  kiln_error_free(e);
  e = kiln_relay_call(r->program, "two", NULL, 0, NULL);
  r->call_code = e ? (int)kiln_error_get_code(e) : 0;
  kiln_error_free(e);
}

static void relay_reentry(void) {
  static const char Source[] = "fn two() -> number {\n  return 2\n}\n"
                               "print(two())\n";
  static const kiln_relay_mode modes[] = {KILN_RELAY_INTERP, KILN_RELAY_JIT};
  size_t m;
  for (m = 0; m < 2; ++m) {
    kiln_engine *engine = new_engine();
    kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
    reentry r;
    kiln_value result;
    memset(&r, 0, sizeof r);
    options.mode = modes[m];
    options.print = reenter, options.print_user_data = &r;
    OK(kiln_relay_compile(engine, "p.relay", Source, strlen(Source), &options,
                          &r.program));
    OK(kiln_relay_run(r.program));
    CHECK(r.prints > 0);
    CHECK(r.run_code == KILN_ERROR_INVALID_ARGUMENT);
    CHECK(r.call_code == KILN_ERROR_INVALID_ARGUMENT);
    /* Outside the callback both work again. */
    OK(kiln_relay_call(r.program, "two", NULL, 0, &result));
    CHECK(result.number == 2);
    kiln_relay_program_free(r.program);
    kiln_engine_free(engine);
  }
}

static void relay_values(void) {
  static const kiln_relay_mode modes[] = {KILN_RELAY_INTERP, KILN_RELAY_JIT};
  size_t m;
  for (m = 0; m < 2; ++m) {
    kiln_engine *engine = new_engine();
    kiln_relay_program *program = NULL;
    kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
    kiln_value args[2], result;
    double data[3] = {1, 2, 3};
    memset(args, 0, sizeof args);
    options.mode = modes[m];
    OK(kiln_relay_compile(engine, "m.relay", RelayMath, strlen(RelayMath),
                          &options, &program));
    args[0].type = args[1].type = KILN_VALUE_NUMBER;
    args[0].number = NAN, args[1].number = 1;
    OK(kiln_relay_call(program, "add", args, 2, &result));
    CHECK(result.type == KILN_VALUE_NUMBER && isnan(result.number));
    args[0].number = INFINITY, args[1].number = -INFINITY;
    OK(kiln_relay_call(program, "add", args, 2, &result));
    CHECK(isnan(result.number));
    /* A NaN, infinite, negative or fractional index traps at its line. */
    args[0].type = KILN_VALUE_ARRAY, args[0].array = data, args[0].length = 3;
    {
      static const double bad[] = {NAN, INFINITY, -INFINITY, -1, 3, 1e300, 0.5};
      size_t i;
      for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        args[1].number = bad[i];
        expect_line(FAILS(kiln_relay_call(program, "at", args, 2, &result),
                          KILN_ERROR_RUNTIME),
                    5);
      }
    }
    /* Array arguments: NULL data with a length, NULL with length 0. */
    args[0].array = NULL;
    kiln_error_free(FAILS(kiln_relay_call(program, "total", args, 1, &result),
                          KILN_ERROR_INVALID_ARGUMENT));
    args[0].length = 0;
    OK(kiln_relay_call(program, "total", args, 1, &result));
    CHECK(result.number == 0);
    /* A length no machine can hold is refused before it is read. */
    args[0].array = data, args[0].length = SIZE_MAX / 2;
    kiln_error_free(FAILS(kiln_relay_call(program, "total", args, 1, &result),
                          KILN_ERROR_INVALID_ARGUMENT));
    /* Counts, NULL args, an unknown type tag. */
    kiln_error_free(FAILS(kiln_relay_call(program, "total", NULL, 1, &result),
                          KILN_ERROR_INVALID_ARGUMENT));
    kiln_error_free(
        FAILS(kiln_relay_call(program, "total", args, SIZE_MAX, &result),
              KILN_ERROR_INVALID_ARGUMENT));
    args[0].type = (kiln_value_type)77;
    kiln_error_free(FAILS(kiln_relay_call(program, "total", args, 1, &result),
                          KILN_ERROR_INVALID_ARGUMENT));
    kiln_error_free(FAILS(kiln_relay_call(program, NULL, args, 1, &result),
                          KILN_ERROR_INVALID_ARGUMENT));
    kiln_error_free(FAILS(kiln_relay_call(program, "", args, 1, &result),
                          KILN_ERROR_INVALID_ARGUMENT));
    /* A huge array result, and a NaN/inf length for it. */
    args[0].type = KILN_VALUE_NUMBER, args[0].number = 1e6;
    OK(kiln_relay_call(program, "grow", args, 1, &result));
    CHECK(result.type == KILN_VALUE_ARRAY && result.length == 1000000);
    CHECK(result.array[999999] == 999999);
    kiln_value_clear(&result);
    kiln_value_clear(&result); /* a cleared value clears again */
    CHECK(result.type == KILN_VALUE_VOID && result.array == NULL);
    args[0].number = NAN;
    OK(kiln_relay_call(program, "grow", args, 1, &result));
    CHECK(result.length == 0);
    kiln_value_clear(&result);
    kiln_value_clear(NULL);
    kiln_relay_program_free(program);
    kiln_engine_free(engine);
  }
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"relay_sources", relay_sources},
                                    {"relay_options", relay_options},
                                    {"relay_reentry", relay_reentry},
                                    {"relay_values", relay_values}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
