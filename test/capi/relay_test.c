/* relay_test.c: the C API over Relay (include/kiln/c/relay.h), from C99.
 *
 * Compile errors come back located (file, line, column); calls with numbers,
 * bools and arrays give the values Relay computes, array results are owned
 * by the caller; bad calls, traps, timeouts and depth overflows are errors
 * of the right code, located where Relay locates them; `print` reaches the
 * callback; every mode gives the same results; misuse is an error, never a
 * crash. One case per ctest test (capi.relay_<case>).
 */
#define _POSIX_C_SOURCE 200809L
#include "relay_tensor_check.h"

#include <pthread.h>

static const char Source[] =
    "fn add(a: number, b: number) -> number {\n" /* 1 */
    "    return a + b\n"
    "}\n"
    "fn flip(b: bool) -> bool {\n" /* 4 */
    "    return !b\n"
    "}\n"
    "fn scale(a: array, s: number) -> array {\n" /* 7 */
    "    let r = []\n"
    "    for x in a { r.push(x * s) }\n"
    "    return r\n"
    "}\n"
    "fn fib(n: number) -> number {\n" /* 12 */
    "    if n < 2 { return n }\n"
    "    return fib(n - 1) + fib(n - 2)\n"
    "}\n"
    "fn at(a: array, i: number) -> number {\n" /* 16 */
    "    return a[i]\n"
    "}\n"
    "fn spin() -> number {\n" /* 19 */
    "    let i = 0\n"
    "    while true { i = i + 1 }\n"
    "    return i\n"
    "}\n"
    "fn say(n: number) {\n" /* 24 */
    "    print(\"n is\", n, [n, n / 2])\n"
    "}\n"
    "fn deep(n: number) -> number {\n" /* 27 */
    "    return deep(n + 1)\n"
    "}\n"
    "print(\"top\", fib(10))\n";

/* Captured `print` output. */
typedef struct capture {
  char text[4096];
  size_t length;
} capture;

static void capture_print(void *user_data, const char *text, size_t length) {
  capture *c = (capture *)user_data;
  CHECK(c->length + length < sizeof c->text);
  memcpy(c->text + c->length, text, length);
  c->length += length;
  c->text[c->length] = '\0';
}

static kiln_relay_program *compile_mode(kiln_engine *engine,
                                        kiln_relay_mode mode, capture *out) {
  kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
  kiln_relay_program *program = NULL;
  options.mode = mode;
  options.print = out ? capture_print : NULL; /* NULL: stdout */
  options.print_user_data = out;
  OK(kiln_relay_compile(engine, "test.relay", Source, strlen(Source), &options,
                        &program));
  return program;
}

static kiln_value number(double n) {
  kiln_value v = {KILN_VALUE_NUMBER, 0, 0, NULL, 0};
  v.number = n;
  return v;
}

static kiln_value array(double *data, size_t length) {
  kiln_value v = {KILN_VALUE_ARRAY, 0, 0, NULL, 0};
  v.array = data;
  v.length = length;
  return v;
}

/* Checks the error's first diagnostic is at test.relay:line:col. */
static void expect_location(const kiln_error *error, unsigned line,
                            unsigned col) {
  if (strcmp(kiln_error_file_at(error, 0), "test.relay") != 0 ||
      kiln_error_line_at(error, 0) != line ||
      kiln_error_column_at(error, 0) != col) {
    fprintf(stderr, "expected test.relay:%u:%u, got %s:%u:%u:\n%s\n", line, col,
            kiln_error_file_at(error, 0), kiln_error_line_at(error, 0),
            kiln_error_column_at(error, 0), kiln_error_rendered(error));
    exit(1);
  }
}

static void compile_errors(void) {
  kiln_engine *engine = new_engine();
  kiln_relay_program *program = NULL;
  const char *parse = "let x = 1\nlet y = (x +\n";
  const char *type = "fn f(a: number) -> number {\n    return a && true\n}\n"
                     "let z = 1 + true\n";
  kiln_error *e = FAILS(kiln_relay_compile(engine, "test.relay", parse,
                                           strlen(parse), NULL, &program),
                        KILN_ERROR_PARSE);
  CHECK(kiln_error_line_at(e, 0) >= 2);
  CHECK(strcmp(kiln_error_file_at(e, 0), "test.relay") == 0);
  CHECK(strstr(kiln_error_rendered(e), "test.relay:") != NULL);
  kiln_error_free(e);
  e = FAILS(kiln_relay_compile(engine, "test.relay", type, strlen(type), NULL,
                               &program),
            KILN_ERROR_TYPE);
  expect_location(e, 2, 12);
  /* Every type error comes back, each located. */
  CHECK(kiln_error_count(e) == 3);
  CHECK(kiln_error_line_at(e, 2) == 4 && kiln_error_column_at(e, 2) == 13);
  CHECK(strstr(kiln_error_rendered(e), "    return a && true\n") != NULL);
  kiln_error_free(e);
  CHECK(program == NULL); /* untouched on error */
  kiln_engine_free(engine);
}

static void call_values(void) {
  kiln_engine *engine = new_engine();
  capture printed = {{0}, 0};
  kiln_relay_program *program = compile_mode(engine, KILN_RELAY_AUTO, &printed);
  double data[3] = {1, 2.5, -4};
  kiln_value args[2], result = {KILN_VALUE_VOID, 0, 0, NULL, 0};
  args[0] = number(40), args[1] = number(2.5);
  OK(kiln_relay_call(program, "add", args, 2, &result));
  CHECK(result.type == KILN_VALUE_NUMBER && result.number == 42.5);
  args[0].type = KILN_VALUE_BOOL, args[0].boolean = 1;
  OK(kiln_relay_call(program, "flip", args, 1, &result));
  CHECK(result.type == KILN_VALUE_BOOL && result.boolean == 0);
  args[0] = array(data, 3), args[1] = number(2);
  OK(kiln_relay_call(program, "scale", args, 2, &result));
  CHECK(result.type == KILN_VALUE_ARRAY && result.length == 3);
  CHECK(result.array[0] == 2 && result.array[1] == 5 && result.array[2] == -8);
  CHECK(result.array != data); /* a copy the caller owns */
  kiln_value_clear(&result);
  CHECK(result.type == KILN_VALUE_VOID && result.array == NULL);
  kiln_value_clear(&result); /* twice is fine */
  kiln_value_clear(NULL);
  /* An empty array in and out; a NULL result ignores the value. */
  args[0] = array(NULL, 0);
  OK(kiln_relay_call(program, "scale", args, 2, &result));
  CHECK(result.type == KILN_VALUE_ARRAY && result.length == 0);
  kiln_value_clear(&result);
  OK(kiln_relay_call(program, "scale", args, 2, NULL));
  args[0] = number(7);
  OK(kiln_relay_call(program, "say", args, 1, &result));
  CHECK(result.type == KILN_VALUE_VOID);
  CHECK(strcmp(printed.text, "n is 7 [7, 3.5]\n") == 0);
  kiln_relay_program_free(program);
  kiln_engine_free(engine);
}

static void bad_calls(void) {
  kiln_engine *engine = new_engine();
  kiln_relay_program *program = compile_mode(engine, KILN_RELAY_AUTO, NULL);
  kiln_value args[3], result = number(-1);
  kiln_error *e;
  args[0] = number(1), args[1] = number(2), args[2] = number(3);
  e = FAILS(kiln_relay_call(program, "add", args, 3, &result),
            KILN_ERROR_INVALID_ARGUMENT);
  expect_location(e, 1, 4); /* at the function */
  expect_message(e, "'add' takes 2 arguments, not 3");
  /* A count far beyond the array is refused before anything is read. */
  expect_message(
      FAILS(kiln_relay_call(program, "add", args, (size_t)1 << 40, &result),
            KILN_ERROR_INVALID_ARGUMENT),
      "'add' takes 2 arguments, not 1099511627776");
  args[0].type = KILN_VALUE_BOOL;
  e = FAILS(kiln_relay_call(program, "add", args, 2, &result),
            KILN_ERROR_INVALID_ARGUMENT);
  expect_location(e, 1, 8); /* at the parameter */
  expect_message(e, "argument 1 of 'add' ('a') must be a number, not a bool");
  e = FAILS(kiln_relay_call(program, "nope", args, 0, &result),
            KILN_ERROR_INVALID_ARGUMENT);
  expect_message(e, "no function named 'nope'");
  /* Values C can get wrong. */
  args[0] = array(NULL, 3);
  expect_message(FAILS(kiln_relay_call(program, "scale", args, 2, &result),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "array is NULL");
  args[0].type = KILN_VALUE_VOID;
  kiln_error_free(FAILS(kiln_relay_call(program, "add", args, 2, &result),
                        KILN_ERROR_INVALID_ARGUMENT));
  args[0].type = (kiln_value_type)99;
  expect_message(FAILS(kiln_relay_call(program, "add", args, 2, &result),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "unknown type 99");
  kiln_error_free(FAILS(kiln_relay_call(program, "add", NULL, 2, &result),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_relay_call(program, NULL, args, 0, &result),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(result.type == KILN_VALUE_NUMBER && result.number == -1);
  kiln_relay_program_free(program);
  kiln_engine_free(engine);
}

static void trap(void) {
  kiln_relay_mode modes[3] = {KILN_RELAY_INTERP, KILN_RELAY_JIT,
                              KILN_RELAY_AUTO};
  kiln_engine *engine = new_engine();
  int m;
  for (m = 0; m < 3; ++m) {
    kiln_relay_program *program = compile_mode(engine, modes[m], NULL);
    kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
    double data[3] = {1, 2, 3};
    kiln_value args[2], result = number(-1);
    kiln_error *e;
    args[0] = array(data, 3), args[1] = number(5);
    e = FAILS(kiln_relay_call(program, "at", args, 2, &result),
              KILN_ERROR_RUNTIME);
    expect_location(e, 17, 13); /* the '[' of a[i] */
    expect_message(e, "array index 5 out of range (length 3)");
    CHECK(result.number == -1);
    /* The program is still usable after a trap. */
    args[1] = number(2);
    OK(kiln_relay_call(program, "at", args, 2, &result));
    CHECK(result.number == 3);
    kiln_relay_program_free(program);
    /* Too deep: a runtime error at the function's name. */
    options.mode = modes[m];
    options.max_depth = 50;
    OK(kiln_relay_compile(engine, "test.relay", Source, strlen(Source),
                          &options, &program));
    e = FAILS(kiln_relay_call(program, "deep", args + 1, 1, &result),
              KILN_ERROR_RUNTIME);
    expect_location(e, 27, 4);
    expect_message(e, "stack overflow");
    kiln_relay_program_free(program);
  }
  kiln_engine_free(engine);
}

static void timeout(void) {
  kiln_relay_mode modes[3] = {KILN_RELAY_INTERP, KILN_RELAY_JIT,
                              KILN_RELAY_AUTO};
  kiln_engine *engine = new_engine();
  int m;
  for (m = 0; m < 3; ++m) {
    kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
    kiln_relay_program *program = NULL;
    kiln_value result = number(-1);
    const char *loop = "let i = 0\nwhile true { i = i + 1 }\n";
    options.mode = modes[m];
    options.timeout_seconds = 0.2;
    OK(kiln_relay_compile(engine, "test.relay", Source, strlen(Source),
                          &options, &program));
    expect_message(FAILS(kiln_relay_call(program, "spin", NULL, 0, &result),
                         KILN_ERROR_TIMEOUT),
                   "timeout");
    CHECK(result.number == -1);
    kiln_relay_program_free(program);
    OK(kiln_relay_compile(engine, "loop.relay", loop, strlen(loop), &options,
                          &program));
    kiln_error_free(FAILS(kiln_relay_run(program), KILN_ERROR_TIMEOUT));
    kiln_relay_program_free(program);
  }
  kiln_engine_free(engine);
}

static void print_callback(void) {
  kiln_engine *engine = new_engine();
  capture printed = {{0}, 0};
  kiln_relay_program *program =
      compile_mode(engine, KILN_RELAY_INTERP, &printed);
  OK(kiln_relay_run(program));
  CHECK(strcmp(printed.text, "top 55\n") == 0);
  OK(kiln_relay_run(program)); /* the top-level code runs afresh */
  CHECK(strcmp(printed.text, "top 55\ntop 55\n") == 0);
  kiln_relay_program_free(program);
  kiln_engine_free(engine);
}

/* What the program gives in one mode, as text: the values of several calls
 * and everything printed. */
static void results_in(kiln_relay_mode mode, char *out, size_t size) {
  kiln_engine *engine = new_engine();
  capture printed = {{0}, 0};
  kiln_relay_program *program = compile_mode(engine, mode, &printed);
  double data[4] = {0.1, -2, 1e300, 3};
  kiln_value args[2], r1, r2, r3;
  int i;
  OK(kiln_relay_run(program));
  args[0] = number(20);
  OK(kiln_relay_call(program, "fib", args, 1, &r1));
  args[0] = array(data, 4), args[1] = number(0.3);
  OK(kiln_relay_call(program, "scale", args, 2, &r2));
  args[0] = number(1.5);
  OK(kiln_relay_call(program, "say", args, 1, NULL));
  for (i = 0; i < 200; ++i) /* enough calls for auto mode to tier up */
    OK(kiln_relay_call(program, "add", args, 2, &r3));
  CHECK(r2.length == 4);
  snprintf(out, size, "%.17g [%.17g %.17g %.17g %.17g] %.17g |%s", r1.number,
           r2.array[0], r2.array[1], r2.array[2], r2.array[3], r3.number,
           printed.text);
  kiln_value_clear(&r2);
  kiln_relay_program_free(program);
  kiln_engine_free(engine);
}

static void modes_agree(void) {
  char interp[512], jit[512], autom[512];
  results_in(KILN_RELAY_INTERP, interp, sizeof interp);
  results_in(KILN_RELAY_JIT, jit, sizeof jit);
  results_in(KILN_RELAY_AUTO, autom, sizeof autom);
  printf("interp: %s", interp);
  CHECK(strstr(interp, "6765 [") == interp);
  CHECK(strstr(interp, "|top 55\nn is 1.5 [1.5, 0.75]\n") != NULL);
  CHECK(strcmp(interp, jit) == 0);
  CHECK(strcmp(interp, autom) == 0);
}

static void function_info(void) {
  kiln_engine *engine = new_engine();
  kiln_relay_program *program = compile_mode(engine, KILN_RELAY_AUTO, NULL);
  const char *name = NULL;
  size_t params = 99;
  kiln_value_type types[1] = {KILN_VALUE_VOID}, result = KILN_VALUE_VOID;
  CHECK(kiln_relay_function_count(program) == 8);
  OK(kiln_relay_function_info(program, 2, &name, &params, types, 1, &result));
  CHECK(strcmp(name, "scale") == 0 && params == 2);
  CHECK(types[0] == KILN_VALUE_ARRAY && result == KILN_VALUE_ARRAY);
  OK(kiln_relay_function_info(program, 6, &name, &params, NULL, 0, &result));
  CHECK(strcmp(name, "say") == 0 && params == 1 && result == KILN_VALUE_VOID);
  OK(kiln_relay_function_info(program, 1, NULL, NULL, types, 1, &result));
  CHECK(types[0] == KILN_VALUE_BOOL && result == KILN_VALUE_BOOL);
  name = NULL;
  kiln_error_free(FAILS(
      kiln_relay_function_info(program, 8, &name, &params, NULL, 0, &result),
      KILN_ERROR_INVALID_ARGUMENT));
  CHECK(name == NULL);
  kiln_relay_program_free(program);
  kiln_engine_free(engine);
}

static void misuse(void) {
  kiln_engine *engine = new_engine();
  kiln_relay_program *program = NULL;
  kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
  kiln_value v = number(1);
  kiln_error_free(FAILS(kiln_relay_compile(NULL, "f", "1", 1, NULL, &program),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_relay_compile(engine, "f", NULL, 3, NULL, &program),
            KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_relay_compile(engine, "f", "1", 1, NULL, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  options.mode = (kiln_relay_mode)7;
  expect_message(
      FAILS(kiln_relay_compile(engine, "f", "1", 1, &options, &program),
            KILN_ERROR_INVALID_ARGUMENT),
      "mode 7");
  options.mode = KILN_RELAY_AUTO;
  options.timeout_seconds = -1;
  kiln_error_free(
      FAILS(kiln_relay_compile(engine, "f", "1", 1, &options, &program),
            KILN_ERROR_INVALID_ARGUMENT));
  CHECK(program == NULL);
  kiln_error_free(FAILS(kiln_relay_run(NULL), KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_relay_call(NULL, "add", &v, 1, &v),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(kiln_relay_function_count(NULL) == 0);
  kiln_error_free(
      FAILS(kiln_relay_function_info(NULL, 0, NULL, NULL, NULL, 0, NULL),
            KILN_ERROR_INVALID_ARGUMENT));
  kiln_relay_program_free(NULL);
  /* Code for another machine cannot run here. */
  {
    kiln_engine *foreign = foreign_engine();
    expect_message(
        FAILS(kiln_relay_compile(foreign, "f", "1", 1, NULL, &program),
              KILN_ERROR_TARGET),
        "is not this machine");
    kiln_engine_free(foreign);
  }
  /* Empty source is a program with nothing in it; a NULL file name is fine. */
  OK(kiln_relay_compile(engine, NULL, "", 0, NULL, &program));
  OK(kiln_relay_run(program));
  CHECK(kiln_relay_function_count(program) == 0);
  /* The program keeps its engine alive. */
  kiln_engine_free(engine);
  OK(kiln_relay_run(program));
  kiln_relay_program_free(program);
}

/* Two threads calling two programs at once: the C layer serialises the
 * calls (Relay's runtime state is process-wide), so both get right answers. */
static void *call_fib_many(void *arg) {
  kiln_relay_program *program = (kiln_relay_program *)arg;
  kiln_value n = number(15), result;
  int i;
  for (i = 0; i < 50; ++i) {
    OK(kiln_relay_call(program, "fib", &n, 1, &result));
    CHECK(result.number == 610);
  }
  return NULL;
}

static void threads(void) {
  kiln_engine *engine = new_engine();
  kiln_relay_program *a = compile_mode(engine, KILN_RELAY_AUTO, NULL);
  kiln_relay_program *b = compile_mode(engine, KILN_RELAY_JIT, NULL);
  pthread_t ta, tb, tc;
  CHECK(pthread_create(&ta, NULL, call_fib_many, a) == 0);
  CHECK(pthread_create(&tb, NULL, call_fib_many, b) == 0);
  CHECK(pthread_create(&tc, NULL, call_fib_many, a) == 0);
  CHECK(pthread_join(ta, NULL) == 0 && pthread_join(tb, NULL) == 0 &&
        pthread_join(tc, NULL) == 0);
  kiln_relay_program_free(a);
  kiln_relay_program_free(b);
  kiln_engine_free(engine);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"compile_errors", compile_errors},
                                    {"call", call_values},
                                    {"bad_calls", bad_calls},
                                    {"trap", trap},
                                    {"timeout", timeout},
                                    {"print", print_callback},
                                    {"modes", modes_agree},
                                    {"function_info", function_info},
                                    {"misuse", misuse},
                                    {"threads", threads}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
