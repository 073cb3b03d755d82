/* tensor_kernel.c: driving tensor kernels on C arrays through libkiln.so.
 *
 * Compiles two kernels, runs one on caller-owned arrays (a strided view and
 * a broadcast scalar included), binds a call once and reruns it in a loop
 * with no checks, reduces the result to a number, and shows that a wrong
 * call is an error that writes nothing. Run by the tests
 * (example.embed.tensor_kernel); docs/c-api.md walks through it.
 */
#include "kiln/kiln.h"

#include <stdio.h>
#include <string.h>

static const char Kernels[] =
    "kernel step(x: f32[], v: f32[], dt: f32) -> f32[] = x + dt * v\n"
    "kernel energy(v: f32[]) -> f64 = sum(f64(v) * f64(v)) / 2\n";

enum { N = 8 };

static int fail(kiln_error *error) {
  fprintf(stderr, "%s", kiln_error_rendered(error));
  kiln_error_free(error);
  return 1;
}

/* A rank-1 view of n floats, `stride` elements apart. */
static kiln_tensor_arg floats(float *data, int64_t n, int64_t stride) {
  kiln_tensor_arg arg;
  memset(&arg, 0, sizeof arg);
  arg.is_array = 1;
  arg.array.data = data;
  arg.array.dtype = KILN_DTYPE_F32;
  arg.array.rank = 1;
  arg.array.shape[0] = n;
  arg.array.strides[0] = stride;
  return arg;
}

int main(void) {
  kiln_engine *engine = NULL;
  kiln_tensor_program *program = NULL;
  kiln_tensor_kernel *step = NULL, *energy = NULL;
  kiln_tensor_call *bound = NULL;
  float x[N], v[2 * N], wrong[N - 1];
  kiln_tensor_arg args[3], bad;
  kiln_scalar e;
  kiln_error *error;
  int i, t;
  for (i = 0; i < N; ++i)
    x[i] = 0, v[2 * i] = (float)i, v[2 * i + 1] = -1; /* use every other v */
  if ((error = kiln_engine_new(NULL, &engine)) ||
      (error = kiln_tensor_compile(engine, "example.tk", Kernels,
                                   strlen(Kernels), &program)) ||
      (error = kiln_tensor_kernel_get(program, "step", &step)) ||
      (error = kiln_tensor_kernel_get(program, "energy", &energy)))
    return fail(error);
  args[0] = floats(x, N, 1);
  args[1] = floats(v, N, 2); /* a strided view: v[0], v[2], ... */
  memset(&args[2], 0, sizeof args[2]);
  args[2].scalar.dtype = KILN_DTYPE_F32;
  args[2].scalar.f = 0.5;
  /* x = x + dt * v, in place (an output may be an identical input view). */
  if ((error = kiln_tensor_run(step, args, 3, &args[0].array, NULL, 0)))
    return fail(error);
  printf("after one step: x[%d] = %g\n", N - 1, x[N - 1]);
  /* Checked once, then run 99 more times with no checks. */
  if ((error = kiln_tensor_bind(step, args, 3, &args[0].array, 0, &bound)))
    return fail(error);
  for (t = 0; t < 99; ++t)
    kiln_tensor_call_run(bound, NULL);
  printf("after 100 steps: x = [%g %g ... %g]\n", x[0], x[1], x[N - 1]);
  if ((error = kiln_tensor_run(energy, args + 1, 1, NULL, &e, 0)))
    return fail(error);
  printf("energy of v = %g\n", e.f);
  /* A wrong output shape is refused before anything is written. */
  bad = floats(wrong, N - 1, 1);
  error = kiln_tensor_run(step, args, 3, &bad.array, NULL, 0);
  printf("refused: %s\n", kiln_error_message(error));
  kiln_error_free(error);
  kiln_tensor_call_free(bound);
  kiln_tensor_kernel_free(step);
  kiln_tensor_kernel_free(energy);
  kiln_tensor_program_free(program);
  kiln_engine_free(engine);
  return 0;
}
