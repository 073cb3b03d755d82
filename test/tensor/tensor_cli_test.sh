#!/usr/bin/env bash
# tensor_cli_test: `kiln tensor run|build` end to end — checksums of the
# example kernels, --emit output, a shared library + C header used from a C
# program (test/tensor/aot_main.c) with the same results as the JIT, and the
# error lines and exit codes of bad invocations (no partial files).
#   tensor_cli_test.sh KILN EXAMPLES_DIR TEST_DIR [CC]
set -uo pipefail
kiln=$1 examples=$2 tests=$3 cc=${4:-cc}
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/harness.sh"
tk=$examples/kernels.tk

# run: a checksum line and a throughput line; the checksum does not depend
# on the thread count (reductions are chunked deterministically), nor on the
# opt level for the elementwise kernels (reductions may reassociate).
"$kiln" tensor run "$tk" --kernel fma_relu --n 100000 --reps 2 >out.txt 2>err.txt \
  || bad "run fma_relu: $(cat err.txt)"
grep -q '^kernel fma_relu n 100000: checksum [0-9.]*$' out.txt && ok || bad "checksum line: $(cat out.txt)"
grep -q '^throughput: [0-9.]* GB/s, [0-9.]* Melem/s (median of 2 runs' out.txt && ok || bad "throughput line: $(cat out.txt)"
for k in fma_relu dot triad count_big; do
  level=-O0; [[ $k == dot || $k == count_big ]] && level=-O3
  a=$("$kiln" tensor run "$tk" --kernel $k --n 70001 --threads 1 --reps 1 $level | head -1)
  b=$("$kiln" tensor run "$tk" --kernel $k --n 70001 --threads 4 --reps 1 | head -1)
  [[ -n $a && $a == "$b" ]] && ok || bad "$k: $level/1 thread '$a' vs O3/4 threads '$b'"
  echo "$b" >>jit.txt
done
# Hand-checked: count_big counts x > 3 where x = 1 + h % 100 for h over 0..999.
"$kiln" tensor run "$tk" --kernel count_big --n 1000 --reps 1 | grep -q 'checksum 970$' \
  && ok || bad "count_big n 1000 should be 970"
"$kiln" tensor run "$tk" --kernel dot --n 0 --reps 1 | grep -q 'checksum 0$' && ok || bad "empty dot"
for k in activations stats; do
  "$kiln" tensor run "$tk" --kernel $k --n 5000 --reps 1 >/dev/null 2>err.txt && ok || bad "run $k: $(cat err.txt)"
done

# --emit on run prints the fused loop; the vector body is visible.
"$kiln" tensor run "$tk" --kernel triad --emit=ll >triad.ll || bad "emit ll"
grep -q 'define .*void @kiln_tk_triad_flat' triad.ll && ok || bad "emit ll has no flat loop"
grep -q 'x float>' triad.ll && ok || bad "emit ll has no vector type"
"$kiln" tensor run "$tk" --kernel activations --emit=asm >act.s || bad "emit asm"
grep -q '_ZGV' act.s && ok || bad "activations asm calls no libmvec function"

# build: a shared library and its C header; a C program uses them.
"$kiln" tensor build "$tk" -o libk.so 2>err.txt || bad "build: $(cat err.txt)"
[[ -f libk.so && -f kernels.h ]] && ok || bad "build wrote $(ls)"
! nm -D libk.so | grep -qi llvm && ok || bad "libk.so references LLVM"
! nm -D libk.so | grep -q ' T kt_\| T kiln_tk_' && ok || bad "libk.so exports internal symbols"
nm -D libk.so | grep -q ' T fma_relu$' && nm -D libk.so | grep -q ' T kernels_last_error$' \
  && ok || bad "libk.so does not export the kernels: $(nm -D libk.so | grep ' T ')"
if "$cc" -std=c99 -Wall -Werror -pthread -I. "$tests/aot_main.c" -L. -lk -Wl,-rpath,"$work" \
     -o aot_main 2>err.txt; then
  ./aot_main 70001 >aot.txt 2>err.txt || bad "aot_main: $(cat err.txt)"
  head -4 aot.txt >aot4.txt
  diff jit.txt aot4.txt >/dev/null && ok || bad "AOT differs from JIT: $(diff jit.txt aot4.txt)"
  grep -q "^shape mismatch: rc 1, out\[0\] -7: argument 'b': shape \[70000\] does not broadcast with \[70001\]" aot.txt \
    && ok || bad "AOT shape error: $(cat aot.txt)"
  grep -q "^dtype mismatch: rc 1, out\[0\] -7: argument 'b': dtype f64 does not match parameter type f32" aot.txt \
    && ok || bad "AOT dtype error: $(cat aot.txt)"
  grep -q "^overlap: rc 1: output overlaps argument 'a' (an output may only alias an identical input view)" aot.txt \
    && ok || bad "AOT overlap on the fast path: $(cat aot.txt)"
  grep -q "^in place: 0 wrong, last error ''" aot.txt && ok || bad "AOT in place: $(cat aot.txt)"
  grep -q "^strided: 0 differences" aot.txt && ok || bad "AOT strided vs contiguous: $(cat aot.txt)"
  grep -q "^threads: rc 1, other thread rc 0 '', kept 1, then ''$" aot.txt \
    && ok || bad "AOT last error per thread: $(grep threads aot.txt)"
else
  bad "compiling aot_main.c: $(cat err.txt)"
fi
"$kiln" tensor build "$tk" -o sub/libk2.so --header k2.h 2>err.txt && bad "build into a missing dir succeeded" || ok
"$kiln" tensor build "$tk" -o libk2.so --header k2.h && [[ -f k2.h ]] && grep -q 'k2_last_error' k2.h \
  && ok || bad "--header"
"$kiln" tensor build "$tk" -o k.ll --emit=ll && grep -q kiln_tk_dot_finish k.ll && ok || bad "build --emit=ll"
"$kiln" tensor build "$tk" -o k.o --emit=obj && [[ -s k.o ]] && ok || bad "build --emit=obj"

# --time: the phase table on stderr, stdout unchanged. A cold compile
# (--no-cache) optimises and generates code; a build also links.
phases() { awk 'NR > 1 && $2 ~ /^[0-9.]+$/ {printf "%s ", $1}' "$1"; }
"$kiln" tensor run "$tk" --kernel triad --n 1000 --reps 2 --no-cache --time >out.txt 2>err.txt \
  || bad "run --time: $(cat err.txt)"
[[ $(phases err.txt) == "parse irgen optimize codegen link run total " ]] \
  && ok || bad "run --time phases: $(cat err.txt)"
grep -q '^kernel triad n 1000: checksum' out.txt && ! grep -q phase out.txt \
  && ok || bad "run --time stdout: $(cat out.txt)"
"$kiln" tensor build "$tk" -o libt.so --time >out.txt 2>err.txt || bad "build --time: $(cat err.txt)"
[[ $(phases err.txt) == "parse irgen optimize codegen link total " && ! -s out.txt ]] \
  && ok || bad "build --time phases: $(cat err.txt)"

# --shape: a column broadcast (the row path) against the same sum in awk,
# from the generated data: element i of parameter p is 1 + h % 100 with
# h = (i*7919 + p*104729) % 1000.
printf 'kernel col(a: i64[], s: i64[]) -> i64[] = a * s\n' >col.tk
want=$(awk 'BEGIN { for (i = 0; i < 3 * 1000; i++) {
  a = 1 + ((i * 7919) % 1000) % 100; r = int(i / 1000)
  s = 1 + ((r * 7919 + 104729) % 1000) % 100; t += a * s }; print t }')
"$kiln" tensor run col.tk --shape a=3x1000 --shape s=3x1 --reps 1 >out.txt 2>err.txt \
  || bad "run --shape: $(cat err.txt)"
grep -q "^kernel col n 3000: checksum $want\$" out.txt && ok || bad "--shape checksum $want: $(cat out.txt)"
# The example's broadcast kernel: the same checksum at O0 on one thread and
# at O3 on four (elementwise: no reassociation).
shapes=(--shape a=300x1000 --shape s=300x1 --shape b=1000)
a=$("$kiln" tensor run "$tk" --kernel scale_rows "${shapes[@]}" --threads 1 --reps 1 -O0 | head -1)
b=$("$kiln" tensor run "$tk" --kernel scale_rows "${shapes[@]}" --threads 4 --reps 1 | head -1)
[[ $a == "kernel scale_rows n 300000: checksum "* && $a == "$b" ]] && ok || bad "scale_rows: '$a' vs '$b'"
expect_shape_error() {
  "$kiln" tensor run col.tk "$@" >out.txt 2>err.txt
  [[ $? == 2 ]] && grep -q '^kiln: error: --shape' err.txt && ok || bad "--shape $*: $(cat err.txt)"
}
expect_shape_error --shape a=3y
expect_shape_error --shape z=3
expect_shape_error --shape a=1x2x3x4x5

# Errors: one clear line (or a rendered diagnostic), exit 2 for misuse and
# 1 for bad source, no partial files.
expect() { # STATUS EXPECTED-FIRST-LINE COMMAND...
  local status=$1 want=$2; shift 2
  "$@" >out.txt 2>err.txt
  local rc=$?
  [[ $rc == "$status" ]] && ok || bad "$*: exit $rc, expected $status"
  [[ $(head -1 err.txt) == "$want" ]] && ok || bad "$*: '$(head -1 err.txt)' expected '$want'"
}
expect 2 "kiln: error: \`kiln tensor run\` needs --kernel NAME (kernels in '$tk': fma_relu, dot, triad, activations, stats, count_big, scale_rows)" \
  "$kiln" tensor run "$tk"
expect 1 "kiln: error: no kernel 'nope' in '$tk' (kernels: fma_relu, dot, triad, activations, stats, count_big, scale_rows)" \
  "$kiln" tensor run "$tk" --kernel nope
expect 2 "kiln: error: --n needs a non-negative integer (see \`kiln help tensor\`)" \
  "$kiln" tensor run "$tk" --kernel dot --n lots
expect 2 "kiln: error: unknown option '--fast' (see \`kiln help tensor\`)" \
  "$kiln" tensor run "$tk" --fast
expect 2 "kiln: error: --emit must be ll or asm or obj, got 'exe' (see \`kiln help tensor\`)" \
  "$kiln" tensor build "$tk" -o x.so --emit=exe
expect 2 "kiln: error: \`kiln tensor build\` needs -o OUTPUT (see \`kiln help tensor\`)" \
  "$kiln" tensor build "$tk"
expect 2 "kiln: error: unknown \`kiln tensor\` subcommand 'go' (use run or build) (see \`kiln help tensor\`)" \
  "$kiln" tensor go
expect 1 "kiln: error: cannot open 'missing.tk': No such file or directory" "$kiln" tensor run missing.tk
printf 'kernel k(a: f32[], b: f64[]) -> f32[] = a + b\nkernel j(a: f32[]) -> f32[] = foo(a)\n' >bad.tk
expect 1 "bad.tk:1:43: error: cannot mix f32 and f64 in '+'; cast one side, e.g. f64(x)" \
  "$kiln" tensor run bad.tk --kernel k
grep -q "^bad.tk:2:31: error: unknown function 'foo'" err.txt && ok || bad "second diagnostic: $(cat err.txt)"
expect 1 "bad.tk:1:43: error: cannot mix f32 and f64 in '+'; cast one side, e.g. f64(x)" \
  "$kiln" tensor build bad.tk -o bad.so
[[ ! -e bad.so && ! -e bad.h ]] && ok || bad "failed build left files: $(ls)"
expect 1 "kiln: error: unknown target triple 'bogus-xx' (run \`kiln targets\` for the supported ones)" \
  "$kiln" tensor build "$tk" --target bogus-xx --emit=obj -o bogus.o
[[ ! -e bogus.o ]] && ok || bad "failed --emit left bogus.o"
printf 'kernel k(a: f32[]) -> f32[] = (a +\n' >syntax.tk
expect 1 "syntax.tk:2:1: error: expected an expression, found end of file" \
  "$kiln" tensor run syntax.tk

# Flags of the other subcommand are refused, not silently ignored; --help
# works after a subcommand.
expect 2 "kiln: error: option '--cpu' applies to \`kiln tensor build\` only (see \`kiln help tensor\`)" \
  "$kiln" tensor run syntax.tk --cpu x86-64
expect 2 "kiln: error: option '--shape' applies to \`kiln tensor run\` only (see \`kiln help tensor\`)" \
  "$kiln" tensor build syntax.tk -o lib.so --shape a=4
for sub in run build; do
  "$kiln" tensor $sub --help >out.txt 2>err.txt && grep -q "^usage: kiln tensor" out.txt && [[ ! -s err.txt ]] &&
    ok || bad "tensor $sub --help: $(cat err.txt)"
done

finish "tensor cli"
