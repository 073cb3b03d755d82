#!/usr/bin/env bash
# tensor_hostile_test.sh: `kiln tensor` under hostile input (issue 15) —
# nesting beyond the stack, shape products that overflow, kernels without
# array parameters, the parameter limit, and malformed files and flags.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

header='kernel f(a: f32[]) -> f32[] = ' # 30 columns
rep() { local s=$1 n=$2 out=; for ((i = 0; i < n; ++i)); do out+=$s; done; printf '%s' "$out"; }
deep='error: expression nesting too deep: more than 1000 levels'

# 10,000 parentheses and a 20,000-term sum segfaulted in run, build and --emit.
echo "$header$(rep '(' 10000)a$(rep ')' 10000)" > parens.tk
echo "${header}a$(rep '+a' 19999)" > sum.tk
for f in parens:1031 sum:2030; do
  name=${f%%:*} want="$name.tk:1:${f##*:}: $deep"
  check "$name-run" 1 "$want" "$kiln" tensor run "$name.tk" --n 10
  check "$name-build" 1 "$want" "$kiln" tensor build "$name.tk" -o "$name.so"
  check "$name-emit-ll" 1 "$want" "$kiln" tensor run "$name.tk" --emit=ll
  check "$name-emit-obj" 1 "$want" "$kiln" tensor build "$name.tk" -o "$name.o" --emit=obj
  [[ ! -e $name.so && ! -e $name.o ]] && ok || bad "$name: an output file appeared"
done
echo "$header$(rep 'abs(' 10000)a$(rep ')' 10000)" > calls.tk
check calls-run 1 "calls.tk:1:4031: $deep" "$kiln" tensor run calls.tk
echo "kernel f(a: bool[]) -> bool[] = $(rep '!' 100000)a" > nots.tk
check nots-run 1 "nots.tk:1:1033: $deep" "$kiln" tensor run nots.tk
# The long line is shown as 120 columns around the caret.
check sum-excerpt 1 "...+a+a+a" "$kiln" tensor run sum.tk
(( $(sed -n 2p err.txt | wc -c) < 130 )) && ok || bad "sum-excerpt: source line not cut"
# Just within the limit: accepted and run.
echo "$header$(rep '(' 999)a$(rep ')' 999)" > parens999.tk
echo "${header}a$(rep '+a' 999)" > sum1000.tk
check parens999-run 0 - "$kiln" tensor run parens999.tk --n 10 --reps 1
check sum1000-run 0 - "$kiln" tensor run sum1000.tk --n 10 --reps 1
grep -q "n 10: checksum 10354.97" out.txt && ok || bad "sum1000-run: wrong checksum"
check sum1000-build 0 - "$kiln" tensor build sum1000.tk -o sum1000.so

# Shape products: 2^32 x 2^32 wrapped to 0 elements (checksum 0, status 0).
echo "${header}a * 2" > ok.tk
check shape-wraps 2 "--shape a=4294967296x4294967296 has too many elements" \
  "$kiln" tensor run ok.tk --shape a=4294967296x4294967296
printf 'kernel f(a: f32[], b: f32[]) -> f32[] = a + b\n' > ab.tk
check broadcast-wraps 1 "the output shape 2147483648x2147483648 has too many elements" \
  "$kiln" tensor run ab.tk --shape a=2147483648x1 --shape b=1x2147483648
check more-than-memory 1 "more than this machine's" "$kiln" tensor run ab.tk --n 1e12
check shape-1e30 2 "--shape a=1e30 has too many elements" "$kiln" tensor run ok.tk --shape a=1e30
check shape-negative 2 "--shape needs NAME=D0xD1.. (1 to 4 dimensions), got 'a=-1'" \
  "$kiln" tensor run ok.tk --shape a=-1
check shape-zero 0 - "$kiln" tensor run ok.tk --shape a=0
grep -q "n 0: checksum 0" out.txt && ok || bad "shape-zero: wrong output"
check n-1e3 0 - "$kiln" tensor run ok.tk --n 1e3 --reps 1
grep -q "n 1000: checksum 1999" out.txt && ok || bad "n-1e3: wrong output"
check n-hex 2 "--n needs a non-negative integer" "$kiln" tensor run ok.tk --n 0x10
check n-fraction 2 "--n needs a non-negative integer" "$kiln" tensor run ok.tk --n 1.5

# No array parameter: the result has the broadcast shape [] (one element);
# `run` used [n] and failed with "output: shape [n] does not match ...".
printf 'kernel f(a: f32, b: f32) -> f32[] = a + b\n' > scalars.tk
check scalars-run 0 - "$kiln" tensor run scalars.tk --n 10
grep -q "kernel f n 1: checksum 2.5" out.txt && ok || bad "scalars-run: wrong output"
check scalars-build 0 - "$kiln" tensor build scalars.tk -o scalars.so

# The parameter limit, located at the 61st parameter (had no file or line);
# 100,000 parameters took 8 s (a quadratic duplicate check).
python3 - <<'EOF'
params = lambda n: ', '.join('a%d: f32[]' % i for i in range(n))
open('many.tk', 'w').write('kernel f(%s) -> f32[] = a0\n' % params(61))
open('lots.tk', 'w').write('kernel f(%s) -> f32[] = a0\n' % params(100000))
EOF
check params-61 1 "many.tk:1:720: error: kernel 'f' has more than 60 parameters" \
  "$kiln" tensor run many.tk
check params-100000 1 "lots.tk:1:720: error: kernel 'f' has more than 60 parameters" \
  timeout 5 "$kiln" tensor build lots.tk -o lots.so

# Malformed files: bytes that are not printable ASCII are named, not echoed
# raw (an escape sequence in the file must not reach the terminal).
: > empty.tk
check empty 1 "empty.tk:1:1: error: no kernel in the source" "$kiln" tensor run empty.tk
printf '\x1b[31m\x80\xff' > garbage.tk
check garbage 1 "garbage.tk:1:1: error: expected 'kernel', found unexpected byte 0x1b" \
  "$kiln" tensor run garbage.tk
grep -q $'\x1b' err.txt && bad "garbage: raw escape byte echoed" || ok
printf 'kernel f(a: f32[]) -> f32[] = a \xc3\xa9\n' > utf8.tk
check utf8 1 "found unexpected byte 0xc3 (names and operators are ASCII)" \
  "$kiln" tensor run utf8.tk
printf 'kernel f(a: f16[]) -> f32[] = a\n' > dtype.tk
check unknown-dtype 1 "dtype.tk:1:13: error: expected a dtype (bool, i32, i64, f32, f64)" \
  "$kiln" tensor run dtype.tk

# The AOT runtime refuses the same shapes with the same words.
cat > huge.c <<'EOF'
#include "sab.h"
#include <stdio.h>
int main(int argc, char **argv) {
  float x = 0, r;
  kiln_tensor_array a = {&x, KILN_TENSOR_F32, 2, {4294967296, 4294967296},
                         {4294967296, 1}};
  kiln_tensor_array col = {&x, KILN_TENSOR_F32, 2, {2147483648, 1}, {1, 1}};
  kiln_tensor_array row = {&x, KILN_TENSOR_F32, 2, {1, 2147483648}, {1, 1}};
  kiln_tensor_array one = {&x, KILN_TENSOR_F32, 1, {(int64_t)1 << 61}, {1}};
  kiln_tensor_array far = {&x, KILN_TENSOR_F32, 1, {3}, {(int64_t)1 << 62}};
  int rc = argv[1][0] == 'a'   ? s(&a, &a, &r)
           : argv[1][0] == 'b' ? s(&col, &row, &r)
           : argv[1][0] == 'c' ? e(&one, &one, &one)
                               : s(&far, &far, &r);
  fprintf(stderr, "rc %d: %s\n", rc, sab_last_error());
  return rc == KILN_TENSOR_EINVAL ? 0 : 1;
}
EOF
printf 'kernel s(a: f32[], b: f32[]) -> f32 = sum(a + b)\nkernel e(a: f32[], b: f32[]) -> f32[] = a + b\n' > sab.tk
if "$kiln" tensor build sab.tk -o libsab.so --header sab.h 2>err.txt &&
   "$clang" huge.c -I. -L. -lsab -Wl,-rpath,"$PWD" -o huge 2>>err.txt; then
  ok
  check aot-wraps 0 "argument 'a': shape [4294967296, 4294967296] has too many elements (the limit is 2^60)" ./huge a
  check aot-broadcast 0 "the broadcast shape [2147483648, 2147483648] has too many elements" ./huge b
  check aot-rank-one 0 "argument 'a': shape [2305843009213693952] has too many elements" ./huge c
  check aot-strides 0 "argument 'a': strides reach beyond the address space" ./huge d
else
  bad "aot: cannot build the library or huge.c"; sed 's/^/    /' err.txt | head
fi

finish error.tensor_hostile
