# tensor_graph_aot_test.sh: graphs in AOT libraries (docs/tensor-graphs.md,
# "AOT libraries") — `kiln tensor build` of a graph file, its C99 header, a
# C program against it (test/tensor/graph/graph_aot_c_test.c: results, a new
# plan per batch size, strided inputs, every call error), the docs' C
# trainer (examples/tensor/mlp/train_aot.c) against NumPy and the JIT step
# by step, and the build's own errors. python.tensor_graph_aot compares
# more graphs with the JIT.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

cat > affine.tk <<'TK'
// affine.tk: a layer, its squared error and two gradients.
graph affine(x: f64[], w: f64[], b: f64[]) {
  y = x @ w + b;
  loss = sum(y * y) / 2;
  dw, db = grad(loss, [w, b]);
  return loss, y, dw, db
}
TK
check build 0 - "$kiln" tensor build affine.tk -o libaffine.so
grep -q '^int affine_run(affine_graph \*kt_g, const kiln_tensor_array \*x, const kiln_tensor_array \*w, const kiln_tensor_array \*b, double \*out_loss, kiln_tensor_array \*out_y, kiln_tensor_array \*out_dw, kiln_tensor_array \*out_db);' affine.h \
  && ok || bad "build: affine.h lacks affine_run's prototype"
# Only the graph's functions and the last error are exported (the steps'
# kernels are private to the library).
[[ $(nm -D --defined-only libaffine.so | awk '{print $3}' | sort | tr '\n' ' ') == "affine_create affine_free affine_last_error affine_run affine_shapes " ]] \
  && ok || bad "build: exports $(nm -D --defined-only libaffine.so | awk '{print $3}' | tr '\n' ' ')"
check c99 0 - cc -std=c99 -pedantic -Wall -Wextra -Werror -I. "$src/test/tensor/graph/graph_aot_c_test.c" \
  -L. -laffine -lm -pthread -Wl,-rpath,"$work" -o graph_aot_c_test
check c-run 0 - ./graph_aot_c_test
expected="ok create
ok 3 rows
ok 10 rows (a new plan)
ok 3 rows again
ok a transposed x
ok shapes: y is [5, 4]
null context: 1 the graph context is a null pointer
null input: 1 argument 'x': expected an array (f64[]), got a null pointer
shapes: 1 '@': inner dimensions differ: [3, 2] @ [3, 2] (2 != 3) (line 3, column 9)
result shape: 1 argument 'out_y': shape [2, 4] does not match the result's shape [3, 4]
empty batch: 0 loss 0 ''
ok two threads, a context each"
[[ $(cat out.txt) == "$expected" ]] && ok || bad "c-run: got $(cat out.txt)"

# The docs' example: the MLP trained from C through the library of mlp.tk.
cp "$src/examples/tensor/mlp/mlp.tk" mlp.tk
check mlp-build 0 - "$kiln" tensor build mlp.tk -o libmlp.so
check mlp-cc 0 - cc -std=c99 -pedantic -Wall -Wextra -Werror -I. "$src/examples/tensor/mlp/train_aot.c" \
  -L. -lmlp -Wl,-rpath,"$work" -o train_aot
check mlp-train 0 - /usr/bin/python3 "$src/examples/tensor/mlp/train.py" \
  --driver "$(dirname "$kiln")/mlp_train" --aot ./train_aot curve
grep -q "^trained 200 steps through the AOT library" out.txt && grep -q "largest relative gap to the JIT" out.txt \
  && ok || bad "mlp-train: got $(cat out.txt)"

# docs/tensor-graphs.md shows the trainer's loop verbatim.
/usr/bin/python3 - "$src" <<'PY' && ok || bad "docs: train_aot.c's train() is not in docs/tensor-graphs.md"
import sys
c = open(sys.argv[1] + "/examples/tensor/mlp/train_aot.c").read()
d = open(sys.argv[1] + "/docs/tensor-graphs.md").read()
sys.exit(0 if c[c.index("/* STEPS steps"):c.index("int main(")].rstrip() in d else 1)
PY

check time 0 "link" "$kiln" tensor build affine.tk -o timed.so --time

# --emit: the steps' kernels as IR; the build's errors write nothing.
check emit 0 - "$kiln" tensor build affine.tk --emit ll -o affine.ll
grep -q "kiln_tk_kt_g_affine_v" affine.ll && ok || bad "emit: no step kernel in the IR"
printf 'kernel affine_run(a: f64[]) -> f64[] = a\n' | cat - affine.tk > clash.tk
check clash 1 "the library would define 'affine_run' twice (a kernel's name and a graph's function" \
  "$kiln" tensor build clash.tk -o clash.so
printf 'kernel kt_g_affine_v4(a: f64[]) -> f64[] = a\n' | cat - affine.tk > step.tk
check clash-step 1 "the library would define 'kt_g_affine_v4' twice" "$kiln" tensor build step.tk -o clash.so
printf 'graph m(a: f64[], b: f64[]) {\n  l = sum(a %% b);\n  db = grad(l, [b]);\n  return db\n}\n' > mod.tk
check grad-error 1 "mod.tk:3:3: error: cannot differentiate '%' by its right operand" \
  "$kiln" tensor build mod.tk -o mod.so
[[ ! -e clash.so && ! -e clash.h && ! -e mod.so && ! -e mod.h ]] && ok || bad "errors: wrote a library or header"

finish error.tensor_graph_aot
