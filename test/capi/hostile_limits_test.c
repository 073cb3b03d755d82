/* hostile_limits_test.c: sizes and arguments past what the layers below
 * handle, each an error through the C API.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): a global whose
 * size wraps LLVM's arithmetic (added, looked up and emitted), a Faust
 * option that needs a value given without one (faust took Kiln's own
 * arguments for it), bound-call guards misused, and a double-precision
 * Faust compute past the address space left.
 */
#include "hostile_check.h"
#include "kiln/faust/llvm-dsp-c.h"

#include <sys/resource.h>
#include <unistd.h>

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

/* The address space in use now (/proc/self/statm), 0 when unknown. */
static uint64_t address_space_used(void) {
  unsigned long long pages = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%llu", &pages) != 1)
      pages = 0;
    fclose(f);
  }
  return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Limits the address space to what is in use plus 256 MiB; *old gets the
 * limit to restore. */
static void limit_address_space(struct rlimit *old) {
  struct rlimit tight;
  CHECK(getrlimit(RLIMIT_AS, old) == 0 && address_space_used() > 0);
  tight = *old;
  tight.rlim_cur = address_space_used() + ((uint64_t)256 << 20);
  CHECK(setrlimit(RLIMIT_AS, &tight) == 0);
}

/* Under AddressSanitizer a failed allocation ends the process: its
 * allocator reports out-of-memory before operator new could throw, so the
 * out-of-memory cases below say so and return. */
#if defined(__SANITIZE_ADDRESS__)
#define KILN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KILN_TEST_ASAN 1
#endif
#endif
#ifdef KILN_TEST_ASAN
#define SKIP_UNDER_ASAN()                                                      \
  do {                                                                         \
    puts("skipped: under AddressSanitizer an allocation that fails ends the "  \
         "process");                                                           \
    return;                                                                    \
  } while (0)
#else
#define SKIP_UNDER_ASAN() ((void)0)
#endif

/* A double-precision DSP (faust -double) computes through double copies of
 * its float buffers, which a long block under an address-space limit cannot
 * have: "out of memory" from kiln_faust_dsp_compute, and the instance
 * computes again once the memory is there. (Its unguarded fast path let
 * std::bad_alloc leave the extern "C" function, ending the process, and
 * the flag of a compute that threw stayed set: "computing on another
 * thread" for ever after.) */
static void faust_compute_out_of_memory(void) {
  SKIP_UNDER_ASAN();
  enum { Frames = 1 << 26 }; /* 256 MiB of float, 512 MiB as double */
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  kiln_faust_dsp *dsp = NULL;
  const char *args[1] = {"-double"};
  float *in = (float *)calloc(Frames, sizeof(float));
  float *out = (float *)calloc(Frames, sizeof(float));
  float *ins[1] = {in}, *outs[1] = {out};
  struct rlimit old;
  CHECK(in && out);
  OK(kiln_faust_factory_from_string(engine, "half", "process = _ * 0.5;", 1,
                                    args, NULL, -1, &factory));
  OK(kiln_faust_dsp_create(factory, &dsp));
  OK(kiln_faust_dsp_init(dsp, 48000));
  in[0] = 2;
  OK(kiln_faust_dsp_compute(dsp, 4, ins, outs)); /* the code is linked */
  CHECK(out[0] == 1);
  limit_address_space(&old);
  kiln_error *e = kiln_faust_dsp_compute(dsp, Frames, ins, outs);
  CHECK(setrlimit(RLIMIT_AS, &old) == 0);
  expect_message(FAILS(e, KILN_ERROR_OTHER),
                 "kiln_faust_dsp_compute: out of memory");
  out[0] = 0;
  OK(kiln_faust_dsp_compute(dsp, 4, ins, outs));
  CHECK(out[0] == 1);
  kiln_faust_dsp_free(dsp);
  kiln_faust_factory_free(factory);
  kiln_engine_free(engine);
  free(in);
  free(out);
}

/* The same through the libfaust drop-in, whose compute returns nothing: it
 * computes nothing (the exception ended the process). */
static void faust_dropin_compute_out_of_memory(void) {
  SKIP_UNDER_ASAN();
  enum { Frames = 1 << 26 };
  const char *args[1] = {"-double"};
  char message[4096];
  float *in = (float *)calloc(Frames, sizeof(float));
  float *out = (float *)calloc(Frames, sizeof(float));
  float *ins[1] = {in}, *outs[1] = {out};
  struct rlimit old;
  llvm_dsp_factory *factory = createCDSPFactoryFromString(
      "half", "process = _ * 0.5;", 1, args, "", message, -1);
  llvm_dsp *dsp = factory ? createCDSPInstance(factory) : NULL;
  CHECK(in && out && dsp);
  initCDSPInstance(dsp, 48000);
  in[0] = 2;
  computeCDSPInstance(dsp, 4, ins, outs);
  CHECK(out[0] == 1);
  out[0] = 7;
  limit_address_space(&old);
  computeCDSPInstance(dsp, Frames, ins, outs);
  CHECK(setrlimit(RLIMIT_AS, &old) == 0);
  CHECK(out[0] == 7);
  computeCDSPInstance(dsp, 4, ins, outs);
  CHECK(out[0] == 1);
  deleteCDSPInstance(dsp);
  deleteCDSPFactory(factory);
  free(in);
  free(out);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"ir_huge_globals", ir_huge_globals},
      {"faust_option_without_value", faust_option_without_value},
      {"tensor_guards", tensor_guards},
      {"faust_compute_out_of_memory", faust_compute_out_of_memory},
      {"faust_dropin_compute_out_of_memory",
       faust_dropin_compute_out_of_memory}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
