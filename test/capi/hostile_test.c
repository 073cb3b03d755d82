/* hostile_test.c: hostile input and misuse through the C API, from C99.
 *
 * Issue 14 asks that misuse and hostile input be an error wherever it can be
 * detected, never a crash: malformed options and target strings, IR that
 * LLVM would abort on, bitcode garbage, sources that are huge, deeply nested,
 * not NUL-terminated or hold NULs, non-UTF-8 names, Faust code and arguments
 * faust rejects, impossible tensor views, NaN and huge Relay values, error
 * accessors given NULL, and handles freed child-after-parent. Each case pins
 * the error code (and for source errors the line). One case per ctest test
 * (capi.hostile.<case>).
 */
#define _POSIX_C_SOURCE 200809L
#include "kiln/faust/llvm-dsp-c.h"
#include "relay_tensor_check.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

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

static kiln_error *engine_with(int opt_level, const char *target,
                               kiln_engine **out) {
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  options.opt_level = opt_level;
  options.target = target;
  return kiln_engine_new(&options, out);
}

/* ---- Errors and engines ---------------------------------------------- */

static const char Answer[] = "define i32 @answer() {\n  ret i32 42\n}\n";

static void error_accessors(void) {
  kiln_engine *engine = NULL;
  kiln_error *e;
  CHECK(kiln_error_get_code(NULL) == KILN_ERROR_INVALID_ARGUMENT);
  CHECK(strcmp(kiln_error_message(NULL), "") == 0);
  CHECK(strcmp(kiln_error_rendered(NULL), "") == 0);
  CHECK(kiln_error_count(NULL) == 0);
  CHECK(strcmp(kiln_error_message_at(NULL, 3), "") == 0);
  CHECK(strcmp(kiln_error_file_at(NULL, 0), "") == 0);
  CHECK(kiln_error_line_at(NULL, 0) == 0 && kiln_error_column_at(NULL, 0) == 0);
  /* Codes outside the enum still name something. */
  CHECK(kiln_error_code_name((kiln_error_code)0) != NULL);
  CHECK(kiln_error_code_name((kiln_error_code)-1) != NULL);
  CHECK(kiln_error_code_name((kiln_error_code)INT_MAX) != NULL);
  CHECK(strcmp(kiln_error_code_name(KILN_ERROR_TARGET), "target") == 0);
  /* An index past the end gives ""/0, SIZE_MAX included. */
  /* Another major version, or a header newer than the library. */
  e = FAILS(kiln_engine_create(10000, NULL, &engine), KILN_ERROR_VERSION);
  CHECK(engine == NULL && kiln_error_count(e) == 1);
  CHECK(strcmp(kiln_error_message_at(e, 1), "") == 0);
  CHECK(strcmp(kiln_error_message_at(e, SIZE_MAX), "") == 0);
  CHECK(strcmp(kiln_error_file_at(e, SIZE_MAX), "") == 0);
  CHECK(kiln_error_line_at(e, SIZE_MAX) == 0);
  CHECK(kiln_error_column_at(e, (size_t)-2) == 0);
  kiln_error_free(e);
  kiln_error_free(
      FAILS(kiln_engine_create(UINT32_MAX, NULL, &engine), KILN_ERROR_VERSION));
  kiln_error_free(
      FAILS(kiln_engine_create(KILN_VERSION_NUMBER + 1, NULL, &engine),
            KILN_ERROR_VERSION));
  kiln_error_free(NULL);
  kiln_buffer_free(NULL);
  CHECK(kiln_buffer_size(NULL) == 0);
  CHECK(kiln_buffer_data(NULL) != NULL);
  CHECK(strcmp(kiln_engine_target(NULL), "") == 0);
  kiln_error_free(
      FAILS(kiln_engine_new(NULL, NULL), KILN_ERROR_INVALID_ARGUMENT));
}

static void opt_levels(void) {
  static const int bad[] = {-1, 4, INT_MAX, INT_MIN};
  kiln_engine *engine = NULL;
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; ++i)
    kiln_error_free(
        FAILS(engine_with(bad[i], NULL, &engine), KILN_ERROR_INVALID_ARGUMENT));
  CHECK(engine == NULL);
  OK(engine_with(0, NULL, &engine));
  kiln_engine_free(engine);
  OK(engine_with(3, "", &engine));
  kiln_engine_free(engine);
}

/* A pool of UINT32_MAX threads is refused (when the engine is made, or when
 * its tensor part is), not started; a call may ask for any number. */
static void engine_threads(void) {
  static const char Source[] = "kernel total(a: f64[]) -> f64 = sum(a)\n";
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  kiln_engine *engine = NULL;
  kiln_tensor_program *program = NULL;
  kiln_tensor_kernel *kernel = NULL;
  kiln_tensor_arg arg;
  kiln_scalar result;
  double data[5] = {1, 2, 3, 4, 5};
  kiln_error *e;
  options.threads = UINT32_MAX;
  e = kiln_engine_new(&options, &engine);
  if (!e)
    e = kiln_tensor_compile(engine, "t", Source, strlen(Source), &program);
  expect_message(FAILS(e, KILN_ERROR_INVALID_ARGUMENT), "4294967295");
  CHECK(program == NULL);
  kiln_engine_free(engine);
  options.threads = 2;
  OK(kiln_engine_new(&options, &engine));
  OK(kiln_tensor_compile(engine, "t", Source, strlen(Source), &program));
  OK(kiln_tensor_kernel_at(program, 0, &kernel));
  memset(&arg, 0, sizeof arg);
  arg.is_array = 1, arg.array.data = data, arg.array.dtype = KILN_DTYPE_F64;
  arg.array.rank = 1, arg.array.shape[0] = 5, arg.array.strides[0] = 1;
  OK(kiln_tensor_run(kernel, &arg, 1, NULL, &result, UINT32_MAX));
  CHECK(result.f == 15);
  kiln_tensor_kernel_free(kernel);
  kiln_tensor_program_free(program);
  kiln_engine_free(engine);
}

static void targets(void) {
  static const char *const bad[] = {":",
                                    ":znver5",
                                    "nonsense-triple:cpu",
                                    "aarch64-linux-gnu:znver5",
                                    "x86_64-linux-gnu:cortex-a72",
                                    "x86_64-linux-gnu:x86-64:extra",
                                    "\xff\xfe-linux:\x80"};
  kiln_engine *engine = NULL;
  char *huge = repeat("nonsense", "-abc", 2500, ""); /* a 10 kB triple */
  kiln_error *e;
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    e = engine_with(2, bad[i], &engine);
    if (!e || kiln_error_get_code(e) != KILN_ERROR_TARGET) {
      fprintf(stderr, "target '%s': %s\n", bad[i],
              e ? kiln_error_rendered(e) : "accepted");
      exit(1);
    }
    kiln_error_free(e);
  }
  kiln_error_free(FAILS(engine_with(2, huge, &engine), KILN_ERROR_TARGET));
  huge[0] = ':';
  kiln_error_free(FAILS(engine_with(2, huge, &engine), KILN_ERROR_TARGET));
  CHECK(engine == NULL);
  free(huge);
  /* LLVM takes unknown vendor and OS parts: a 10 kB triple for x86_64 is a
   * foreign engine that emits but does not run. */
  huge = repeat("x86_64", "-abc", 2500, "");
  OK(engine_with(2, huge, &engine));
  {
    kiln_unit *unit = NULL;
    kiln_buffer *object = NULL;
    kiln_error_free(
        FAILS(kiln_unit_add_ir(engine, "a.ll", Answer, strlen(Answer), &unit),
              KILN_ERROR_TARGET));
    OK(kiln_engine_emit(engine, "a.ll", Answer, strlen(Answer),
                        KILN_EMIT_OBJECT, &object));
    CHECK(kiln_buffer_size(object) > 0);
    kiln_buffer_free(object);
  }
  kiln_engine_free(engine);
  free(huge);
  /* An empty CPU is the triple's generic one. */
  OK(engine_with(2, "x86_64:", &engine));
  CHECK(strcmp(kiln_engine_target(engine), "x86_64:generic") == 0);
  kiln_engine_free(engine);
}

/* ---- LLVM IR ----------------------------------------------------------- */

static int call_answer(kiln_engine *engine) {
  void *address = NULL;
  int (*f)(void);
  OK(kiln_engine_lookup(engine, "answer", &address));
  *(void **)&f = address;
  return f();
}

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

static void ir_foreign(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  void *address = NULL;
  char text[256];
  expect_ir_rejected(engine, foreign_intrinsic(engine),
                     KILN_ERROR_INVALID_ARGUMENT, "");
  /* A module that names another machine's triple is compiled for the
   * engine's own (the triple of the engine wins) or refused; never run as
   * the other machine's code. */
  snprintf(text, sizeof text, "target triple = \"%s\"\n%s",
           strncmp(kiln_engine_target(engine), "x86_64", 6) == 0
               ? "aarch64-unknown-linux-gnu"
               : "x86_64-unknown-linux-gnu",
           Answer);
  {
    kiln_error *e =
        kiln_unit_add_ir(engine, "triple.ll", text, strlen(text), &unit);
    if (e) {
      CHECK(kiln_error_get_code(e) == KILN_ERROR_TARGET);
      kiln_error_free(e);
    } else {
      CHECK(call_answer(engine) == 42);
      kiln_unit_free(unit);
    }
  }
  /* A data layout for another machine. */
  snprintf(text, sizeof text, "target datalayout = \"E-m:e-p:32:32\"\n%s",
           Answer);
  {
    kiln_error *e =
        kiln_unit_add_ir(engine, "layout.ll", text, strlen(text), &unit);
    if (e) {
      CHECK(kiln_error_get_code(e) == KILN_ERROR_TARGET ||
            kiln_error_get_code(e) == KILN_ERROR_INVALID_ARGUMENT);
      kiln_error_free(e);
    } else {
      CHECK(call_answer(engine) == 42);
      kiln_unit_free(unit);
    }
  }
  (void)address;
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

/* ---- Relay ------------------------------------------------------------- */

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

/* ---- Tensor ------------------------------------------------------------ */

static void tensor_sources(void) {
  kiln_engine *engine = new_engine();
  kiln_tensor_program *program = NULL;
  char *deep = repeat("kernel k(a: f32[]) -> f32[] =\n", "(", 100000, "a\n");
  char *chain = repeat("kernel k(a: f32[]) -> f32[] =\n a", " + a", 5000, "\n");
  char *params = repeat("kernel k(", "a: f32, ", 100, "b: f32) -> f32 = b\n");
  char *many = repeat("", "kernel k(a: f32) -> f32 = a\n", 2, "");
  static const char Sized[] = "kernel k(a: f32[]) -> f32[] = a\n!!!!";
  expect_line(FAILS(kiln_tensor_compile(engine, "deep.tensor", deep,
                                        strlen(deep), &program),
                    KILN_ERROR_PARSE),
              2);
  expect_line(FAILS(kiln_tensor_compile(engine, "chain.tensor", chain,
                                        strlen(chain), &program),
                    KILN_ERROR_PARSE),
              2);
  {
    kiln_error *e = kiln_tensor_compile(engine, "params.tensor", params,
                                        strlen(params), &program);
    CHECK(e != NULL && kiln_error_line_at(e, 0) == 1);
    kiln_error_free(e);
  }
  kiln_error_free(FAILS(
      kiln_tensor_compile(engine, "many.tensor", many, strlen(many), &program),
      KILN_ERROR_TYPE));
  OK(kiln_tensor_compile(engine, "s.tensor", Sized, sizeof Sized - 5,
                         &program));
  CHECK(kiln_tensor_kernel_count(program) == 1);
  kiln_tensor_program_free(program);
  program = NULL;
  expect_line(FAILS(kiln_tensor_compile(engine, "nul.tensor",
                                        "kernel k(a: f32) -> f32 =\n a\0 + a",
                                        33, &program),
                    KILN_ERROR_PARSE),
              2);
  expect_line(FAILS(kiln_tensor_compile(engine, "\xc3\x28.tensor",
                                        "kernel \xc3\x28(a: f32) -> f32 = a",
                                        28, &program),
                    KILN_ERROR_PARSE),
              1);
  CHECK(program == NULL);
  free(deep), free(chain), free(params), free(many);
  kiln_engine_free(engine);
}

static kiln_array vector_of(void *data, kiln_dtype dtype, int64_t n) {
  kiln_array a;
  memset(&a, 0, sizeof a);
  a.data = data, a.dtype = dtype, a.rank = 1;
  a.shape[0] = n, a.strides[0] = 1;
  return a;
}

typedef struct scale_fixture {
  kiln_engine *engine;
  kiln_tensor_program *program;
  kiln_tensor_kernel *scale, *total;
} scale_fixture;

static scale_fixture scale_setup(void) {
  static const char Source[] =
      "kernel scale(a: f32[], s: f32) -> f32[] = a * s\n"
      "kernel total(a: f64[]) -> f64 = sum(a)\n";
  scale_fixture f;
  f.engine = new_engine();
  OK(kiln_tensor_compile(f.engine, "s.tensor", Source, strlen(Source),
                         &f.program));
  OK(kiln_tensor_kernel_get(f.program, "scale", &f.scale));
  OK(kiln_tensor_kernel_get(f.program, "total", &f.total));
  return f;
}

static void scale_teardown(scale_fixture f) {
  kiln_tensor_kernel_free(f.scale);
  kiln_tensor_kernel_free(f.total);
  kiln_tensor_program_free(f.program);
  kiln_engine_free(f.engine);
}

/* A scale() call with `a` as its array must be refused, `out` untouched. */
static void expect_view_rejected(kiln_tensor_kernel *k, kiln_array a,
                                 float *out, int line) {
  kiln_tensor_arg args[2];
  kiln_tensor_call *bound = NULL;
  kiln_array o = vector_of(out, KILN_DTYPE_F32, 4);
  kiln_error *e;
  int i;
  memset(args, 0, sizeof args);
  args[0].is_array = 1, args[0].array = a;
  args[1].scalar.dtype = KILN_DTYPE_F32, args[1].scalar.f = 2;
  for (i = 0; i < 4; ++i)
    out[i] = -7;
  e = kiln_tensor_run(k, args, 2, &o, NULL, 1);
  if (!e || kiln_error_get_code(e) != KILN_ERROR_INVALID_ARGUMENT) {
    fprintf(stderr, "%s:%d: view accepted or wrong code: %s\n", __FILE__, line,
            e ? kiln_error_rendered(e) : "(no error)");
    exit(1);
  }
  kiln_error_free(e);
  kiln_error_free(FAILS(kiln_tensor_bind(k, args, 2, &o, 1, &bound),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(bound == NULL);
  for (i = 0; i < 4; ++i)
    CHECK(out[i] == -7);
}

static void tensor_views(void) {
  scale_fixture f = scale_setup();
  float a[4] = {1, 2, 3, 4}, out[4];
  kiln_array v = vector_of(a, KILN_DTYPE_F32, 4);
  v.rank = -1;
  expect_view_rejected(f.scale, v, out, __LINE__);
  v.rank = INT32_MIN;
  expect_view_rejected(f.scale, v, out, __LINE__);
  v.rank = 5;
  expect_view_rejected(f.scale, v, out, __LINE__);
  v = vector_of(a, KILN_DTYPE_F32, -4);
  expect_view_rejected(f.scale, v, out, __LINE__);
  v.shape[0] = INT64_MIN;
  expect_view_rejected(f.scale, v, out, __LINE__);
  /* Shapes whose product overflows int64 (and whose strides would too). */
  v = vector_of(a, KILN_DTYPE_F32, 4);
  v.rank = 4;
  v.shape[0] = v.shape[1] = v.shape[2] = v.shape[3] = (int64_t)1 << 20;
  v.strides[0] = v.strides[1] = v.strides[2] = v.strides[3] = 0;
  expect_view_rejected(f.scale, v, out, __LINE__);
  v.rank = 2;
  v.shape[0] = INT64_MAX, v.shape[1] = 2;
  expect_view_rejected(f.scale, v, out, __LINE__);
  /* NULL data with elements. */
  v = vector_of(NULL, KILN_DTYPE_F32, 4);
  expect_view_rejected(f.scale, v, out, __LINE__);
  /* Strides whose byte offsets overflow. */
  v = vector_of(a, KILN_DTYPE_F32, 4);
  v.strides[0] = INT64_MAX / 2;
  expect_view_rejected(f.scale, v, out, __LINE__);
  v.strides[0] = INT64_MIN;
  expect_view_rejected(f.scale, v, out, __LINE__);
  scale_teardown(f);
}

static void tensor_data(void) {
  scale_fixture f = scale_setup();
  kiln_tensor_arg args[2];
  kiln_scalar result;
  double storage[9] = {0};
  unsigned char *bytes = (unsigned char *)storage;
  float out[4] = {0};
  kiln_array o = vector_of(out, KILN_DTYPE_F32, 0);
  int i;
  memset(args, 0, sizeof args);
  /* NULL data with no elements is a valid empty array. */
  args[0].is_array = 1, args[0].array = vector_of(NULL, KILN_DTYPE_F32, 0);
  args[1].scalar.dtype = KILN_DTYPE_F32, args[1].scalar.f = 2;
  OK(kiln_tensor_run(f.scale, args, 2, &o, NULL, 0));
  /* Misaligned data: doubles one byte off their alignment. */
  for (i = 0; i < 8; ++i) {
    double x = i + 0.5;
    memcpy(bytes + 1 + 8 * i, &x, sizeof x);
  }
  args[0].array = vector_of(bytes + 1, KILN_DTYPE_F64, 8);
  OK(kiln_tensor_run(f.total, args, 1, NULL, &result, 0));
  CHECK(result.dtype == KILN_DTYPE_F64 && result.f == 32);
  /* NaN and infinities flow through a reduction as IEEE says. */
  storage[0] = NAN;
  args[0].array = vector_of(storage, KILN_DTYPE_F64, 2);
  OK(kiln_tensor_run(f.total, args, 1, NULL, &result, 0));
  CHECK(isnan(result.f));
  storage[0] = INFINITY, storage[1] = -INFINITY;
  OK(kiln_tensor_run(f.total, args, 1, NULL, &result, 0));
  CHECK(isnan(result.f));
  /* A scalar with a dtype not in the enum. */
  args[1].scalar.dtype = (kiln_dtype)-3;
  args[0].array = vector_of(out, KILN_DTYPE_F32, 4);
  o.shape[0] = 4;
  kiln_error_free(FAILS(kiln_tensor_run(f.scale, args, 2, &o, NULL, 0),
                        KILN_ERROR_INVALID_ARGUMENT));
  /* Result shape for hostile views. */
  {
    int32_t rank = -9;
    int64_t shape[KILN_TENSOR_MAX_RANK];
    args[0].array.rank = 99;
    kiln_error_free(
        FAILS(kiln_tensor_result_shape(f.scale, args, 2, &rank, shape),
              KILN_ERROR_INVALID_ARGUMENT));
    kiln_error_free(
        FAILS(kiln_tensor_result_shape(f.scale, args, 2, NULL, shape),
              KILN_ERROR_INVALID_ARGUMENT));
    CHECK(rank == -9);
  }
  CHECK(kiln_tensor_call_run(NULL, &result) == KILN_ERROR_INVALID_ARGUMENT);
  scale_teardown(f);
}

/* ---- Faust ------------------------------------------------------------- */

static void faust_sources(void) {
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  const char *flags[2] = {"-vec", NULL};
  const char *bogus[1] = {"--no-such-faust-option"};
  static const char Ok[] = "process = +;";
  kiln_error *e;
  /* Faust's own errors, located. */
  expect_line(
      FAILS(kiln_faust_factory_from_string(engine, "bad", "\n\nprocess = nope;",
                                           0, NULL, NULL, -1, &factory),
            KILN_ERROR_TYPE),
      3);
  e = kiln_faust_factory_from_string(engine, "bad", "process = +(;\n", 0, NULL,
                                     NULL, -1, &factory);
  CHECK(e && kiln_error_get_code(e) == KILN_ERROR_PARSE);
  expect_line(e, 1);
  e = kiln_faust_factory_from_string(engine, "empty", "", 0, NULL, NULL, -1,
                                     &factory);
  CHECK(e && (kiln_error_get_code(e) == KILN_ERROR_PARSE ||
              kiln_error_get_code(e) == KILN_ERROR_TYPE));
  kiln_error_free(e);
  /* Arguments: a negative count, NULL argv, a NULL entry, an unknown flag. */
  kiln_error_free(FAILS(kiln_faust_factory_from_string(
                            engine, "a", Ok, -1, flags, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 2, NULL,
                                                       NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(
                            engine, "a", Ok, 2, flags, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  expect_message(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 1, bogus,
                                                      NULL, -1, &factory),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "--no-such-faust-option");
  /* Levels and targets outside what libfaust takes. */
  kiln_error_free(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                                       NULL, 99, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                                       NULL, INT_MIN, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                           "nonsense:cpu", -1, &factory),
            KILN_ERROR_TARGET));
  kiln_error_free(FAILS(
      kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                     "aarch64-linux-gnu:znver5", -1, &factory),
      KILN_ERROR_TARGET));
  kiln_error_free(
      FAILS(kiln_faust_factory_from_file(engine, "/nonexistent.dsp", 0, NULL,
                                         NULL, 5, &factory),
            KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(
                            engine, "a", NULL, 0, NULL, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_factory_from_file(engine, "/nonexistent.dsp", 0, NULL,
                                         NULL, -1, &factory),
            KILN_ERROR_IO));
  CHECK(factory == NULL);
  kiln_engine_free(engine);
}

static void faust_read_garbage(void) {
  /* Bytes that are not IR (or bitcode) are a parse error; a module without
   * Faust's functions, or bytes without Kiln's machine-code header, are
   * invalid arguments. */
  static const kiln_faust_format formats[] = {KILN_FAUST_BITCODE, KILN_FAUST_IR,
                                              KILN_FAUST_MACHINE};
  static const kiln_error_code junk_codes[] = {
      KILN_ERROR_PARSE, KILN_ERROR_PARSE, KILN_ERROR_INVALID_ARGUMENT};
  static const char Junk[] = "\x01\x02garbage\xff\x00more";
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  kiln_buffer *out = NULL;
  size_t i;
  for (i = 0; i < 3; ++i) {
    kiln_error_free(
        FAILS(kiln_faust_factory_read(engine, formats[i], Junk, sizeof Junk - 1,
                                      NULL, -1, &factory),
              junk_codes[i]));
    kiln_error_free(FAILS(
        kiln_faust_factory_read(engine, formats[i], "", 0, NULL, -1, &factory),
        KILN_ERROR_INVALID_ARGUMENT));
    kiln_error_free(FAILS(kiln_faust_factory_read(engine, formats[i], Junk, 4,
                                                  "nonsense:cpu", -1, &factory),
                          KILN_ERROR_TARGET));
    kiln_error_free(FAILS(
        kiln_faust_factory_read(engine, formats[i], Junk, 4, NULL, 5, &factory),
        KILN_ERROR_INVALID_ARGUMENT));
  }
  expect_message(FAILS(kiln_faust_factory_read(engine, KILN_FAUST_OBJECT, Junk,
                                               4, NULL, -1, &factory),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_faust_factory_read: an object file");
  kiln_error_free(FAILS(kiln_faust_factory_read(engine, (kiln_faust_format)9,
                                                Junk, 4, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(factory == NULL);
  OK(kiln_faust_factory_from_string(engine, "g", "process = _;", 0, NULL, NULL,
                                    -1, &factory));
  kiln_error_free(FAILS(kiln_faust_factory_write(factory, KILN_FAUST_MACHINE,
                                                 "x86_64-linux-gnu:nope", &out),
                        KILN_ERROR_TARGET));
  kiln_error_free(FAILS(
      kiln_faust_factory_write(factory, (kiln_faust_format)-1, NULL, &out),
      KILN_ERROR_INVALID_ARGUMENT));
  CHECK(out == NULL);
  kiln_faust_factory_free(factory);
  kiln_engine_free(engine);
}

/* Round trips through every format, each truncated: errors, not crashes. */
static void faust_truncated(void) {
  static const kiln_faust_format formats[] = {KILN_FAUST_BITCODE, KILN_FAUST_IR,
                                              KILN_FAUST_MACHINE};
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL, *back = NULL;
  size_t i;
  OK(kiln_faust_factory_from_string(engine, "gain", "process = *(0.5);", 0,
                                    NULL, NULL, -1, &factory));
  for (i = 0; i < 3; ++i) {
    kiln_buffer *bytes = NULL;
    size_t n, cut;
    OK(kiln_faust_factory_write(factory, formats[i], NULL, &bytes));
    n = kiln_buffer_size(bytes);
    for (cut = 0; cut < n; cut += n / 7 + 1) {
      kiln_error *e = kiln_faust_factory_read(
          engine, formats[i], kiln_buffer_data(bytes), cut, NULL, -1, &back);
      CHECK(e != NULL);
      kiln_error_free(e);
    }
    kiln_buffer_free(bytes);
  }
  CHECK(back == NULL);
  kiln_faust_factory_free(factory);
  kiln_engine_free(engine);
}

static void faust_dsp_misuse(void) {
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  kiln_faust_dsp *dsp = NULL;
  float in0[4] = {1, 2, 3, 4}, in1[4] = {1, 1, 1, 1}, out0[4] = {0};
  float *ins[2] = {in0, NULL}, *outs[1] = {out0};
  const char *path = NULL;
  float value = 0;
  OK(kiln_faust_factory_from_string(
      engine, "mix", "process = + : *(hslider(\"g\", 1, 0, 2, 0.1));", 0, NULL,
      NULL, -1, &factory));
  OK(kiln_faust_dsp_create(factory, &dsp));
  kiln_error_free(FAILS(kiln_faust_dsp_compute(dsp, 4, ins, outs),
                        KILN_ERROR_INVALID_ARGUMENT)); /* not initialised */
  kiln_error_free(
      FAILS(kiln_faust_dsp_init(dsp, 0), KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_dsp_init(dsp, INT_MIN), KILN_ERROR_INVALID_ARGUMENT));
  OK(kiln_faust_dsp_init(dsp, 48000));
  kiln_error_free(FAILS(kiln_faust_dsp_compute(dsp, 4, ins, outs),
                        KILN_ERROR_INVALID_ARGUMENT)); /* a NULL channel */
  ins[1] = in1;
  kiln_error_free(FAILS(kiln_faust_dsp_compute(dsp, -1, ins, outs),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_compute(dsp, INT_MIN, ins, outs),
                        KILN_ERROR_INVALID_ARGUMENT));
  OK(kiln_faust_dsp_compute(dsp, 0, ins, outs));
  OK(kiln_faust_dsp_compute(dsp, 4, ins, outs));
  CHECK(out0[0] == 2 && out0[3] == 5);
  /* Parameters: unknown, empty, non-UTF-8 paths; NaN values; bad index. */
  kiln_error_free(FAILS(kiln_faust_dsp_set_param(dsp, "/mix/nope", 1),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_dsp_set_param(dsp, "", 1), KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_set_param(dsp, "\xff", 1),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_set_param(dsp, NULL, 1),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_get_param(dsp, "/mix/g", NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_param_path(dsp, SIZE_MAX, &path),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_param_path(dsp, 0, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(path == NULL);
  OK(kiln_faust_dsp_set_param(dsp, "/mix/g", NAN));
  OK(kiln_faust_dsp_get_param(dsp, "/mix/g", &value));
  kiln_error_free(FAILS(kiln_faust_dsp_metadata(dsp, NULL, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(kiln_faust_dsp_inputs(NULL) == 0 || kiln_faust_dsp_inputs(NULL) == -1);
  CHECK(kiln_faust_dsp_param_count(NULL) == 0);
  /* Children outlive their parents: free the parents first. */
  kiln_engine_free(engine);
  kiln_faust_factory_free(factory);
  OK(kiln_faust_dsp_compute(dsp, 4, ins, outs));
  kiln_faust_dsp_free(dsp);
}

/* The libfaust names given NULL and garbage: NULL results and a message. */
static void faust_compat(void) {
  char message[4096];
  const char *argv[2] = {"-vec", NULL};
  llvm_dsp_factory *factory;
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", NULL, 0, NULL, "", message, -1) ==
        NULL);
  CHECK(message[0] != '\0');
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", "process = +;", 2, argv, "", message,
                                    -1) == NULL);
  CHECK(message[0] != '\0');
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", "process = +;", -5, argv, "", message,
                                    -1) == NULL);
  CHECK(message[0] != '\0');
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", "process = nope;", 0, NULL, "",
                                    message, -1) == NULL);
  CHECK(strstr(message, ":1") != NULL);
  /* A NULL message buffer is allowed. */
  CHECK(createCDSPFactoryFromString("a", "process = nope;", 0, NULL, "", NULL,
                                    -1) == NULL);
  CHECK(readCDSPFactoryFromBitcode("!!!not base64!!!", "", message, -1) ==
        NULL);
  CHECK(readCDSPFactoryFromIR("garbage", "", message, -1) == NULL);
  CHECK(readCDSPFactoryFromMachine("AAAA", message, "") == NULL);
  CHECK(readCDSPFactoryFromMachine(NULL, message, "") == NULL);
  CHECK(getCDSPFactoryFromSHAKey(NULL) == NULL);
  CHECK(getCDSPFactoryFromSHAKey("") == NULL);
  CHECK(!deleteCDSPFactory(NULL));
  CHECK(createCDSPInstance(NULL) == NULL);
  deleteCDSPInstance(NULL);
  CHECK(getNumInputsCDSPInstance(NULL) <= 0);
  computeCDSPInstance(NULL, 4, NULL, NULL);
  freeCMemory(NULL);
  /* A good factory's instance given bad buffers computes nothing. */
  factory = createCDSPFactoryFromString("g", "process = *(0.5);", 0, NULL, "",
                                        message, -1);
  CHECK(factory != NULL);
  {
    llvm_dsp *dsp = createCDSPInstance(factory);
    float x[2] = {2, 4}, y[2] = {9, 9};
    float *in[1] = {x}, *out[1] = {y}, *none[1] = {NULL};
    CHECK(dsp != NULL);
    initCDSPInstance(dsp, 48000);
    computeCDSPInstance(dsp, -3, in, out);
    computeCDSPInstance(dsp, 2, none, out);
    computeCDSPInstance(dsp, 2, in, NULL);
    CHECK(y[0] == 9 && y[1] == 9);
    computeCDSPInstance(dsp, 2, in, out);
    CHECK(y[0] == 1 && y[1] == 2);
    deleteCDSPFactory(factory); /* the instance keeps it alive */
    computeCDSPInstance(dsp, 2, in, out);
    deleteCDSPInstance(dsp);
  }
}

/* ---- Lifetimes --------------------------------------------------------- */

static void children_after_parents(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  kiln_tensor_program *program = NULL;
  kiln_tensor_kernel *kernel = NULL;
  kiln_tensor_call *bound = NULL;
  kiln_relay_program *relay = NULL;
  kiln_tensor_arg arg;
  double data[3] = {1, 2, 3};
  kiln_scalar result;
  void *address = NULL;
  OK(kiln_unit_add_ir(engine, "a.ll", Answer, strlen(Answer), &unit));
  OK(kiln_tensor_compile(engine, "t.tensor",
                         "kernel total(a: f64[]) -> f64 = sum(a)\n", 39,
                         &program));
  OK(kiln_tensor_kernel_at(program, 0, &kernel));
  memset(&arg, 0, sizeof arg);
  arg.is_array = 1, arg.array = vector_of(data, KILN_DTYPE_F64, 3);
  OK(kiln_tensor_bind(kernel, &arg, 1, NULL, 0, &bound));
  OK(kiln_relay_compile(engine, "r.relay",
                        "fn one() -> number {\n return 1\n}\n", 32, NULL,
                        &relay));
  /* Parents first: engine, program, kernel; the children still work. */
  kiln_engine_free(engine);
  kiln_tensor_program_free(program);
  kiln_tensor_kernel_free(kernel);
  CHECK(kiln_tensor_call_run(bound, &result) == 0 && result.f == 6);
  OK(kiln_unit_lookup(unit, "answer", &address));
  {
    int (*f)(void);
    *(void **)&f = address;
    CHECK(f() == 42);
  }
  kiln_error_free(
      FAILS(kiln_unit_lookup(unit, "nope", &address), KILN_ERROR_LINK));
  OK(kiln_relay_call(relay, "one", NULL, 0, NULL));
  kiln_relay_program_free(relay);
  kiln_tensor_call_free(bound);
  kiln_unit_free(unit);
}

/* A function looked up, then its unit removed: lookups of it now fail. */
static void removed_function(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  void *address = NULL;
  OK(kiln_unit_add_ir(engine, "a.ll", Answer, strlen(Answer), &unit));
  CHECK(call_answer(engine) == 42);
  kiln_unit_free(unit);
  kiln_error_free(
      FAILS(kiln_engine_lookup(engine, "answer", &address), KILN_ERROR_LINK));
  CHECK(address == NULL);
  /* The name can be defined again. */
  OK(kiln_unit_add_ir(engine, "a.ll", Answer, strlen(Answer), &unit));
  CHECK(call_answer(engine) == 42);
  kiln_unit_free(unit);
  kiln_engine_free(engine);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"error_accessors", error_accessors},
      {"opt_levels", opt_levels},
      {"engine_threads", engine_threads},
      {"targets", targets},
      {"ir_sizes", ir_sizes},
      {"ir_invalid", ir_invalid},
      {"ir_foreign", ir_foreign},
      {"ir_inline_asm", ir_inline_asm},
      {"ir_runtime_names", ir_runtime_names},
      {"ir_nesting", ir_nesting},
      {"bitcode", bitcode},
      {"emit_and_define", emit_and_define},
      {"link_misuse", link_misuse},
      {"relay_sources", relay_sources},
      {"relay_options", relay_options},
      {"relay_reentry", relay_reentry},
      {"relay_values", relay_values},
      {"tensor_sources", tensor_sources},
      {"tensor_views", tensor_views},
      {"tensor_data", tensor_data},
      {"faust_sources", faust_sources},
      {"faust_read_garbage", faust_read_garbage},
      {"faust_truncated", faust_truncated},
      {"faust_dsp_misuse", faust_dsp_misuse},
      {"faust_compat", faust_compat},
      {"children_after_parents", children_after_parents},
      {"removed_function", removed_function}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
