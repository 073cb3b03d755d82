/* examples/tensor/mlp/train_aot.c: the MLP of mlp.tk trained with plain SGD
 * from C, through the AOT library `kiln tensor build` makes of mlp.tk — no
 * Kiln, no LLVM and no C++ at run time (docs/tensor-graphs.md, "AOT
 * libraries").
 *
 *     kiln tensor build mlp.tk -o libmlp.so            # also writes mlp.h
 *     cc -std=c99 -I. train_aot.c -L. -lmlp -Wl,-rpath,. -o train_aot
 *     ./train_aot DIR STEPS LR     # DIR as train.py writes it
 *
 * Reads DIR/shapes.txt and DIR/{x,t,w1,b1,w2,b2}.f32, runs STEPS steps of
 * graph `step` with the updated weights written back into the inputs (an
 * in-place update: the library allows outputs that are inputs' memory),
 * and writes one loss per line to DIR/aot_loss.txt. train.py --aot compares
 * the curve with NumPy's and the JIT's. */
#include "mlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A contiguous f32 array of `rank` dims read from DIR/NAME.f32. */
static int load(const char *dir, const char *name, int rank,
                const int64_t *dims, kiln_tensor_array *a) {
  char path[4096];
  int64_t n = 1;
  int d;
  FILE *f;
  memset(a, 0, sizeof *a);
  a->dtype = KILN_TENSOR_F32;
  a->rank = rank;
  for (d = rank; d-- > 0;) {
    a->shape[d] = dims[d];
    a->strides[d] = n;
    n *= dims[d];
  }
  snprintf(path, sizeof path, "%s/%s.f32", dir, name);
  a->data = malloc((size_t)n * sizeof(float) + 1);
  f = fopen(path, "rb");
  if (!a->data || !f ||
      fread(a->data, sizeof(float), (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "train_aot: cannot read %s\n", path);
    if (f)
      fclose(f);
    return 0;
  }
  fclose(f);
  return 1;
}

/* x, t, w1, b1, w2, b2 with the sizes of DIR/shapes.txt (N I H O). */
static int loadAll(const char *dir, kiln_tensor_array a[6]) {
  static const char *names[] = {"x", "t", "w1", "b1", "w2", "b2"};
  long long n, i, h, o;
  char path[4096];
  FILE *f;
  snprintf(path, sizeof path, "%s/shapes.txt", dir);
  f = fopen(path, "r");
  if (!f || fscanf(f, "%lld %lld %lld %lld", &n, &i, &h, &o) != 4) {
    fprintf(stderr, "train_aot: cannot read %s\n", path);
    if (f)
      fclose(f);
    return 0;
  }
  fclose(f);
  {
    int64_t dims[6][2] = {{n, i}, {n, o}, {i, h}, {h, 0}, {h, o}, {o, 0}};
    int ranks[6] = {2, 2, 2, 1, 2, 1}, k;
    for (k = 0; k < 6; ++k)
      if (!load(dir, names[k], ranks[k], dims[k], &a[k]))
        return 0;
  }
  return 1;
}

/* STEPS steps of SGD; the losses into `out`. */
static int train(step_graph *g, kiln_tensor_array a[6], int steps, float lr,
                 FILE *out) {
  float loss = 0;
  int s;
  for (s = 0; s < steps; ++s) {
    /* Results w1n..b2n go straight back into w1..b2. */
    if (step_run(g, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], lr, &loss, &a[2],
                 &a[3], &a[4], &a[5]) != KILN_TENSOR_OK) {
      fprintf(stderr, "train_aot: step %d: %s\n", s, mlp_last_error());
      return 0;
    }
    fprintf(out, "%.9g\n", (double)loss);
  }
  printf("trained %d steps through the AOT library, final loss %.6g\n", steps,
         (double)loss);
  return 1;
}

int main(int argc, char **argv) {
  kiln_tensor_array a[6];
  char path[4096];
  step_graph *g;
  FILE *out;
  int ok, k;
  if (argc != 4) {
    fprintf(stderr, "usage: train_aot DIR STEPS LR\n");
    return 2;
  }
  if (!loadAll(argv[1], a))
    return 1;
  snprintf(path, sizeof path, "%s/aot_loss.txt", argv[1]);
  out = fopen(path, "w");
  g = step_create(); /* owns the plan and the temporaries; step_free */
  if (!out || !g) {
    fprintf(stderr, "train_aot: cannot write %s or create the graph\n", path);
    return 1;
  }
  ok = train(g, a, atoi(argv[2]), (float)atof(argv[3]), out);
  step_free(g);
  fclose(out);
  for (k = 0; k < 6; ++k)
    free(a[k].data);
  return ok ? 0 : 1;
}
