/* hostile_engine_test.c: error accessors, engine options, lifetimes misused.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): error accessors
 * given NULL and indices past the end, version mismatches, bad optimisation
 * levels, thread counts and target strings, and handles freed
 * child-after-parent or looked up after their unit is gone.
 */
#include "hostile_check.h"

#include <limits.h>

/* An engine at `opt_level` for `target` (NULL: the host). */
static kiln_error *engine_with(int opt_level, const char *target,
                               kiln_engine **out) {
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  options.opt_level = opt_level;
  options.target = target;
  return kiln_engine_new(&options, out);
}

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
      {"children_after_parents", children_after_parents},
      {"removed_function", removed_function}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
