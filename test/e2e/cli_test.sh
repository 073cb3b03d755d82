#!/usr/bin/env bash
# cli_test: the `kiln` command end to end: help/version/targets, run and
# compile of IR files, exit statuses, and the exact one-line errors for bad
# input (no crash, no stack trace, no partial output file).
#   cli_test.sh KILN CLANG19 SRC_DIR
set -uo pipefail
kiln=$1 clang=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KILN_CACHE_DIR=$work/cache
cd "$work"
passed=0 failed=0

check() { # check NAME EXPECTED_STATUS EXPECTED_OUTPUT_FILE_OR_- CMD...
  local name=$1 want_status=$2 want=$3; shift 3
  "$@" >out.txt 2>err.txt
  local status=$?
  local ok=1
  [[ $status == "$want_status" ]] || { echo "FAIL $name: status $status, expected $want_status"; ok=0; }
  if [[ $want != - ]] && ! diff -u "$want" <(cat out.txt err.txt) >diff.txt; then
    echo "FAIL $name: output differs"; cat diff.txt; ok=0
  fi
  if grep -q -E "Stack dump|PLEASE submit|Assertion|Segmentation" err.txt; then
    echo "FAIL $name: crash output"; cat err.txt; ok=0
  fi
  if (( ok )); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
expect() { local f; f=$(mktemp -p . want.XXXXXX); printf '%s\n' "$@" >"$f"; echo "$f"; }

cp "$src/hello.c" .
"$clang" -S -emit-llvm -O0 -Xclang -disable-O0-optnone hello.c -o hello.ll
"$clang" -c -emit-llvm -O1 hello.c -o hello.bc

check version 0 - "$kiln" --version
grep -q "^kiln [0-9.]* (LLVM 19)$" out.txt || { echo "FAIL version text: $(cat out.txt)"; failed=$((failed+1)); }
check help 0 - "$kiln" --help
grep -q "  run " out.txt && grep -q "  compile " out.txt && grep -q "  targets " out.txt ||
  { echo "FAIL help lists commands"; failed=$((failed+1)); }
check help-run 0 - "$kiln" run --help
check targets 0 - "$kiln" targets
grep -q "aarch64" out.txt && grep -q "x86-64" out.txt || { echo "FAIL targets list"; failed=$((failed+1)); }

# Runs like lli: arguments, output and exit status of main.
want=$(expect "hello from kiln: 3 args" "arg 1: one" "arg 2: two words" "fib(25) = 75025" "sqrt(2) = 1.4142135623730951")
for level in -O0 -O1 -O2 -O3; do
  check "run$level" 5 "$want" "$kiln" run $level hello.ll one "two words"
done
check run-bitcode 5 "$want" "$kiln" run hello.bc one "two words"
check run-cached 5 "$want" "$kiln" run hello.ll one "two words"
check run-time 5 - "$kiln" run --time hello.ll one "two words"
for phase in parse optimize codegen link run total; do
  grep -q "^$phase " err.txt || grep -q "^$phase " out.txt ||
    { [[ $phase == optimize || $phase == codegen ]] && continue; echo "FAIL --time lacks $phase"; failed=$((failed+1)); }
done

# compile: every emit kind, and the AOT executable behaves like the JIT.
check compile-exe 0 - "$kiln" compile hello.ll --emit=exe -O2 -o hello.aot
check run-aot 5 "$want" ./hello.aot one "two words"
check compile-obj 0 - "$kiln" compile hello.ll --emit=obj -o hello.o
file hello.o | grep -q "ELF 64-bit LSB relocatable, x86-64" || { echo "FAIL obj type: $(file hello.o)"; failed=$((failed+1)); }
check compile-aarch64 0 - "$kiln" compile hello.ll --emit=obj --target aarch64-linux-gnu -o hello-arm.o
file hello-arm.o | grep -q "ARM aarch64" || { echo "FAIL aarch64 type: $(file hello-arm.o)"; failed=$((failed+1)); }
check compile-asm 0 - "$kiln" compile hello.ll --emit=asm -o hello.s
grep -q "^main:" hello.s || { echo "FAIL asm"; failed=$((failed+1)); }
check compile-bc 0 - "$kiln" compile hello.ll --emit=bc -o out.bc
check run-emitted-bc 5 "$want" "$kiln" run out.bc one "two words"
check compile-ll 0 - "$kiln" compile hello.ll --emit=ll -O3 -o out.ll
check run-emitted-ll 5 "$want" "$kiln" run out.ll one "two words"
check compile-shared 0 - "$kiln" compile hello.ll --emit=shared -o libhello.so
file libhello.so | grep -q "shared object" || { echo "FAIL shared"; failed=$((failed+1)); }
check compile-time 0 - "$kiln" compile hello.ll --emit=exe --time -o timed.aot
grep -q "^link " err.txt || { echo "FAIL compile --time lacks link"; failed=$((failed+1)); }

# Bad input: one clear line (or a caret diagnostic), non-zero status.
printf 'define i32 @main() {\n  ret i64 0\n}\n' > bad.ll
check missing-file 1 "$(expect "error: cannot open 'nope.ll': No such file or directory")" "$kiln" run nope.ll
check invalid-ir 1 "$(expect "bad.ll:2:7: error: value doesn't match function result type 'i32'" "  ret i64 0" "      ^")" "$kiln" run bad.ll
printf 'define i32 @helper() {\n  ret i32 0\n}\n' > nomain.ll
check no-main 1 "$(expect "error: 'main' function not found in 'nomain.ll'")" "$kiln" run nomain.ll
printf 'declare i32 @missing_fn()\ndefine i32 @main() {\n  %%r = call i32 @missing_fn()\n  ret i32 %%r\n}\n' > undef.ll
check undefined-symbol 1 "$(expect "error: cannot link 'main': undefined symbols [ missing_fn ]")" "$kiln" run undef.ll
check unknown-flag 2 "$(expect "kiln: error: unknown option '--frobnicate' (see \`kiln run --help\`)")" "$kiln" run --frobnicate hello.ll
check unknown-command 2 "$(expect "kiln: error: unknown command 'frob' (see \`kiln --help\`)")" "$kiln" frob
check bad-level 2 "$(expect "kiln: error: unknown optimisation level '-O7' (use -O0, -O1, -O2, -O3, -Os or -Oz) (see \`kiln compile --help\`)")" "$kiln" compile -O7 hello.ll
check unknown-triple 1 "$(expect "error: unknown target triple 'sparc-sun-nope' (run \`kiln targets\` for the supported ones)")" "$kiln" compile hello.ll --emit=obj --target sparc-sun-nope -o never.o
[[ ! -e never.o ]] || { echo "FAIL partial output never.o"; failed=$((failed+1)); }
check bad-emit 2 "$(expect "kiln: error: unknown --emit kind 'elf' (use obj, asm, bc, ll, exe or shared)")" "$kiln" compile hello.ll --emit=elf
check run-no-file 2 "$(expect "kiln: error: \`kiln run\` needs an input file (see \`kiln run --help\`)")" "$kiln" run
check compile-bad-ir 1 - "$kiln" compile bad.ll --emit=exe -o never
[[ ! -e never ]] || { echo "FAIL partial output never"; failed=$((failed+1)); }
check cross-exe 1 "$(expect "kiln: error: --emit=exe links for the host only; use --emit=obj for 'aarch64-unknown-linux-gnu' and link it there")" "$kiln" compile hello.ll --emit=exe --target aarch64-linux-gnu -o never
KILN_CC=/nonexistent/cc check no-linker 1 "$(expect "error: KILN_CC is set to '/nonexistent/cc', which is not an executable program")" "$kiln" compile hello.ll --emit=exe -o never
[[ ! -e never ]] || { echo "FAIL partial output after linker error"; failed=$((failed+1)); }
head -c 100 /dev/urandom > garbage.bc
check garbage-input 1 - "$kiln" run garbage.bc
grep -q "^garbage.bc.*error:" err.txt || { echo "FAIL garbage diagnostic: $(cat err.txt)"; failed=$((failed+1)); }

echo "cli: $passed passed, $failed failed"
(( failed == 0 ))
