/* relay_loop.c: embedding Relay in a C program through libkiln.so.
 *
 * Compiles a Relay program once, then calls its functions in a loop with
 * numbers and arrays, gets the values back, captures what the program
 * prints, and shows that a bad call is a located error. Build against an
 * installed Kiln with `cc relay_loop.c $(pkg-config --cflags --libs kiln)`.
 * Run by the tests (example.embed.relay_loop); docs/c-api.md walks
 * through it.
 */
#include "kiln/kiln.h"

#include <stdio.h>
#include <string.h>

static const char Program[] =
    "fn collatz(n: number) -> number {\n"
    "    let steps = 0\n"
    "    while n != 1 {\n"
    "        if n % 2 == 0 { n = n / 2 } else { n = 3 * n + 1 }\n"
    "        steps = steps + 1\n"
    "    }\n"
    "    return steps\n"
    "}\n"
    "fn summary(a: array) -> array {\n"
    "    let total = 0\n"
    "    let most = a[0]\n"
    "    for x in a { total = total + x; most = max(most, x) }\n"
    "    print(\"summary of\", len(a), \"values\")\n"
    "    return [total / len(a), most]\n"
    "}\n";

/* Collects `print` output, which may come in several pieces per line. */
typedef struct printed {
  char text[256];
  size_t length;
} printed;

static void on_print(void *user_data, const char *text, size_t length) {
  printed *out = (printed *)user_data;
  size_t room = sizeof out->text - 1 - out->length;
  memcpy(out->text + out->length, text, length < room ? length : room);
  out->length += length < room ? length : room;
  out->text[out->length] = '\0';
}

/* Prints a failed call's error as Kiln's tool would, and frees it. */
static int fail(kiln_error *error) {
  fprintf(stderr, "%s", kiln_error_rendered(error));
  kiln_error_free(error);
  return 1;
}

int main(void) {
  kiln_engine *engine = NULL;
  kiln_relay_program *program = NULL;
  kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
  kiln_value arg = {KILN_VALUE_NUMBER, 0, 0, NULL, 0}, result;
  double steps[10];
  printed captured = {"", 0};
  kiln_error *error;
  int n;
  options.mode = KILN_RELAY_AUTO; /* or KILN_RELAY_INTERP, KILN_RELAY_JIT */
  options.print = on_print;
  options.print_user_data = &captured; /* must outlive the program */
  if ((error = kiln_engine_new(NULL, &engine)) != NULL)
    return fail(error);
  error = kiln_relay_compile(engine, "loop.relay", Program, strlen(Program),
                             &options, &program);
  if (error)
    return fail(error);
  for (n = 1; n <= 10; ++n) { /* one compiled program, many calls */
    arg.number = n * 7;
    if ((error = kiln_relay_call(program, "collatz", &arg, 1, &result)))
      return fail(error);
    steps[n - 1] = result.number;
    printf("collatz(%d) = %g steps\n", n * 7, result.number);
  }
  arg.type = KILN_VALUE_ARRAY, arg.array = steps, arg.length = 10;
  if ((error = kiln_relay_call(program, "summary", &arg, 1, &result)))
    return fail(error);
  printf("mean %g, most %g\n", result.array[0], result.array[1]);
  printf("captured: %s", captured.text);
  kiln_value_clear(&result); /* array results are the caller's */
  /* A bad call is an error with the function's location, not a crash. */
  error = kiln_relay_call(program, "collatz", &arg, 1, &result);
  printf("%s error: %s\n", kiln_error_code_name(kiln_error_get_code(error)),
         kiln_error_rendered(error));
  kiln_error_free(error);
  kiln_relay_program_free(program);
  kiln_engine_free(engine);
  return 0;
}
