/* hostile_tensor_test.c: hostile tensor sources, views and data.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): sources that are
 * deep, long or malformed; array views with impossible ranks, shapes and
 * strides (refused, the output untouched); misaligned, NaN and empty data.
 */
#include "hostile_check.h"

#include <math.h>

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

int main(int argc, char **argv) {
  static const test_case cases[] = {{"tensor_sources", tensor_sources},
                                    {"tensor_views", tensor_views},
                                    {"tensor_data", tensor_data}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
