/* core_test.c: the C API over the core, from C99 — errors, engines, units,
 * host functions, emission for two targets and linking.
 *
 * Every case checks a result that a wrong implementation would change: an
 * error's code and location, a called function's value, an emitted file's
 * magic bytes, a linked program's exit status.
 */
#define _POSIX_C_SOURCE 200809L
#include "relay_tensor_check.h"

#include <dlfcn.h>
#include <stdint.h>
#include <unistd.h>

static const char *const kAdd = "define i64 @add(i64 %a, i64 %b) {\n"
                                "  %s = add i64 %a, %b\n"
                                "  ret i64 %s\n"
                                "}\n";

static kiln_unit *add_ir(kiln_engine *engine, const char *name,
                         const char *text) {
  kiln_unit *unit = NULL;
  OK(kiln_unit_add_ir(engine, name, text, strlen(text), &unit));
  return unit;
}

static void version(void) {
  kiln_engine *engine = NULL;
  kiln_error *error;
  CHECK(strcmp(kiln_version(), KILN_VERSION_STRING) == 0);
  CHECK(kiln_version_number() == KILN_VERSION_NUMBER);
  error = FAILS(kiln_engine_create(KILN_VERSION_NUMBER + 10000, NULL, &engine),
                KILN_ERROR_VERSION);
  CHECK(strstr(kiln_error_message(error), "1.2.0") != NULL);
  expect_message(error, KILN_VERSION_STRING);
  /* A header newer than the library, same major: refused too. */
  expect_message(
      FAILS(kiln_engine_create(KILN_VERSION_NUMBER + 1, NULL, &engine),
            KILN_ERROR_VERSION),
      "0.2.1");
  CHECK(engine == NULL); /* out-parameters untouched on error */
}

static void options(void) {
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  kiln_engine *engine = NULL;
  options.opt_level = 4;
  expect_message(
      FAILS(kiln_engine_new(&options, &engine), KILN_ERROR_INVALID_ARGUMENT),
      "opt_level 4");
  options.opt_level = -1;
  kiln_error_free(
      FAILS(kiln_engine_new(&options, &engine), KILN_ERROR_INVALID_ARGUMENT));
  options.opt_level = 0;
  options.cache = 2;
  expect_message(
      FAILS(kiln_engine_new(&options, &engine), KILN_ERROR_INVALID_ARGUMENT),
      "cache must be 0 or 1");
  options.cache = 0;
  options.target = "no-such-arch-linux";
  kiln_error_free(FAILS(kiln_engine_new(&options, &engine), KILN_ERROR_TARGET));
  options.target = "aarch64-linux-gnu:no-such-cpu";
  kiln_error_free(FAILS(kiln_engine_new(&options, &engine), KILN_ERROR_TARGET));
  CHECK(engine == NULL);
  options.target = "aarch64-linux-gnu:cortex-a72";
  OK(kiln_engine_new(&options, &engine));
  CHECK(strstr(kiln_engine_target(engine), "aarch64") != NULL);
  CHECK(strstr(kiln_engine_target(engine), ":cortex-a72") != NULL);
  /* Code for another machine cannot be added, only emitted. */
  {
    kiln_unit *unit = NULL;
    void *address = NULL;
    expect_message(
        FAILS(kiln_unit_add_ir(engine, "a.ll", kAdd, strlen(kAdd), &unit),
              KILN_ERROR_TARGET),
        "kiln_unit_add_ir: the engine's target 'aarch64");
    expect_message(
        FAILS(kiln_engine_lookup(engine, "add", &address), KILN_ERROR_TARGET),
        "kiln_engine_lookup: ");
    CHECK(unit == NULL && address == NULL);
  }
  kiln_engine_free(engine);
}

static void null_arguments(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  void *address = NULL;
  expect_message(FAILS(kiln_engine_create(KILN_VERSION_NUMBER, NULL, NULL),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "'out' is NULL");
  expect_message(FAILS(kiln_unit_add_ir(NULL, "a", kAdd, 1, &unit),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_unit_add_ir: 'engine' is NULL");
  kiln_error_free(FAILS(kiln_unit_add_ir(engine, "a", NULL, 1, &unit),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_engine_lookup(engine, NULL, &address),
                        KILN_ERROR_INVALID_ARGUMENT));
  expect_message(FAILS(kiln_engine_lookup(engine, "", &address),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_engine_lookup: 'name' is empty");
  kiln_error_free(FAILS(kiln_engine_define_symbol(engine, "", (void *)&unit),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_unit_lookup(NULL, "add", &address),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_link(NULL, 1, "x", 0), KILN_ERROR_INVALID_ARGUMENT));
  /* Free functions and accessors take NULL. */
  kiln_unit_free(NULL);
  kiln_engine_free(NULL);
  kiln_error_free(NULL);
  kiln_buffer_free(NULL);
  CHECK(kiln_error_count(NULL) == 0);
  CHECK(strcmp(kiln_error_message(NULL), "") == 0);
  CHECK(kiln_buffer_size(NULL) == 0);
  CHECK(unit == NULL && address == NULL);
  kiln_engine_free(engine);
}

static void parse_error(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = NULL;
  const char *text = "define i64 @f() {\n  ret i64 %nope\n}\n";
  kiln_error *error =
      FAILS(kiln_unit_add_ir(engine, "bad.ll", text, strlen(text), &unit),
            KILN_ERROR_PARSE);
  CHECK(kiln_error_count(error) == 1);
  CHECK(strcmp(kiln_error_file_at(error, 0), "bad.ll") == 0);
  CHECK(kiln_error_line_at(error, 0) == 2);
  CHECK(kiln_error_column_at(error, 0) == 11);
  CHECK(strstr(kiln_error_message(error), "nope") != NULL);
  CHECK(strstr(kiln_error_rendered(error), "bad.ll:2:11: error:") != NULL);
  CHECK(strcmp(kiln_error_file_at(error, 5), "") == 0);
  CHECK(kiln_error_line_at(error, 5) == 0);
  kiln_error_free(error);
  /* Parses, but does not verify: an error, not an LLVM abort. */
  text = "define i64 @g() {\n  ret i32 0\n}\n";
  kiln_error_free(
      FAILS(kiln_unit_add_ir(engine, "g.ll", text, strlen(text), &unit),
            KILN_ERROR_PARSE));
  text = "define i64 @h(i64 %x) {\n  %y = add i64 %y, 1\n  ret i64 %y\n}\n";
  expect_message(
      FAILS(kiln_unit_add_ir(engine, "h.ll", text, strlen(text), &unit),
            KILN_ERROR_INVALID_ARGUMENT),
      "invalid IR");
  /* IR for another machine's data layout (it crashed freeing the module). */
  text = "target datalayout = \"E-m:e-p:32:32\"\n"
         "define i64 @k() {\n  ret i64 1\n}\n";
  expect_message(
      FAILS(kiln_unit_add_ir(engine, "k.ll", text, strlen(text), &unit),
            KILN_ERROR_INVALID_ARGUMENT),
      "another data layout");
  /* Damaged bitcode: the reader's probe process takes any crash. */
  kiln_error_free(
      FAILS(kiln_unit_add_ir(engine, "x.bc", "BC\xc0\xde\x01\x02", 6, &unit),
            KILN_ERROR_PARSE));
  CHECK(unit == NULL);
  kiln_engine_free(engine);
}

static void units(void) {
  kiln_engine *engine = new_engine();
  kiln_unit *unit = add_ir(engine, "add.ll", kAdd), *again;
  int64_t (*add)(int64_t, int64_t) = NULL;
  void *address = NULL;
  OK(kiln_unit_lookup(unit, "add", &address));
  *(void **)&add = address;
  CHECK(add(40, 2) == 42);
  OK(kiln_engine_lookup(engine, "add", &address));
  CHECK(*(void **)&add == address);
  expect_message(
      FAILS(kiln_engine_lookup(engine, "nothing", &address), KILN_ERROR_LINK),
      "nothing");
  kiln_error_free(
      FAILS(kiln_unit_lookup(unit, "nothing", &address), KILN_ERROR_LINK));
  /* A second definition of @add is a link error. */
  kiln_error_free(
      FAILS(kiln_unit_add_ir(engine, "dup.ll", kAdd, strlen(kAdd), &again),
            KILN_ERROR_LINK));
  /* Removing the unit removes @add; the name can then be defined again. */
  kiln_unit_free(unit);
  address = NULL;
  kiln_error_free(
      FAILS(kiln_engine_lookup(engine, "add", &address), KILN_ERROR_LINK));
  CHECK(address == NULL);
  again = add_ir(engine, "add2.ll", kAdd);
  OK(kiln_unit_lookup(again, "add", &address));
  *(void **)&add = address;
  CHECK(add(1, 2) == 3);
  /* The unit keeps the engine alive after the caller frees it. */
  kiln_engine_free(engine);
  CHECK(add(5, 6) == 11);
  kiln_unit_free(again);
}

/* A host function with user data, called from JIT code. */
static double scaled(void *user_data, double x, int64_t n) {
  return *(double *)user_data * x + (double)n;
}

static int64_t counter(void *user_data) { return ++*(int64_t *)user_data; }

static void host_functions(void) {
  kiln_engine *engine = new_engine();
  double scale = 3.0;
  int64_t count = 0;
  const char *text = "declare double @scaled(double, i64)\n"
                     "declare i64 @count()\n"
                     "declare double @sin(double)\n"
                     "define double @use(double %x) {\n"
                     "  %a = call double @scaled(double %x, i64 4)\n"
                     "  %c = call i64 @count()\n"
                     "  %cf = sitofp i64 %c to double\n"
                     "  %s = call double @sin(double 0.0)\n"
                     "  %b = fadd double %a, %cf\n"
                     "  %r = fadd double %b, %s\n"
                     "  ret double %r\n"
                     "}\n";
  double (*use)(double) = NULL;
  kiln_unit *unit;
  OK(kiln_engine_define_function(engine, "scaled", "double (double, i64)",
                                 (void *)scaled, &scale));
  OK(kiln_engine_define_function(engine, "count", "i64 ()", (void *)counter,
                                 &count));
  unit = add_ir(engine, "use.ll", text);
  OK(kiln_unit_lookup(unit, "use", (void **)&use));
  CHECK(use(2.0) == 3.0 * 2.0 + 4 + 1);
  scale = 0.5; /* user data is borrowed, read at each call */
  CHECK(use(2.0) == 0.5 * 2.0 + 4 + 2);
  CHECK(count == 2);
  expect_message(FAILS(kiln_engine_define_function(engine, "bad", "double",
                                                   (void *)scaled, NULL),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "not a function type");
  kiln_error_free(
      FAILS(kiln_engine_define_function(engine, "bad2", "double (double",
                                        (void *)scaled, NULL),
            KILN_ERROR_INVALID_ARGUMENT));
  /* Types code generation is not defined for at a C call: refused. */
  expect_message(
      FAILS(kiln_engine_define_function(engine, "bad3", "{i32, i32} (label)",
                                        (void *)scaled, NULL),
            KILN_ERROR_INVALID_ARGUMENT),
      "only integers, floating point, pointers");
  kiln_error_free(FAILS(kiln_engine_define_function(engine, "scaled",
                                                    "double (double, i64)",
                                                    (void *)scaled, &scale),
                        KILN_ERROR_LINK));
  kiln_unit_free(unit);
  kiln_engine_free(engine);
}

/* Code that calls a function nobody defines fails at lookup, naming it;
 * the engine stays usable and the unit can still be freed. */
static void undefined_symbol(void) {
  kiln_engine *engine = new_engine();
  const char *text = "declare i64 @missing_fn()\n"
                     "define i64 @calls_missing() {\n"
                     "  %r = call i64 @missing_fn()\n"
                     "  ret i64 %r\n"
                     "}\n";
  kiln_unit *unit = add_ir(engine, "m.ll", text), *other;
  void *address = NULL;
  expect_message(
      FAILS(kiln_unit_lookup(unit, "calls_missing", &address), KILN_ERROR_LINK),
      "missing_fn");
  CHECK(address == NULL);
  kiln_unit_free(unit);
  other = add_ir(engine, "add.ll", kAdd);
  OK(kiln_unit_lookup(other, "add", &address));
  CHECK(((int64_t(*)(int64_t, int64_t))address)(2, 3) == 5);
  kiln_unit_free(other);
  kiln_engine_free(engine);
}

/* IR that verifies but that LLVM's code generator would end the process
 * on: another architecture's intrinsic (instruction selection aborts),
 * inline assembly that does not assemble (LLVM prints and exits). Both are
 * errors, for the JIT and for emission. */
static void codegen_errors(void) {
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  kiln_engine *engine = new_engine(), *arm = NULL;
  const char *foreign =
      "declare <2 x i64> @llvm.x86.sse2.psll.q(<2 x i64>, <2 x i64>)\n"
      "define <2 x i64> @f(<2 x i64> %a) {\n"
      "  %r = call <2 x i64> @llvm.x86.sse2.psll.q(<2 x i64> %a, <2 x i64> "
      "%a)\n"
      "  ret <2 x i64> %r\n"
      "}\n";
  const char *bad_asm = "define i32 @g() {\n"
                        "  %r = call i32 asm \"bogus_insn $0\", \"=r\"()\n"
                        "  ret i32 %r\n"
                        "}\n";
  kiln_unit *unit = NULL;
  kiln_buffer *buffer = NULL;
  void *address = NULL;
  options.target = "aarch64-linux-gnu";
  OK(kiln_engine_new(&options, &arm));
  expect_message(
      FAILS(kiln_engine_emit(arm, "f.ll", foreign, strlen(foreign),
                             KILN_EMIT_OBJECT, &buffer),
            KILN_ERROR_INVALID_ARGUMENT),
      "'llvm.x86.sse2.psll.q', an intrinsic of another architecture");
  expect_message(FAILS(kiln_engine_emit(arm, "g.ll", bad_asm, strlen(bad_asm),
                                        KILN_EMIT_OBJECT, &buffer),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "bogus_insn");
  unit = add_ir(engine, "g.ll", bad_asm);
  expect_message(
      FAILS(kiln_unit_lookup(unit, "g", &address), KILN_ERROR_INVALID_ARGUMENT),
      "invalid instruction mnemonic 'bogus_insn'");
  CHECK(buffer == NULL && address == NULL);
  kiln_unit_free(unit);
  kiln_engine_free(arm);
  kiln_engine_free(engine);
}

static int64_t seven(void) { return 7; }

static void define_symbol(void) {
  kiln_engine *engine = new_engine();
  const char *text = "declare i64 @seven()\n"
                     "define i64 @call7() {\n"
                     "  %r = call i64 @seven()\n"
                     "  ret i64 %r\n"
                     "}\n";
  int64_t (*call7)(void) = NULL;
  kiln_unit *unit;
  OK(kiln_engine_define_symbol(engine, "seven", (void *)seven));
  kiln_error_free(
      FAILS(kiln_engine_define_symbol(engine, "seven", (void *)seven),
            KILN_ERROR_LINK));
  unit = add_ir(engine, "call7.ll", text);
  OK(kiln_engine_lookup(engine, "call7", (void **)&call7));
  CHECK(call7() == 7);
  kiln_unit_free(unit);
  kiln_engine_free(engine);
}

static const char *const kMain = "define i32 @main() {\n"
                                 "  ret i32 42\n"
                                 "}\n";

static void emit_each(kiln_engine *engine, const char *magic, size_t length,
                      const char *asm_text) {
  kiln_buffer *buffer = NULL;
  OK(kiln_engine_emit(engine, "main.ll", kMain, strlen(kMain), KILN_EMIT_OBJECT,
                      &buffer));
  CHECK(kiln_buffer_size(buffer) > 64);
  CHECK(memcmp(kiln_buffer_data(buffer),
               "\x7f"
               "ELF",
               4) == 0);
  CHECK(memcmp(kiln_buffer_data(buffer) + 18, magic, length) == 0);
  kiln_buffer_free(buffer);
  OK(kiln_engine_emit(engine, "main.ll", kMain, strlen(kMain),
                      KILN_EMIT_ASSEMBLY, &buffer));
  CHECK(strstr(kiln_buffer_data(buffer), asm_text) != NULL);
  kiln_buffer_free(buffer);
  OK(kiln_engine_emit(engine, "main.ll", kMain, strlen(kMain),
                      KILN_EMIT_BITCODE, &buffer));
  CHECK(memcmp(kiln_buffer_data(buffer), "BC\xc0\xde", 4) == 0);
  kiln_buffer_free(buffer);
  OK(kiln_engine_emit(engine, "main.ll", kMain, strlen(kMain), KILN_EMIT_IR,
                      &buffer));
  CHECK(strstr(kiln_buffer_data(buffer), "ret i32 42") != NULL);
  CHECK(strlen(kiln_buffer_data(buffer)) == kiln_buffer_size(buffer));
  kiln_buffer_free(buffer);
}

static void emit(void) {
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  kiln_engine *host = new_engine(), *arm = NULL;
  kiln_buffer *buffer = NULL;
  emit_each(host, "\x3e\x00", 2, "$42"); /* EM_X86_64, an immediate */
  options.target = "aarch64-linux-gnu";
  OK(kiln_engine_new(&options, &arm));
  emit_each(arm, "\xb7\x00", 2, "#42"); /* EM_AARCH64 */
  kiln_error_free(FAILS(kiln_engine_emit(host, "m.ll", kMain, strlen(kMain),
                                         (kiln_emit_kind)9, &buffer),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(
      kiln_engine_emit(host, "m.ll", "junk", 4, KILN_EMIT_OBJECT, &buffer),
      KILN_ERROR_PARSE));
  CHECK(buffer == NULL);
  kiln_engine_free(arm);
  kiln_engine_free(host);
}

static void write_file(const char *path, const char *data, size_t size) {
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  CHECK(fwrite(data, 1, size, f) == size);
  CHECK(fclose(f) == 0);
}

static void link_executable(void) {
  kiln_engine *engine = new_engine();
  kiln_buffer *object = NULL;
  char dir[] = "/tmp/kiln-capi-XXXXXX", obj[64], exe[64], cmd[160];
  const char *objects[1];
  CHECK(mkdtemp(dir) != NULL);
  snprintf(obj, sizeof obj, "%s/main.o", dir);
  snprintf(exe, sizeof exe, "%s/main", dir);
  OK(kiln_engine_emit(engine, "main.ll", kMain, strlen(kMain), KILN_EMIT_OBJECT,
                      &object));
  write_file(obj, kiln_buffer_data(object), kiln_buffer_size(object));
  kiln_buffer_free(object);
  objects[0] = obj;
  OK(kiln_link(objects, 1, exe, 0));
  snprintf(cmd, sizeof cmd, "%s", exe);
  CHECK(system(cmd) == 42 << 8); /* exit status 42 */
  /* A failed link leaves nothing behind. */
  objects[0] = exe; /* not an object */
  snprintf(cmd, sizeof cmd, "%s/bad", dir);
  kiln_error_free(FAILS(kiln_link(objects, 1, cmd, 0), KILN_ERROR_LINK));
  CHECK(access(cmd, F_OK) != 0);
  kiln_error_free(
      FAILS(kiln_link(objects, 0, cmd, 0), KILN_ERROR_INVALID_ARGUMENT));
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  kiln_engine_free(engine);
}

/* A shared library linked from an emitted object, loaded and called. */
static void link_shared(void) {
  kiln_engine *engine = new_engine();
  kiln_buffer *object = NULL;
  char dir[] = "/tmp/kiln-capi-XXXXXX", obj[64], lib[64], cmd[80];
  const char *objects[1];
  void *handle;
  int64_t (*add)(int64_t, int64_t);
  CHECK(mkdtemp(dir) != NULL);
  snprintf(obj, sizeof obj, "%s/add.o", dir);
  snprintf(lib, sizeof lib, "%s/libadd.so", dir);
  OK(kiln_engine_emit(engine, "add.ll", kAdd, strlen(kAdd), KILN_EMIT_OBJECT,
                      &object));
  write_file(obj, kiln_buffer_data(object), kiln_buffer_size(object));
  kiln_buffer_free(object);
  objects[0] = obj;
  OK(kiln_link(objects, 1, lib, 1));
  handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  CHECK(handle != NULL);
  *(void **)&add = dlsym(handle, "add");
  CHECK(add != NULL && add(20, 22) == 42);
  CHECK(dlclose(handle) == 0);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  kiln_engine_free(engine);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"version", version},
      {"options", options},
      {"null_arguments", null_arguments},
      {"parse_error", parse_error},
      {"units", units},
      {"host_functions", host_functions},
      {"undefined_symbol", undefined_symbol},
      {"codegen_errors", codegen_errors},
      {"define_symbol", define_symbol},
      {"emit", emit},
      {"link", link_executable},
      {"link_shared", link_shared},
  };
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
