/* tensor_test.c: the C API over tensor kernels (include/kiln/c/tensor.h),
 * from C99.
 *
 * Kernels compile (errors located), describe their signature, and run on C
 * arrays: elementwise, reductions, broadcasting, strided and reversed views,
 * each checked against a plain C loop. A bad call (count, dtype, shape, NULL
 * data) is KILN_ERROR_INVALID_ARGUMENT with nothing written; a bound call
 * gives what kiln_tensor_run gives; handles outlive their parents. One case
 * per ctest test (capi.tensor_<case>).
 */
#define _POSIX_C_SOURCE 200809L
#include "relay_tensor_check.h"

#include <pthread.h>

static const char Source[] =
    "kernel axpy(a: f32[], x: f32[], alpha: f32) -> f32[] = alpha * a + x\n"
    "kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)\n"
    "kernel count_big(x: i32[], limit: i32) -> i64 = sum(i64(x > limit))\n"
    "kernel scale_rows(a: f64[], s: f64[], b: f64[]) -> f64[] = a * s + b\n";

static kiln_array vec(void *data, kiln_dtype dtype, int64_t n) {
  kiln_array a;
  memset(&a, 0, sizeof a);
  a.data = data, a.dtype = dtype, a.rank = 1;
  a.shape[0] = n, a.strides[0] = 1;
  return a;
}

static kiln_array mat(void *data, kiln_dtype dtype, int64_t rows,
                      int64_t cols) {
  kiln_array a = vec(data, dtype, rows);
  a.rank = 2;
  a.shape[1] = cols, a.strides[0] = cols, a.strides[1] = 1;
  return a;
}

static kiln_tensor_arg array_arg(kiln_array a) {
  kiln_tensor_arg arg;
  memset(&arg, 0, sizeof arg);
  arg.is_array = 1;
  arg.array = a;
  return arg;
}

static kiln_tensor_arg scalar_arg(kiln_dtype dtype, double f, int64_t i) {
  kiln_tensor_arg arg;
  memset(&arg, 0, sizeof arg);
  arg.scalar.dtype = dtype;
  arg.scalar.f = f;
  arg.scalar.i = i;
  return arg;
}
#define f32_arg(f) scalar_arg(KILN_DTYPE_F32, (f), 0)
#define i32_arg(i) scalar_arg(KILN_DTYPE_I32, 0, (i))

/* The engine, program and one kernel of Source. */
typedef struct fixture {
  kiln_engine *engine;
  kiln_tensor_program *program;
  kiln_tensor_kernel *kernel;
} fixture;

static fixture setup(const char *kernel) {
  fixture f;
  f.engine = new_engine();
  OK(kiln_tensor_compile(f.engine, "test.tk", Source, strlen(Source),
                         &f.program));
  OK(kiln_tensor_kernel_get(f.program, kernel, &f.kernel));
  return f;
}

static void teardown(fixture f) {
  kiln_tensor_kernel_free(f.kernel);
  kiln_tensor_program_free(f.program);
  kiln_engine_free(f.engine);
}

static void compile(void) {
  fixture f = setup("count_big");
  const char *bad = "kernel f(a: f32[]) -> f32[] = a + b\n";
  const char *mistyped = "\nkernel g(a: f32[]) -> f64[] = a\n";
  const char *name = NULL;
  kiln_dtype dtype = KILN_DTYPE_BOOL;
  int is_array = -1;
  kiln_tensor_program *program = NULL;
  kiln_tensor_kernel *k = NULL;
  kiln_error *e;
  CHECK(kiln_tensor_kernel_count(f.program) == 4);
  CHECK(strcmp(kiln_tensor_kernel_name(f.kernel), "count_big") == 0);
  CHECK(kiln_tensor_kernel_param_count(f.kernel) == 2);
  OK(kiln_tensor_kernel_param(f.kernel, 1, &name, &dtype, &is_array));
  CHECK(strcmp(name, "limit") == 0 && dtype == KILN_DTYPE_I32 && !is_array);
  OK(kiln_tensor_kernel_param(f.kernel, 0, NULL, &dtype, &is_array));
  CHECK(dtype == KILN_DTYPE_I32 && is_array == 1);
  kiln_tensor_kernel_result(f.kernel, &dtype, &is_array);
  CHECK(dtype == KILN_DTYPE_I64 && is_array == 0);
  kiln_error_free(
      FAILS(kiln_tensor_kernel_param(f.kernel, 2, &name, NULL, NULL),
            KILN_ERROR_INVALID_ARGUMENT));
  OK(kiln_tensor_kernel_at(f.program, 0, &k));
  CHECK(strcmp(kiln_tensor_kernel_name(k), "axpy") == 0);
  kiln_tensor_kernel_free(k);
  k = NULL;
  kiln_error_free(FAILS(kiln_tensor_kernel_at(f.program, 4, &k),
                        KILN_ERROR_INVALID_ARGUMENT));
  expect_message(FAILS(kiln_tensor_kernel_get(f.program, "nope", &k),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "no kernel named 'nope'");
  CHECK(k == NULL);
  e = FAILS(kiln_tensor_compile(f.engine, "bad.tk", bad, strlen(bad), &program),
            KILN_ERROR_PARSE);
  CHECK(strcmp(kiln_error_file_at(e, 0), "bad.tk") == 0);
  CHECK(kiln_error_line_at(e, 0) == 1 && kiln_error_column_at(e, 0) == 35);
  CHECK(strstr(kiln_error_rendered(e), "bad.tk:1:35: error:") != NULL);
  kiln_error_free(e);
  e = FAILS(kiln_tensor_compile(f.engine, "bad.tk", mistyped, strlen(mistyped),
                                &program),
            KILN_ERROR_TYPE);
  CHECK(kiln_error_line_at(e, 0) == 2 && kiln_error_column_at(e, 0) == 31);
  expect_message(e, "declared to return f64[]");
  kiln_error_free(
      FAILS(kiln_tensor_compile(f.engine, "bad.tk", "kernel (", 8, &program),
            KILN_ERROR_PARSE));
  CHECK(program == NULL);
  teardown(f);
}

static void elementwise(void) {
  fixture f = setup("axpy");
  enum { N = 16 };
  float a[N], x[N], out[N];
  kiln_tensor_arg args[3];
  kiln_array o = vec(out, KILN_DTYPE_F32, N);
  int i;
  for (i = 0; i < N; ++i)
    a[i] = (float)i * 0.5f - 3, x[i] = (float)(i * i), out[i] = -1;
  args[0] = array_arg(vec(a, KILN_DTYPE_F32, N));
  args[1] = array_arg(vec(x, KILN_DTYPE_F32, N));
  args[2] = f32_arg(2.0f);
  OK(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0));
  for (i = 0; i < N; ++i)
    CHECK(out[i] == 2.0f * a[i] + x[i]);
  teardown(f);
}

static void reduction(void) {
  fixture f = setup("dot");
  kiln_tensor_kernel *count = NULL;
  double a[5] = {1, 2, 3, 4, 5}, b[5] = {0.5, -1, 2, 0, 1};
  int32_t x[6] = {1, 9, 3, 12, -4, 10};
  kiln_tensor_arg args[2];
  kiln_scalar result = {KILN_DTYPE_BOOL, 0, 0};
  args[0] = array_arg(vec(a, KILN_DTYPE_F64, 5));
  args[1] = array_arg(vec(b, KILN_DTYPE_F64, 5));
  int32_t rank = -1;
  int64_t shape[KILN_TENSOR_MAX_RANK] = {0, 0, 0, 0};
  OK(kiln_tensor_run(f.kernel, args, 2, NULL, &result, 0));
  CHECK(result.dtype == KILN_DTYPE_F64 && result.f == 9.5);
  OK(kiln_tensor_result_shape(f.kernel, args, 2, &rank, shape));
  CHECK(rank == 0); /* a scalar result */
  /* A scalar result needs somewhere to go. */
  kiln_error_free(FAILS(kiln_tensor_run(f.kernel, args, 2, NULL, NULL, 0),
                        KILN_ERROR_INVALID_ARGUMENT));
  OK(kiln_tensor_kernel_get(f.program, "count_big", &count));
  args[0] = array_arg(vec(x, KILN_DTYPE_I32, 6));
  args[1] = i32_arg(5);
  OK(kiln_tensor_run(count, args, 2, NULL, &result, 0));
  CHECK(result.dtype == KILN_DTYPE_I64 && result.i == 3);
  kiln_tensor_kernel_free(count);
  teardown(f);
}

static void broadcast(void) {
  fixture f = setup("scale_rows");
  double a[12], s[3] = {1, 10, 100}, b[4] = {0.5, 1.5, 2.5, 3.5}, out[12];
  kiln_tensor_arg args[3];
  kiln_array o = mat(out, KILN_DTYPE_F64, 3, 4), col;
  int32_t rank = -1;
  int64_t shape[KILN_TENSOR_MAX_RANK] = {0, 0, 0, 0};
  int i;
  for (i = 0; i < 12; ++i)
    a[i] = i, out[i] = -1;
  col = mat(s, KILN_DTYPE_F64, 3, 1);
  args[0] = array_arg(mat(a, KILN_DTYPE_F64, 3, 4));
  args[1] = array_arg(col);
  args[2] = array_arg(vec(b, KILN_DTYPE_F64, 4));
  OK(kiln_tensor_result_shape(f.kernel, args, 3, &rank, shape));
  CHECK(rank == 2 && shape[0] == 3 && shape[1] == 4);
  OK(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0));
  for (i = 0; i < 12; ++i)
    CHECK(out[i] == a[i] * s[i / 4] + b[i % 4]);
  /* Shapes that do not broadcast: no shape, and a run writes nothing. */
  args[2] = array_arg(vec(b, KILN_DTYPE_F64, 3));
  rank = -1;
  kiln_error_free(
      FAILS(kiln_tensor_result_shape(f.kernel, args, 3, &rank, shape),
            KILN_ERROR_INVALID_ARGUMENT));
  CHECK(rank == -1);
  memset(out, 0, sizeof out);
  expect_message(FAILS(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "does not broadcast");
  for (i = 0; i < 12; ++i)
    CHECK(out[i] == 0);
  teardown(f);
}

static void strided(void) {
  fixture f = setup("axpy");
  float a[20], x[10], out[10];
  kiln_tensor_arg args[3];
  kiln_array every_other = vec(a, KILN_DTYPE_F32, 10);
  kiln_array reversed = vec(x + 9, KILN_DTYPE_F32, 10);
  kiln_array o = vec(out, KILN_DTYPE_F32, 10);
  int i;
  for (i = 0; i < 20; ++i)
    a[i] = (float)i;
  for (i = 0; i < 10; ++i)
    x[i] = (float)(100 * i), out[i] = -1;
  every_other.strides[0] = 2;
  reversed.strides[0] = -1;
  args[0] = array_arg(every_other);
  args[1] = array_arg(reversed);
  args[2] = f32_arg(0.5f);
  OK(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0));
  for (i = 0; i < 10; ++i)
    CHECK(out[i] == 0.5f * a[2 * i] + x[9 - i]);
  /* A reversed output too. */
  o.data = out + 9, o.strides[0] = -1;
  OK(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0));
  for (i = 0; i < 10; ++i)
    CHECK(out[9 - i] == 0.5f * a[2 * i] + x[9 - i]);
  teardown(f);
}

/* `args`/`out` must be rejected by run and bind with `text`, nothing
 * written to `data` (n floats, all -1). */
static void expect_rejected(const kiln_tensor_kernel *k,
                            const kiln_tensor_arg *args, size_t count,
                            const kiln_array *out, const float *data, int n,
                            const char *text) {
  kiln_tensor_call *bound = NULL;
  int i;
  expect_message(FAILS(kiln_tensor_run(k, args, count, out, NULL, 0),
                       KILN_ERROR_INVALID_ARGUMENT),
                 text);
  expect_message(FAILS(kiln_tensor_bind(k, args, count, out, 0, &bound),
                       KILN_ERROR_INVALID_ARGUMENT),
                 text);
  CHECK(bound == NULL);
  for (i = 0; i < n; ++i)
    CHECK(data[i] == -1);
}

static void bad_calls(void) {
  fixture f = setup("axpy");
  float a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
  double d[8] = {0};
  kiln_tensor_arg args[4];
  kiln_array o = vec(out, KILN_DTYPE_F32, 8);
  int i;
  for (i = 0; i < 8; ++i)
    out[i] = -1;
  args[0] = array_arg(vec(a, KILN_DTYPE_F32, 8));
  args[1] = array_arg(vec(a, KILN_DTYPE_F32, 8));
  args[2] = f32_arg(1);
  args[3] = f32_arg(1);
  expect_rejected(f.kernel, args, 2, &o, out, 8, "takes 3 arguments, got 2");
  expect_rejected(f.kernel, args, 4, &o, out, 8, "takes 3 arguments, got 4");
  /* A count far beyond the array is refused before anything is read. */
  expect_rejected(f.kernel, args, (size_t)1 << 40, &o, out, 8,
                  "takes 3 arguments, got 1099511627776");
  expect_rejected(f.kernel, NULL, 3, &o, out, 8, "'args' is NULL");
  o.shape[0] = 7; /* out shape mismatch */
  expect_rejected(f.kernel, args, 3, &o, out, 8,
                  "output: shape [7] does not match the broadcast shape [8]");
  o.shape[0] = 8, o.dtype = KILN_DTYPE_F64;
  expect_rejected(f.kernel, args, 3, &o, out, 8, "output: dtype f64");
  o.dtype = KILN_DTYPE_F32;
  expect_rejected(f.kernel, args, 3, NULL, out, 8, "pass an output array");
  args[1] = array_arg(vec(d, KILN_DTYPE_F64, 8));
  expect_rejected(f.kernel, args, 3, &o, out, 8,
                  "argument 'x': dtype f64 does not match parameter type f32");
  args[1] = array_arg(vec(NULL, KILN_DTYPE_F32, 8));
  expect_rejected(f.kernel, args, 3, &o, out, 8, "data pointer is null");
  args[1] = array_arg(vec(a, (kiln_dtype)42, 8));
  expect_rejected(f.kernel, args, 3, &o, out, 8, "unknown dtype 42");
  args[1] = array_arg(vec(a, KILN_DTYPE_F32, 8));
  args[1].array.rank = 5;
  expect_rejected(f.kernel, args, 3, &o, out, 8, "rank 5 is out of range");
  args[1] = f32_arg(2);
  expect_rejected(f.kernel, args, 3, &o, out, 8, "expected an array");
  args[1] = array_arg(vec(out, KILN_DTYPE_F32, 8));
  args[1].array.data = out + 1; /* overlaps the output */
  args[1].array.shape[0] = 7, args[0].array.shape[0] = 7, o.shape[0] = 7;
  expect_rejected(f.kernel, args, 3, &o, out, 8, "overlaps");
  /* An empty call is fine, even with NULL data. */
  args[0] = array_arg(vec(NULL, KILN_DTYPE_F32, 0));
  args[1] = array_arg(vec(NULL, KILN_DTYPE_F32, 0));
  o = vec(NULL, KILN_DTYPE_F32, 0);
  OK(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0));
  teardown(f);
}

static void bind(void) {
  fixture f = setup("axpy");
  kiln_tensor_kernel *dot = NULL;
  kiln_tensor_call *bound = NULL, *bound_dot = NULL;
  enum { N = 16 };
  float a[N], x[N], out[N], ref[N];
  double da[N], db[N];
  kiln_tensor_arg args[3];
  kiln_array o = vec(out, KILN_DTYPE_F32, N), r = vec(ref, KILN_DTYPE_F32, N);
  kiln_scalar s1 = {KILN_DTYPE_BOOL, 0, 0}, s2 = s1;
  int i, round;
  for (i = 0; i < N; ++i)
    a[i] = (float)i, x[i] = 1.0f / (float)(i + 1), da[i] = i, db[i] = 0.25 * i;
  args[0] = array_arg(vec(a, KILN_DTYPE_F32, N));
  args[1] = array_arg(vec(x, KILN_DTYPE_F32, N));
  args[2] = f32_arg(3.0f);
  OK(kiln_tensor_bind(f.kernel, args, 3, &o, 0, &bound));
  for (round = 0; round < 3; ++round) {
    a[round] += 100; /* the data may change, the views not */
    CHECK(kiln_tensor_call_run(bound, NULL) == 0);
    OK(kiln_tensor_run(f.kernel, args, 3, &r, NULL, 0));
    CHECK(memcmp(out, ref, sizeof out) == 0);
    CHECK(out[round] == 3.0f * a[round] + x[round]);
  }
  /* A reduction through a bound call. */
  OK(kiln_tensor_kernel_get(f.program, "dot", &dot));
  args[0] = array_arg(vec(da, KILN_DTYPE_F64, N));
  args[1] = array_arg(vec(db, KILN_DTYPE_F64, N));
  OK(kiln_tensor_bind(dot, args, 2, NULL, 1, &bound_dot));
  CHECK(kiln_tensor_call_run(bound_dot, &s1) == 0);
  OK(kiln_tensor_run(dot, args, 2, NULL, &s2, 0));
  CHECK(s1.dtype == KILN_DTYPE_F64 && s1.f == s2.f && s1.f == 310);
  CHECK(kiln_tensor_call_run(bound_dot, NULL) == 0); /* result dropped */
  CHECK(kiln_tensor_call_run(NULL, &s1) == KILN_ERROR_INVALID_ARGUMENT);
  kiln_error_free(FAILS(kiln_tensor_bind(dot, args, 2, NULL, 0, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_tensor_call_free(bound);
  kiln_tensor_call_free(bound_dot);
  kiln_tensor_call_free(NULL);
  kiln_tensor_kernel_free(dot);
  teardown(f);
}

/* A guarded bound call runs while its guards' memory holds the bytes it had
 * when guarded, and answers KILN_TENSOR_CALL_STALE without writing anything
 * once any byte differs (the Python binding's call cache relies on it). */
static void guard(void) {
  fixture f = setup("axpy");
  kiln_tensor_call *bound = NULL;
  enum { N = 8 };
  float a[N], x[N], out[N];
  struct { void *data; int64_t shape; } desc = {a, N}; /* a host's array object */
  kiln_tensor_arg args[3];
  kiln_array o = vec(out, KILN_DTYPE_F32, N);
  int i;
  for (i = 0; i < N; ++i)
    a[i] = (float)i, x[i] = 1, out[i] = -1;
  args[0] = array_arg(vec(a, KILN_DTYPE_F32, N));
  args[1] = array_arg(vec(x, KILN_DTYPE_F32, N));
  args[2] = f32_arg(2.0f);
  OK(kiln_tensor_bind(f.kernel, args, 3, &o, 0, &bound));
  OK(kiln_tensor_call_guard(bound, &desc.data, sizeof desc.data));
  OK(kiln_tensor_call_guard(bound, &desc.shape, sizeof desc.shape));
  CHECK(kiln_tensor_call_run(bound, NULL) == 0 && out[3] == 7);
  a[3] = 10; /* the data may change */
  CHECK(kiln_tensor_call_run(bound, NULL) == 0 && out[3] == 21);
  desc.shape = N - 1; /* the description may not */
  out[3] = -1;
  CHECK(kiln_tensor_call_run(bound, NULL) == KILN_TENSOR_CALL_STALE);
  CHECK(out[3] == -1);
  desc.shape = N; /* back as it was: runs again */
  CHECK(kiln_tensor_call_run(bound, NULL) == 0 && out[3] == 21);
  kiln_error_free(FAILS(kiln_tensor_call_guard(bound, &desc, 0),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_tensor_call_guard(bound, NULL, 4),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_tensor_call_guard(NULL, &desc, 4),
                        KILN_ERROR_INVALID_ARGUMENT));
  for (i = 2; i < 64; ++i) /* 64 guards at most */
    OK(kiln_tensor_call_guard(bound, &desc.shape, sizeof desc.shape));
  kiln_error_free(FAILS(kiln_tensor_call_guard(bound, &desc, 1),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(kiln_tensor_call_run(bound, NULL) == 0);
  kiln_tensor_call_free(bound);
  teardown(f);
}

/* Threads sharing a guarded call: each run either runs or is told BUSY. */
typedef struct shared_call {
  kiln_tensor_call *bound;
  pthread_mutex_t lock; /* over the counts */
  int ran, busy, other;
} shared_call;

static void *run_shared(void *p) {
  shared_call *s = p;
  int i, ran = 0, busy = 0, other = 0;
  for (i = 0; i < 2000; ++i) {
    int rc = kiln_tensor_call_run(s->bound, NULL);
    ran += rc == 0, busy += rc == KILN_TENSOR_CALL_BUSY;
    other += rc != 0 && rc != KILN_TENSOR_CALL_BUSY;
  }
  pthread_mutex_lock(&s->lock);
  s->ran += ran, s->busy += busy, s->other += other;
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

static void guard_threads(void) {
  fixture f = setup("axpy");
  enum { N = 4096 };
  static float a[N], x[N], out[N];
  shared_call s;
  kiln_tensor_arg args[3];
  kiln_array o = vec(out, KILN_DTYPE_F32, N);
  pthread_t t[4];
  int i;
  memset(&s, 0, sizeof s);
  CHECK(pthread_mutex_init(&s.lock, NULL) == 0);
  for (i = 0; i < N; ++i)
    a[i] = (float)i, x[i] = 1;
  args[0] = array_arg(vec(a, KILN_DTYPE_F32, N));
  args[1] = array_arg(vec(x, KILN_DTYPE_F32, N));
  args[2] = f32_arg(2.0f);
  OK(kiln_tensor_bind(f.kernel, args, 3, &o, 1, &s.bound));
  OK(kiln_tensor_call_guard(s.bound, a, sizeof a[0]));
  for (i = 0; i < 4; ++i)
    CHECK(pthread_create(&t[i], NULL, run_shared, &s) == 0);
  for (i = 0; i < 4; ++i)
    CHECK(pthread_join(t[i], NULL) == 0);
  CHECK(s.ran + s.busy == 8000 && s.ran > 0 && s.other == 0);
  for (i = 0; i < N; ++i)
    CHECK(out[i] == 2.0f * a[i] + 1);
  kiln_tensor_call_free(s.bound);
  pthread_mutex_destroy(&s.lock);
  teardown(f);
}

/* Children keep their parents alive, in any order of freeing. */
static void lifetimes(void) {
  fixture f = setup("axpy");
  float a[4] = {1, 2, 3, 4}, out[4] = {0};
  kiln_tensor_arg args[3];
  kiln_array o = vec(out, KILN_DTYPE_F32, 4);
  kiln_tensor_call *bound = NULL;
  args[0] = array_arg(vec(a, KILN_DTYPE_F32, 4));
  args[1] = array_arg(vec(a, KILN_DTYPE_F32, 4));
  args[2] = f32_arg(2);
  kiln_tensor_program_free(f.program); /* the kernel still works */
  OK(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0));
  CHECK(out[3] == 12);
  OK(kiln_tensor_bind(f.kernel, args, 3, &o, 0, &bound));
  kiln_engine_free(f.engine); /* kernel and bound call keep it */
  args[2] = f32_arg(-1);
  OK(kiln_tensor_run(f.kernel, args, 3, &o, NULL, 0));
  CHECK(out[3] == 0);
  kiln_tensor_kernel_free(f.kernel); /* the bound call keeps the kernel */
  CHECK(kiln_tensor_call_run(bound, NULL) == 0);
  CHECK(out[3] == 12);
  kiln_tensor_call_free(bound);
}

static void misuse(void) {
  kiln_engine *engine = new_engine();
  kiln_tensor_program *program = NULL;
  kiln_tensor_kernel *k = NULL;
  kiln_tensor_call *bound = NULL;
  kiln_dtype dtype = KILN_DTYPE_BOOL;
  int is_array = 7;
  int32_t rank = -1;
  int64_t shape[KILN_TENSOR_MAX_RANK];
  kiln_error_free(FAILS(kiln_tensor_compile(NULL, "f", "", 0, &program),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_tensor_compile(engine, "f", NULL, 5, &program),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_tensor_compile(engine, "f", "", 0, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(program == NULL);
  kiln_error_free(FAILS(kiln_tensor_kernel_get(NULL, "f", &k),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_tensor_kernel_at(NULL, 0, &k), KILN_ERROR_INVALID_ARGUMENT));
  CHECK(kiln_tensor_kernel_count(NULL) == 0);
  CHECK(strcmp(kiln_tensor_kernel_name(NULL), "") == 0);
  CHECK(kiln_tensor_kernel_param_count(NULL) == 0);
  kiln_error_free(FAILS(kiln_tensor_kernel_param(NULL, 0, NULL, NULL, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_tensor_kernel_result(NULL, &dtype, &is_array);
  CHECK(dtype == KILN_DTYPE_BOOL && is_array == 7);
  kiln_error_free(FAILS(kiln_tensor_result_shape(NULL, NULL, 0, &rank, shape),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_tensor_run(NULL, NULL, 0, NULL, NULL, 0),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_tensor_bind(NULL, NULL, 0, NULL, 0, &bound),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(k == NULL && bound == NULL && rank == -1);
  kiln_tensor_program_free(NULL);
  kiln_tensor_kernel_free(NULL);
  /* Code for another machine cannot run here. */
  {
    kiln_engine *foreign = foreign_engine();
    expect_message(FAILS(kiln_tensor_compile(foreign, "f", Source,
                                             strlen(Source), &program),
                         KILN_ERROR_TARGET),
                   "is not this machine");
    kiln_engine_free(foreign);
  }
  /* An empty source has no kernel: a located parse error. */
  expect_message(FAILS(kiln_tensor_compile(engine, NULL, "", 0, &program),
                       KILN_ERROR_PARSE),
                 "no kernel in the source");
  CHECK(program == NULL);
  kiln_engine_free(engine);
}

/* One of 8 threads sharing an engine: compiles (the engine's kernel cache
 * makes most of them hits), runs, binds and reruns its own arrays. */
static void *compile_and_run(void *arg) {
  kiln_engine *engine = (kiln_engine *)arg;
  kiln_tensor_program *program = NULL;
  kiln_tensor_kernel *k = NULL;
  kiln_tensor_call *bound = NULL;
  float a[64], out[64];
  kiln_tensor_arg args[3];
  kiln_array o = vec(out, KILN_DTYPE_F32, 64);
  int i, round;
  for (i = 0; i < 64; ++i)
    a[i] = (float)i;
  OK(kiln_tensor_compile(engine, "test.tk", Source, strlen(Source), &program));
  OK(kiln_tensor_kernel_get(program, "axpy", &k));
  kiln_tensor_program_free(program);
  args[0] = array_arg(vec(a, KILN_DTYPE_F32, 64));
  args[1] = array_arg(vec(a, KILN_DTYPE_F32, 64));
  args[2] = f32_arg(2);
  OK(kiln_tensor_run(k, args, 3, &o, NULL, 0));
  CHECK(out[63] == 3 * 63);
  OK(kiln_tensor_bind(k, args, 3, &o, 0, &bound));
  for (round = 0; round < 100; ++round) {
    a[0] = (float)round;
    CHECK(kiln_tensor_call_run(bound, NULL) == 0 && out[0] == 3 * a[0]);
  }
  kiln_tensor_call_free(bound);
  kiln_tensor_kernel_free(k);
  return NULL;
}

static void threads(void) {
  kiln_engine *engine = new_engine();
  pthread_t t[8];
  int i;
  for (i = 0; i < 8; ++i)
    CHECK(pthread_create(&t[i], NULL, compile_and_run, engine) == 0);
  for (i = 0; i < 8; ++i)
    CHECK(pthread_join(t[i], NULL) == 0);
  kiln_engine_free(engine);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"compile", compile},     {"elementwise", elementwise},
      {"reduction", reduction}, {"broadcast", broadcast},
      {"strided", strided},     {"bad_calls", bad_calls},
      {"bind", bind},           {"guard", guard},
      {"guard_threads", guard_threads},
      {"lifetimes", lifetimes},
      {"misuse", misuse},       {"threads", threads}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
