#!/usr/bin/env bash
# tensor_matmul_test.sh: `a @ b` through the CLI — misused products get a
# located diagnostic with a caret (type errors) or one InvalidArgument
# sentence at call time (inner dimensions, rank 1, batch dimensions), the
# docs' example file (examples/tensor/matmul.tk) runs with the same checksum
# on 1 and 2 threads, `kiln tensor build` makes a library of it
# that the docs' C example (examples/tensor/matmul_aot.c) runs, and a
# plan step with more than 64 arguments is refused without leaving files.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# expect NAME BODY COLUMN MESSAGE: kernel f(x: f32[], y: f64[], i: i32[], s: f32) -> f32[] = BODY
expect() {
  local name=$1 body=$2 col=$3 msg=$4
  printf 'kernel f(x: f32[], y: f64[], i: i32[], s: f32) -> f32[] = %s\n' "$body" > "$name.tk"
  check "$name" 1 "$name.tk:1:$col: error: $msg" "$kiln" tensor run "$name.tk"
  local caret
  caret=$(sed -n 3p err.txt)
  [[ $caret == "$(printf '%*s' $((col - 1)) '')^"* ]] && ok || bad "$name: caret not under column $col: '$caret'"
}
expect literal 'x @ 2.0' 61 "'@' takes array operands, got a number; scale with '*' instead"
expect scalar 's @ x' 61 "'@' takes array operands, got a scalar; scale with '*' instead"
expect integers 'f32(i @ i)' 65 "'@' takes f32 or f64 arrays, got i32; cast it, e.g. f64(x)"
expect mixed 'x @ y' 61 "cannot mix f32 and f64 in '@'; cast one side, e.g. f64(x)"
printf 'kernel f(x: f32[]) -> f32[] = x @\n' > dangling.tk
check dangling 1 "dangling.tk:2:1: error: expected an expression, found end of file" \
  "$kiln" tensor run dangling.tk

# Call time: the operands' shapes decide (InvalidArgument, exit 1).
printf 'kernel mm(a: f64[], b: f64[]) -> f64[] = a @ b\n' > k.tk
check inner 1 "'@': inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)" \
  "$kiln" tensor run k.tk --shape a=2x3 --shape b=4x5
check vector 0 - "$kiln" tensor run k.tk --shape a=7 --shape b=7x2 --reps 1
grep -q '^kernel mm n 2: checksum' out.txt && ok || bad "vector @ matrix: $(cat out.txt)"
check batch 1 "'@': batch dimensions of [2, 3, 4] and [3, 4, 5] do not broadcast" \
  "$kiln" tensor run k.tk --shape a=2x3x4 --shape b=3x4x5

# The example file: every kernel runs; the checksum does not depend on the
# thread count (each output element is summed by one thread, in one order).
ex=$src/examples/tensor/matmul.tk
run() { "$kiln" tensor run "$ex" --reps 1 "$@" | head -1; }
for threads in 1 2; do
  run --kernel layer --shape x=100x70 --shape w=70x33 --shape b=33 --threads $threads >>layer.txt
done
[[ $(sed -n 1p layer.txt) == "$(sed -n 2p layer.txt)" && -s layer.txt ]] && ok || bad "layer: $(cat layer.txt)"
grep -q '^kernel layer n 3300: checksum [0-9.]*$' layer.txt && ok || bad "layer line: $(cat layer.txt)"
check mlp 0 - "$kiln" tensor run "$ex" --kernel mlp --reps 1 \
  --shape x=9x8 --shape w1=8x7 --shape b1=7 --shape w2=7x5
check batched 0 - "$kiln" tensor run "$ex" --kernel batched --reps 1 --shape a=3x1x4x5 --shape b=2x5x6
grep -q '^kernel batched n 144: checksum' out.txt && ok || bad "batched: $(cat out.txt)"
check frobenius 0 - "$kiln" tensor run "$ex" --kernel frobenius --reps 1 --shape a=6x5 --shape b=5x4

# AOT: `kiln tensor build` holds the plan, the tile functions for the
# target CPU and a C driver; the docs' C example runs against the library
# of the docs' example file (test/python/test_tensor_matmul_aot.py checks
# such libraries against NumPy and the JIT).
check build 0 - "$kiln" tensor build "$ex" -o libmatmul.so
grep -q "^int layer(const kiln_tensor_array \*x, const kiln_tensor_array \*w, const kiln_tensor_array \*b, kiln_tensor_array \*out);" matmul.h \
  && ok || bad "build: no prototype for layer in $(cat matmul.h)"
check example-cc 0 - cc -std=c11 -Wall -Werror -I. "$src/examples/tensor/matmul_aot.c" -L. -lmatmul \
  -Wl,-rpath,"$work" -o matmul_aot
check example-run 0 - ./matmul_aot
expected="layer row 0: 0 2
layer row 1: 0 6.5
error: '@': inner dimensions differ: [2, 3] @ [2, 3] (3 != 2)"
[[ $(cat out.txt) == "$expected" ]] && ok || bad "example: got $(cat out.txt)"
check cpu 0 - "$kiln" tensor build "$ex" -o generic.so --cpu x86-64
check emit 0 - "$kiln" tensor run "$ex" --kernel layer --emit ll
grep -q "kiln_tk_layer__tilef" out.txt && ok || bad "emit: no tile function in the IR"
check explain 0 - "$kiln" explain "$ex" -o page.html
grep -q "kiln_tk_layer__tilef" page.html && ok || bad "explain: no tile function on the page"

# Products beside and of axis reductions build (those pieces are staged);
# a plan step with more than 64 arguments is refused, leaving no files.
printf 'kernel sm(x: f32[], w: f32[]) -> f32[] = (x @ w) - max(x @ w, axis=-1, keepdims)\n' > ok.tk
printf 'kernel cm(x: f32[], w: f32[]) -> f32[] = (x - max(x, axis=0, keepdims)) @ w\n' >> ok.tk
check build-axis 0 - "$kiln" tensor build ok.tk -o ok.so
params=$(for i in $(seq 0 58); do printf 'a%d: f32[], ' "$i"; done)
terms=$(for i in $(seq 0 58); do printf ' + a%d' "$i"; done)
printf 'kernel sm(%sz: f32[]) -> f32[] = (a0 @ a1) + (a2 @ a3) + (a4 @ a5) + (a6 @ a7) + (a8 @ a9) + (a10 @ a11)%s\n' \
  "$params" "$terms" > sm.tk
check build-wide 1 "kernel 'sm' has a matrix product step with more than 64 arguments: such kernels run only in the JIT for now" \
  "$kiln" tensor build sm.tk -o sm.so
[[ ! -e sm.so && ! -e sm.h ]] && ok || bad "build left files: $(ls)"

finish error.tensor_matmul
