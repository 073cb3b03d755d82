#!/usr/bin/env bash
# tensor_axis_test.sh: misused axis reductions (`sum(x, axis=1, keepdims)`)
# get a located diagnostic with a caret (parse and type errors) or one
# InvalidArgument sentence at call time (an axis beyond the argument's rank,
# min/max of an empty axis); AOT libraries and --emit take them.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# expect NAME BODY COLUMN MESSAGE: kernel f(x: f32[], s: f32) -> f32[] = BODY
# is a compile error at line 1, COLUMN, with a caret under that column.
expect() {
  local name=$1 body=$2 col=$3 msg=$4
  printf 'kernel f(x: f32[], s: f32) -> f32[] = %s\n' "$body" > "$name.tk"
  check "$name" 1 "$name.tk:1:$col: error: $msg" "$kiln" tensor run "$name.tk"
  local caret
  caret=$(sed -n 3p err.txt)
  [[ $caret == "$(printf '%*s' $((col - 1)) '')^"* ]] && ok || bad "$name: caret not under column $col: '$caret'"
}
expect axis-too-big 'sum(x, axis=4)' 51 "axis 4 is out of range: arrays have at most 4 dimensions (axis -4 to 3)"
expect axis-too-small 'sum(x, axis=-5)' 52 "axis -5 is out of range"
expect axis-not-int 'sum(x, axis=s)' 51 "'axis=' takes an integer from -4 to 3, found 's'"
expect axis-on-scalar 'x + max(s, axis=0)' 43 "'max' along an axis needs an array argument, got a scalar"
expect axis-on-builtin 'exp(x, axis=0)' 39 "'exp' takes no 'axis=' or 'keepdims'; only the reductions sum prod min max mean argmax argmin and logsumexp do"
expect keepdims-alone 'sum(x, keepdims)' 39 "'keepdims' needs an axis, e.g. sum(x, axis=-1, keepdims)"
expect keepdims-value 'sum(x, axis=0, keepdims=1)' 54 "write 'keepdims' alone (it takes no value)"
expect keepdims-twice 'sum(x, axis=0, keepdims, keepdims)' 64 "'keepdims' is given twice"
expect axis-twice 'sum(x, axis=0, axis=1)' 54 "'axis' is given twice"
expect positional-late 'sum(axis=0, x)' 51 "positional arguments come before 'axis=' and 'keepdims'"
expect whole-inside-axis 'sum(x - mean(x), axis=0)' 47 "reductions cannot be nested; 'mean' is inside another reduction"
expect lse-no-axis 'logsumexp(x)' 39 "'logsumexp' needs an axis, e.g. logsumexp(x, axis=-1)"
expect lse-two-args 'logsumexp(x, x, axis=0)' 39 "'logsumexp' takes 1 argument, got 2"
expect argmax-no-axis 'f32(argmax(x))' 43 "'argmax' needs an axis, e.g. argmax(x, axis=-1)"
expect whole-in-array 'x - max(x)' 43 "a reduction cannot be mixed with elementwise array values"
expect axes-argmax 'f32(argmax(x, axis=(0, 1)))' 43 "'argmax' takes one axis, not a tuple"
expect axes-lse 'logsumexp(x, axis=(0, 1))' 39 "'logsumexp' takes one axis, not a tuple"
expect axes-twice 'sum(x, axis=(1, 0, 1))' 58 "'axis' names 1 twice"
expect axes-empty 'sum(x, axis=())' 52 "'axis=' takes an integer from -4 to 3, found ')'"
expect axes-open 'sum(x, axis=(0, 1 2))' 57 "expected ')' to close the tuple of axes, found '2'"
expect axes-five 'sum(x, axis=(0, 1, 2, 3, -1))' 64 "'axis' names more than 4 axes"

# Call time: the argument's rank and shape decide (InvalidArgument, exit 1).
printf 'kernel rows(x: f64[]) -> f64[] = sum(x, axis=1)\nkernel top(x: f64[]) -> f64[] = max(x, axis=0, keepdims)\n' > k.tk
check rank-too-small 1 "'sum': axis 1 is out of range for an argument of shape [10] (rank 1)" \
  "$kiln" tensor run k.tk --kernel rows --n 10
check empty-max 1 "'max': axis 0 of the argument's shape [0, 3] is empty, and max has no identity" \
  "$kiln" tensor run k.tk --kernel top --shape x=0x3
printf 'kernel both(x: f64[]) -> f64[] = sum(x, axis=(0, -2))\n' > two.tk
check axes-same-dim 1 "'sum': axis=(0, -2) names dimension 0 twice for an argument of shape [3, 4]" \
  "$kiln" tensor run two.tk --shape x=3x4
check rows-ok 0 - "$kiln" tensor run k.tk --kernel rows --shape x=4x5 --reps 1
grep -q "kernel rows n 4: checksum" out.txt && ok || bad "rows-ok: output is not [4]"

# AOT and --emit: the passes' loops (test/tensor/ref/AotAxisTest.cpp runs
# such libraries against the JIT).
check aot 0 - "$kiln" tensor build k.tk -o k.so
[[ -s k.so && -s k.h ]] && grep -q "^int rows(const kiln_tensor_array \*x, kiln_tensor_array \*out);" k.h \
  && ok || bad "aot: no library or prototype"
check emit 0 - "$kiln" tensor run k.tk --kernel rows --emit=ll
grep -q "kiln_tk_rows__axis0_flat" out.txt && ok || bad "emit: no pass loop in the IR"
check explain 0 - "$kiln" explain "$src/examples/tensor/softmax.tk" -o page.html
grep -q "kiln_tk_softmax__axis0_flat" page.html && ok || bad "explain: no pass loop on the page"

# The docs' C example against the AOT library of the docs' example file.
check example-build 0 - "$kiln" tensor build "$src/examples/tensor/softmax.tk" -o libsoftmax.so
check example-cc 0 - cc -std=c11 -Wall -Werror -I. "$src/examples/tensor/softmax_aot.c" -L. -lsoftmax \
  -Wl,-rpath,"$work" -o softmax_aot
check example-run 0 - ./softmax_aot
expected='softmax row 0 sums to 1.0000
softmax row 1 sums to 1.0000
softmax row 2 sums to 1.0000
layernorm row 0: mean 0, variance 1.0000
row maxima of the transpose: 4 9 6
error: '"'max': axis -1 of the argument's shape [3, 0] is empty, and max has no identity"
[[ $(cat out.txt) == "$expected" ]] && ok || bad "example: got $(cat out.txt)"

finish error.tensor_axis
