/* hostile_emit_test.c: bitcode garbage, emit, define and link misuse.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): bitcode that is
 * truncated or has bytes flipped, emit kinds outside the enum, host function
 * signatures that are garbage or huge, and link inputs that are NULL or look
 * like driver options.
 */
#define _POSIX_C_SOURCE 200809L
#include "hostile_check.h"

#include <unistd.h>

static void bitcode(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  kiln_buffer *bc = NULL;
  static const char Magic[] = "BC\xC0\xDE garbage after the magic";
  char *copy;
  size_t n, cut;
  kiln_error_free(
      FAILS(kiln_unit_add_ir(engine, "g.bc", Magic, sizeof Magic - 1, &unit),
            KILN_ERROR_PARSE));
  kiln_error_free(FAILS(kiln_unit_add_ir(engine, "g.bc", Magic, 4, &unit),
                        KILN_ERROR_PARSE));
  kiln_error_free(FAILS(kiln_unit_add_ir(engine, "g.bc", Magic, 2, &unit),
                        KILN_ERROR_PARSE));
  /* Real bitcode, truncated at every eighth length, and with bytes
   * flipped: an error each time or (if LLVM can still read it) a unit. */
  OK(kiln_engine_emit(engine, "a.ll", Answer, strlen(Answer), KILN_EMIT_BITCODE,
                      &bc));
  n = kiln_buffer_size(bc);
  CHECK(n > 16);
  copy = (char *)malloc(n);
  CHECK(copy != NULL);
  for (cut = 4; cut < n; cut += 8) {
    kiln_error *e =
        kiln_unit_add_ir(engine, "cut.bc", kiln_buffer_data(bc), cut, &unit);
    CHECK(e != NULL);
    CHECK(kiln_error_get_code(e) == KILN_ERROR_PARSE);
    kiln_error_free(e);
  }
  for (cut = 4; cut < n; cut += 3) {
    kiln_error *e;
    memcpy(copy, kiln_buffer_data(bc), n);
    copy[cut] = (char)(copy[cut] ^ 0x5a);
    e = kiln_unit_add_ir(engine, "flip.bc", copy, n, &unit);
    if (e) {
      CHECK(kiln_error_get_code(e) == KILN_ERROR_PARSE ||
            kiln_error_get_code(e) == KILN_ERROR_INVALID_ARGUMENT);
      kiln_error_free(e);
    } else {
      kiln_unit_free(unit); /* it read as some valid module */
    }
    unit = NULL;
  }
  free(copy);
  kiln_buffer_free(bc);
  kiln_engine_free(engine);
}

/* Never called: an address to pass where a function is expected. */
static int Dummy;

static void emit_and_define(void) {
  kiln_engine *engine = new_engine();
  kiln_buffer *out = NULL;
  char *huge = repeat("double (", "double, ", 2000, "double)");
  kiln_error_free(FAILS(kiln_engine_emit(engine, "a.ll", Answer, strlen(Answer),
                                         (kiln_emit_kind)99, &out),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_engine_emit(engine, "a.ll", Answer, strlen(Answer),
                                         (kiln_emit_kind)-1, &out),
                        KILN_ERROR_INVALID_ARGUMENT));
  expect_line(FAILS(kiln_engine_emit(engine, "b.ll", "define @", 8,
                                     KILN_EMIT_OBJECT, &out),
                    KILN_ERROR_PARSE),
              1);
  CHECK(out == NULL);
  /* Host functions: NULL pointers, garbage and huge signatures. */
  kiln_error_free(FAILS(
      kiln_engine_define_function(engine, "h", "double (double)", NULL, NULL),
      KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(
      kiln_engine_define_function(engine, "h", "))((", (void *)&Dummy, NULL),
      KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_engine_define_function(engine, "h", "", (void *)&Dummy, NULL),
            KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_engine_define_function(engine, "h", "void (...)",
                                                    (void *)&Dummy, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  /* 2,000 parameters: more than any calling convention passes in registers;
   * accepted or refused, but not a crash. */
  {
    kiln_error *e =
        kiln_engine_define_function(engine, "wide", huge, (void *)&Dummy, NULL);
    CHECK(!e || kiln_error_get_code(e) == KILN_ERROR_INVALID_ARGUMENT);
    kiln_error_free(e);
  }
  kiln_error_free(FAILS(kiln_engine_define_symbol(engine, "", (void *)&Dummy),
                        KILN_ERROR_INVALID_ARGUMENT));
  free(huge);
  kiln_engine_free(engine);
}

static void link_misuse(void) {
  const char *objects[2] = {NULL, NULL};
  kiln_error_free(
      FAILS(kiln_link(NULL, 1, "out", 0), KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_link(objects, 2, "out", 0), KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_link(objects, 0, NULL, 0), KILN_ERROR_INVALID_ARGUMENT));
  /* An object named like an option is a file that does not exist, not an
   * option for the linker driver (with "-v" it linked a library before);
   * nothing is left at the output. */
  {
    char dir[] = "/tmp/kiln-hostile-XXXXXX", out[64];
    const char *option[1] = {"-v"};
    FILE *f;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(out, sizeof out, "%s/lib.so", dir);
    expect_message(FAILS(kiln_link(option, 1, out, 1), KILN_ERROR_LINK),
                   "./-v");
    f = fopen(out, "rb");
    CHECK(f == NULL);
    CHECK(rmdir(dir) == 0);
  }
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"bitcode", bitcode},
                                    {"emit_and_define", emit_and_define},
                                    {"link_misuse", link_misuse}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
