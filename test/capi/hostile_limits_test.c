/* hostile_limits_test.c: sizes and arguments past what the layers below
 * handle, each an error through the C API.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): a global whose
 * size wraps LLVM's arithmetic (added, looked up and emitted), a Faust
 * option that needs a value given without one (faust took Kiln's own
 * arguments for it), and bound-call guards misused.
 */
#include "hostile_check.h"

/* [2^62 x i64] is 2^65 bytes: DataLayout wrapped it to 0 and the JIT code
 * wrote past a 0-byte global; a struct of four 2^62-byte arrays wraps in
 * the sum of its fields. */
static const char HugeArray[] =
    "@g = global [4611686018427387904 x i64] zeroinitializer\n"
    "define i32 @main() {\n"
    "  %p = getelementptr [4611686018427387904 x i64], ptr @g, i64 0, i64 "
    "1099511627776\n"
    "  store i64 1, ptr %p\n  ret i32 0\n}\n";
static const char HugeStruct[] =
    "@g = global { [4611686018427387904 x i8], [4611686018427387904 x i8], "
    "[4611686018427387904 x i8], [4611686018427387904 x i8], i8 } "
    "zeroinitializer\n"
    "define i32 @main() {\n  ret i32 0\n}\n";

static void ir_huge_globals(void) {
  const char *sources[2] = {HugeArray, HugeStruct};
  int i;
  for (i = 0; i < 2; ++i) {
    kiln_engine *engine = new_engine();
    kiln_unit *unit = NULL;
    kiln_buffer *buffer = NULL;
    void *address = NULL;
    kiln_error *e =
        kiln_unit_add_ir(engine, "huge.ll", sources[i], strlen(sources[i]), &unit);
    if (!e) /* code is generated on the first lookup */
      e = kiln_engine_lookup(engine, "main", &address);
    expect_message(FAILS(e, KILN_ERROR_INVALID_ARGUMENT),
                   "larger than any address space");
    CHECK(address == NULL);
    expect_message(FAILS(kiln_engine_emit(engine, "huge.ll", sources[i],
                                          strlen(sources[i]), KILN_EMIT_OBJECT,
                                          &buffer),
                         KILN_ERROR_INVALID_ARGUMENT),
                   "larger than any address space");
    CHECK(buffer == NULL);
    kiln_unit_free(unit);
    kiln_engine_free(engine);
  }
}

static void faust_option_without_value(void) {
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  const char *last[2] = {"-vec", "-I"}, *before[3] = {"-I", "-A", "/tmp"};
  expect_message(FAILS(kiln_faust_factory_from_string(engine, "a",
                                                      "process = _;", 2, last,
                                                      NULL, -1, &factory),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "the Faust option '-I' needs a value (<dir>) after it");
  expect_message(FAILS(kiln_faust_factory_from_string(engine, "a",
                                                      "process = _;", 3, before,
                                                      NULL, -1, &factory),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "the Faust option '-I' needs a value (<dir>) after it");
  CHECK(factory == NULL);
  kiln_engine_free(engine);
}

static void tensor_guards(void) {
  kiln_engine *engine = new_engine();
  static const char Source[] = "kernel twice(a: f64[]) -> f64[] = a * 2\n";
  kiln_tensor_program *program = NULL;
  kiln_tensor_kernel *kernel = NULL;
  kiln_tensor_call *bound = NULL;
  double a[4] = {1, 2, 3, 4}, out[4] = {0, 0, 0, 0};
  static char big[64 * 1024 + 1];
  kiln_tensor_arg arg;
  kiln_array o = vector_of(out, KILN_DTYPE_F64, 4);
  memset(&arg, 0, sizeof arg);
  arg.is_array = 1;
  arg.array = vector_of(a, KILN_DTYPE_F64, 4);
  OK(kiln_tensor_compile(engine, "g.tk", Source, strlen(Source), &program));
  OK(kiln_tensor_kernel_at(program, 0, &kernel));
  OK(kiln_tensor_bind(kernel, &arg, 1, &o, 1, &bound));
  expect_message(FAILS(kiln_tensor_call_guard(bound, big, sizeof big),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "65536 bytes in all"); /* more than all guards may hold */
  expect_message(FAILS(kiln_tensor_call_guard(bound, big, (size_t)-1),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "guards must be 1 byte or more");
  CHECK(kiln_tensor_call_run(bound, NULL) == 0 && out[3] == 8);
  kiln_tensor_call_free(bound);
  kiln_tensor_kernel_free(kernel);
  kiln_tensor_program_free(program);
  kiln_engine_free(engine);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"ir_huge_globals", ir_huge_globals},
      {"faust_option_without_value", faust_option_without_value},
      {"tensor_guards", tensor_guards}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
