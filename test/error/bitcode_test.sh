#!/usr/bin/env bash
# bitcode_test: bitcode that crashes LLVM 19's own reader (found by the ir
# fuzz target: a damaged use-list block; llvm-dis-19 segfaults on it) is one
# clear error from every command that reads bitcode, not a SIGSEGV; good
# bitcode still runs.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

cp "$src/test/fuzz/known/llvm19_bitcode_uselist_segv.bc" bad.bc
want="cannot read 'bad.bc': malformed bitcode (LLVM's bitcode reader crashed on it in a probe process"
check run 1 "$want" "$kiln" run bad.bc
check compile 1 "$want" "$kiln" compile bad.bc --emit=obj -o bad.o
[[ ! -e bad.o ]] && ok || bad "compile left bad.o behind"
check isolate 1 "$want" "$kiln" run --isolate bad.bc

"$clang" -c -emit-llvm -O1 "$src/examples/ir/fib.c" -o good.bc
check good 0 - "$kiln" run good.bc 20
[[ $(cat out.txt) == "fib(20) = 6765" ]] && ok || bad "good bitcode: '$(cat out.txt)'"

finish error.bitcode
