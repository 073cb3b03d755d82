# tensor_graph_long_test.sh: a long tensor graph builds in time
# (docs/tensor-graphs.md, "Long graphs") — 3000 statements, each a kernel of
# its own, and their gradient, as an AOT library, under the harness's 60 s
# timeout; and a graph of 100,000 statements. The library once took 5 minutes (a generated C entry per step,
# then cc -O2 on megabytes of it; and one compiled loop per statement): its
# steps now share the kernels whose texts differ only in names, and run from
# their tables. A C program checks the values against plain C, on contiguous
# inputs (the steps' fast path) and on strided ones (the general call).
set -uo pipefail
source "$(dirname "$0")/harness.sh"

n=3000
{
  echo "graph chain(x: f64[], a: f64[], b: f64[]) {"
  echo "  v0 = x;"
  # Each value is read twice (so kept: a kernel per statement); odd and even
  # statements are one text with the parameters in the other order.
  for ((i = 1; i <= n; i++)); do
    if ((i % 2)); then ab="* a + b"; else ab="* b + a"; fi
    echo "  v$i = (v$((i - 1)) $ab) * 0.5 + v$((i - 1)) * 0.25;"
  done
  echo "  loss = sum(v$n);"
  echo "  dx = grad(loss, [x]);"
  echo "  return v$n, dx"
  echo "}"
} > chain.tk
check build 0 - "$kiln" tensor build chain.tk -o libchain.so
# Two forward texts and a few backward ones: the library has a handful of
# loops, not one per statement (over 6000 before).
loops=$(nm libchain.so | grep -c '_flat$')
(( loops > 0 && loops <= 16 )) && ok || bad "build: $loops flat loops in libchain.so"

cat > run.c <<C
#include "chain.h"
#include <math.h>
#include <stdio.h>
#define N 5
static kiln_tensor_array view(double *p, int64_t step) {
  kiln_tensor_array v = {p, KILN_TENSOR_F64, 1, {N}, {step}};
  return v;
}
static int close(double got, double want) {
  return fabs(got - want) <= 1e-9 * (1 + fabs(want));
}
int main(void) {
  double in[2][3][2 * N], y[2][N], dx[2][N];
  int i, k, bad = 0;
  chain_graph *g = chain_create();
  for (i = 0; i < N; ++i)
    for (k = 0; k < 2; ++k) { /* contiguous, then every other element */
      in[k][0][(k + 1) * i] = 0.5 - 0.25 * i;
      in[k][1][(k + 1) * i] = 1.5 + 1e-5 * i;
      in[k][2][(k + 1) * i] = 1.5 - 2e-5 * i;
    }
  for (k = 0; k < 2; ++k) {
    int64_t s = k + 1;
    kiln_tensor_array x = view(in[k][0], s), a = view(in[k][1], s),
                      b = view(in[k][2], s);
    kiln_tensor_array oy = view(y[k], 1), od = view(dx[k], 1);
    if (!g || chain_run(g, &x, &a, &b, &oy, &od) != 0) {
      printf("run %d: %s\n", k, chain_last_error());
      return 1;
    }
  }
  for (i = 0; i < N; ++i) {
    double v = 0.5 - 0.25 * i, d = 1, a = 1.5 + 1e-5 * i, b = 1.5 - 2e-5 * i;
    for (k = 1; k <= $n; ++k) {
      double m = k % 2 ? a : b, c = k % 2 ? b : a;
      v = (v * m + c) * 0.5 + v * 0.25;
      d *= m * 0.5 + 0.25;
    }
    for (k = 0; k < 2; ++k)
      if (!close(y[k][i], v) || !close(dx[k][i], d)) {
        printf("element %d (%s): %.17g %.17g, want %.17g %.17g\n", i,
               k ? "strided" : "contiguous", y[k][i], dx[k][i], v, d);
        bad = 1;
      }
  }
  chain_free(g);
  puts(bad ? "wrong" : "ok");
  return bad;
}
C
check cc 0 - cc -std=c99 -Wall -Wextra -Werror -I. run.c -L. -lchain -lm \
  -Wl,-rpath,"$work" -o run
check run 0 - ./run
[[ $(cat out.txt) == ok ]] && ok || bad "run: $(cat out.txt)"

# 100,000 statements, all one node: parsing looked each statement's names
# up in a scan of every value defined before it (quadratic: about 80 s
# here); now by a hash, and the build takes about a second.
awk 'BEGIN { print "graph many(x: f64[]) {";
             for (i = 1; i <= 100000; i++) print "  v" i " = x * 2;";
             print "  return v100000"; print "}" }' > many.tk
check many 0 - "$kiln" tensor build many.tk -o libmany.so

finish tensor_graph_long
