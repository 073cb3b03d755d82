/* hostile_ir_test.c: LLVM IR that LLVM would abort on, via the C API.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): sized and
 * NUL-holding text, verifier failures, foreign intrinsics, triples and data
 * layouts, garbage inline assembly, units redefining the process's names, and
 * nesting deeper than LLVM's recursive parser takes. Each is an error with
 * its code (and line), and the engine works afterwards.
 */
#include "hostile_check.h"

#include <math.h>

static void ir_sizes(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  char text[sizeof Answer + 16];
  size_t n = strlen(Answer);
  /* Exactly `size` bytes are read: no NUL after them, garbage beyond. */
  memcpy(text, Answer, n);
  memset(text + n, '@', sizeof text - n);
  OK(kiln_unit_add_ir(engine, "sized.ll", text, n, &unit));
  CHECK(call_answer(engine) == 42);
  kiln_unit_free(unit);
  unit = NULL;
  /* A NUL inside the text is a located parse error, not the end. */
  memcpy(text, Answer, n + 1);
  text[n] = '\0', text[n + 1] = 'x';
  expect_line(FAILS(kiln_unit_add_ir(engine, "nul.ll", text, n + 2, &unit),
                    KILN_ERROR_PARSE),
              4);
  /* LLVM's lexer takes a NUL between tokens as a space; inside a token it
   * is an error at its line. */
  text[26] = '\0'; /* "r\0t", line 2 */
  expect_line(FAILS(kiln_unit_add_ir(engine, "nul.ll", text, n, &unit),
                    KILN_ERROR_PARSE),
              2);
  /* Size 0 is an empty module; NULL data with size 0 too, with size > 0 not. */
  OK(kiln_unit_add_ir(engine, "empty.ll", "", 0, &unit));
  kiln_unit_free(unit);
  unit = NULL;
  kiln_error_free(FAILS(kiln_unit_add_ir(engine, "n.ll", NULL, 5, &unit),
                        KILN_ERROR_INVALID_ARGUMENT));
  /* A name that is not UTF-8 is carried into the diagnostic as it is. */
  {
    kiln_error *e = FAILS(
        kiln_unit_add_ir(engine, "\xff\xfe.ll", "define i32 @f( {", 16, &unit),
        KILN_ERROR_PARSE);
    CHECK(strcmp(kiln_error_file_at(e, 0), "\xff\xfe.ll") == 0);
    expect_line(e, 1);
  }
  CHECK(unit == NULL);
  kiln_engine_free(engine);
}

/* A module that fails to add with `code`; returns the error's message. */
static void expect_ir_rejected(kiln_engine *engine, const char *ir,
                               kiln_error_code code, const char *text) {
  kiln_unit *unit = NULL;
  expect_message(
      FAILS(kiln_unit_add_ir(engine, "bad.ll", ir, strlen(ir), &unit), code),
      text);
  CHECK(unit == NULL);
}

static void ir_invalid(void) {
  kiln_engine *engine = new_engine();
  /* Verifier errors (LLVM would assert on these in code generation). */
  expect_ir_rejected(engine,
                     "define i32 @f() {\n"
                     "  %x = add i32 %y, 1\n"
                     "  %y = add i32 %x, 1\n"
                     "  ret i32 %x\n}\n",
                     KILN_ERROR_INVALID_ARGUMENT, "dominate");
  {
    static const char Mistyped[] = "define i32 @f() {\nentry:\n"
                                   "  br label %entry\n}\n"
                                   "define void @g() {\n  unreachable\n}\n"
                                   "define i32 @h(i32 %a) {\n  ret i64 0\n}\n";
    kiln_unit *unit = NULL;
    expect_line(FAILS(kiln_unit_add_ir(engine, "t.ll", Mistyped,
                                       strlen(Mistyped), &unit),
                      KILN_ERROR_PARSE),
                9);
  }
  /* An intrinsic that does not exist, and one with the wrong signature. */
  /* An intrinsic name LLVM does not know is an undefined symbol. */
  {
    static const char Unknown[] =
        "declare void @llvm.kiln.nonsense()\n"
        "define void @f() {\n  call void @llvm.kiln.nonsense()\n"
        "  ret void\n}\n";
    kiln_unit *unit = NULL;
    void *address = NULL;
    OK(kiln_unit_add_ir(engine, "u.ll", Unknown, strlen(Unknown), &unit));
    expect_message(
        FAILS(kiln_engine_lookup(engine, "f", &address), KILN_ERROR_LINK),
        "llvm.kiln.nonsense");
    kiln_unit_free(unit);
  }
  expect_ir_rejected(engine,
                     "declare i32 @llvm.sqrt.f64(i32)\n"
                     "define i32 @f(i32 %a) {\n"
                     "  %r = call i32 @llvm.sqrt.f64(i32 %a)\n"
                     "  ret i32 %r\n}\n",
                     KILN_ERROR_INVALID_ARGUMENT, "");
  kiln_engine_free(engine);
}

/* Another architecture's intrinsic, for this host. */
static const char *foreign_intrinsic(kiln_engine *engine) {
  return strncmp(kiln_engine_target(engine), "x86_64", 6) == 0
             ? "declare void @llvm.aarch64.isb(i32)\n"
               "define void @f() {\n  call void @llvm.aarch64.isb(i32 15)\n"
               "  ret void\n}\n"
             : "declare void @llvm.x86.sse2.pause()\n"
               "define void @f() {\n  call void @llvm.x86.sse2.pause()\n"
               "  ret void\n}\n";
}

/* `header` then Answer: refused with `code` (or `also`), or compiled for
 * the engine's own machine and run there; never run as another machine's
 * code. */
static void expect_refused_or_answer(kiln_engine *engine, const char *header,
                                     kiln_error_code code,
                                     kiln_error_code also) {
  kiln_unit *unit = NULL;
  char text[256];
  kiln_error *e;
  snprintf(text, sizeof text, "%s\n%s", header, Answer);
  e = kiln_unit_add_ir(engine, "foreign.ll", text, strlen(text), &unit);
  if (e) {
    CHECK(kiln_error_get_code(e) == code || kiln_error_get_code(e) == also);
    kiln_error_free(e);
  } else {
    CHECK(call_answer(engine) == 42);
    kiln_unit_free(unit);
  }
}

static void ir_foreign(void) {
  kiln_engine *engine = new_engine();
  int x86 = strncmp(kiln_engine_target(engine), "x86_64", 6) == 0;
  expect_ir_rejected(engine, foreign_intrinsic(engine),
                     KILN_ERROR_INVALID_ARGUMENT, "");
  /* A module that names another machine's triple is compiled for the
   * engine's own (the triple of the engine wins) or refused. */
  expect_refused_or_answer(engine,
                           x86 ? "target triple = \"aarch64-unknown-linux-gnu\""
                               : "target triple = \"x86_64-unknown-linux-gnu\"",
                           KILN_ERROR_TARGET, KILN_ERROR_TARGET);
  /* A data layout for another machine. */
  expect_refused_or_answer(engine, "target datalayout = \"E-m:e-p:32:32\"",
                           KILN_ERROR_TARGET, KILN_ERROR_INVALID_ARGUMENT);
  kiln_engine_free(engine);
}

static void ir_inline_asm(void) {
  static const char Garbage[] =
      "define void @f() {\n"
      "  call void asm sideeffect \"this is not $$ an instruction!!\", \"\"()\n"
      "  ret void\n}\n";
  static const char BadConstraint[] =
      "define i32 @g() {\n"
      "  %r = call i32 asm \"mov $0, 1\", \"=&&&{nonsense}\"()\n"
      "  ret i32 %r\n}\n";
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  void *address = NULL;
  kiln_error *e;
  OK(kiln_unit_add_ir(engine, "asm.ll", Garbage, strlen(Garbage), &unit));
  kiln_error_free(FAILS(kiln_engine_lookup(engine, "f", &address),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(address == NULL);
  /* The engine still works after the failed code generation. */
  kiln_unit_free(unit);
  OK(kiln_unit_add_ir(engine, "ok.ll", Answer, strlen(Answer), &unit));
  CHECK(call_answer(engine) == 42);
  kiln_unit_free(unit);
  e = kiln_unit_add_ir(engine, "c.ll", BadConstraint, strlen(BadConstraint),
                       &unit);
  if (e) {
    CHECK(kiln_error_get_code(e) == KILN_ERROR_PARSE ||
          kiln_error_get_code(e) == KILN_ERROR_INVALID_ARGUMENT);
    kiln_error_free(e);
  } else {
    kiln_error_free(FAILS(kiln_engine_lookup(engine, "g", &address),
                          KILN_ERROR_INVALID_ARGUMENT));
    kiln_unit_free(unit);
  }
  kiln_engine_free(engine);
}

/* A unit defining names the process (libc, Kiln's runtime) also defines:
 * the unit's own definition is what lookups and its callers get, and the
 * host's are not replaced. */
static void ir_runtime_names(void) {
  static const char Text[] = "define i32 @kiln_rt_trap() {\n  ret i32 7\n}\n"
                             "define i32 @malloc(i64 %n) {\n  ret i32 8\n}\n"
                             "define double @sin(double %x) {\n"
                             "  ret double 42.0\n}\n"
                             "define i32 @use() {\n"
                             "  %a = call i32 @kiln_rt_trap()\n"
                             "  %b = call i32 @malloc(i64 1)\n"
                             "  %c = add i32 %a, %b\n  ret i32 %c\n}\n";
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  kiln_relay_program *program = NULL;
  void *address = NULL;
  int (*use)(void);
  kiln_error *e;
  OK(kiln_unit_add_ir(engine, "rt.ll", Text, strlen(Text), &unit));
  OK(kiln_unit_lookup(unit, "use", &address));
  *(void **)&use = address;
  CHECK(use() == 15);
  /* A Relay trap in the same engine still reaches Kiln's own runtime. */
  OK(kiln_relay_compile(engine, "t.relay",
                        "fn f(a: array) -> number {\n  return a[5]\n}\n", 43,
                        NULL, &program));
  {
    double data[2] = {1, 2};
    kiln_value arg;
    memset(&arg, 0, sizeof arg);
    arg.type = KILN_VALUE_ARRAY, arg.array = data, arg.length = 2;
    e = FAILS(kiln_relay_call(program, "f", &arg, 1, NULL), KILN_ERROR_RUNTIME);
    expect_line(e, 2);
  }
  kiln_relay_program_free(program);
  /* Relay and tensor code of the same engine still call libm's sin. */
  {
    static const char Sin[] = "fn f(x: number) -> number {\n"
                              "  return sin(x)\n}\n";
    static const char Kernel[] = "kernel s(a: f64[]) -> f64 = sum(sin(a))\n";
    kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
    kiln_tensor_program *tensor = NULL;
    kiln_tensor_kernel *kernel = NULL;
    kiln_tensor_arg targ;
    kiln_scalar result;
    kiln_value arg, value;
    memset(&arg, 0, sizeof arg);
    arg.type = KILN_VALUE_NUMBER, arg.number = 0.5;
    options.mode = KILN_RELAY_JIT;
    OK(kiln_relay_compile(engine, "s.relay", Sin, strlen(Sin), &options,
                          &program));
    OK(kiln_relay_call(program, "f", &arg, 1, &value));
    CHECK(value.number == sin(0.5));
    kiln_relay_program_free(program);
    OK(kiln_tensor_compile(engine, "s.tk", Kernel, strlen(Kernel), &tensor));
    OK(kiln_tensor_kernel_at(tensor, 0, &kernel));
    memset(&targ, 0, sizeof targ);
    targ.is_array = 1, targ.array.data = &arg.number;
    targ.array.dtype = KILN_DTYPE_F64, targ.array.rank = 0;
    OK(kiln_tensor_run(kernel, &targ, 1, NULL, &result, 0));
    CHECK(fabs(result.f - sin(0.5)) < 1e-15);
    kiln_tensor_kernel_free(kernel);
    kiln_tensor_program_free(tensor);
  }
  /* The same names twice are a link error. */
  {
    kiln_unit *again = NULL;
    kiln_error_free(
        FAILS(kiln_unit_add_ir(engine, "rt2.ll", Text, strlen(Text), &again),
              KILN_ERROR_LINK));
    CHECK(again == NULL);
  }
  kiln_unit_free(unit);
  kiln_engine_free(engine);
}

/* IR nested deeper than LLVM's recursive parser can take on a thread's
 * stack (about 7,000 levels of constant expressions overflow 8 MiB): a
 * located parse error past 1,000 levels, for adding and for emitting. */
static void ir_nesting(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  kiln_buffer *out = NULL;
  char *types = repeat("\n@g = global ", "[1 x ", 100000, "i8");
  char *consts =
      repeat("@x = global i64 0\n@g = global i64 ", "add (i64 ", 20000, "0");
  char *structs = repeat("; a comment (((\n@g = global ", "{ ", 1001, "i8");
  char *fine = repeat("@g = global ", "[1 x ", 900, "i8");
  char *text[3];
  size_t i;
  text[0] = types, text[1] = consts, text[2] = structs;
  for (i = 0; i < 3; ++i) {
    kiln_error *e = FAILS(
        kiln_unit_add_ir(engine, "deep.ll", text[i], strlen(text[i]), &unit),
        KILN_ERROR_PARSE);
    CHECK(strstr(kiln_error_message(e), "nesting too deep") != NULL);
    expect_line(e, 2);
    expect_line(FAILS(kiln_engine_emit(engine, "deep.ll", text[i],
                                       strlen(text[i]), KILN_EMIT_OBJECT, &out),
                      KILN_ERROR_PARSE),
                2);
  }
  CHECK(unit == NULL && out == NULL);
  /* 900 levels are parsed (and fail only for the missing brackets). */
  {
    size_t n = strlen(fine);
    char *closed = repeat(fine, "]", 900, " zeroinitializer\n");
    kiln_error *e = FAILS(kiln_unit_add_ir(engine, "open.ll", fine, n, &unit),
                          KILN_ERROR_PARSE);
    CHECK(strstr(kiln_error_message(e), "nesting") == NULL);
    kiln_error_free(e);
    OK(kiln_unit_add_ir(engine, "fine.ll", closed, strlen(closed), &unit));
    kiln_unit_free(unit);
    free(closed);
  }
  free(types), free(consts), free(structs), free(fine);
  kiln_engine_free(engine);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"ir_sizes", ir_sizes},
                                    {"ir_invalid", ir_invalid},
                                    {"ir_foreign", ir_foreign},
                                    {"ir_inline_asm", ir_inline_asm},
                                    {"ir_runtime_names", ir_runtime_names},
                                    {"ir_nesting", ir_nesting}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
