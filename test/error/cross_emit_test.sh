#!/usr/bin/env bash
# cross_emit: IR written for the host by clang (target-cpu "x86-64",
# target-features "+cmov,…" on every function) emitted for another
# architecture. LLVM printed two lines per function ("'x86-64' is not a
# recognized processor for this target", "'+cmov' is not a recognized
# feature") — 16 lines for fib.c; Kiln replaces the attributes with the
# requested target's and says so once.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

"$clang" -S -emit-llvm -O1 -o fib.ll "$src/examples/ir/fib.c" || { echo "clang-19 failed"; exit 1; }
grep -q '"target-cpu"="x86-64"' fib.ll || { echo "clang-19 wrote no x86-64 attributes"; exit 1; }

for target in aarch64-linux-gnu riscv64-linux-gnu; do
  check "obj for $target" 0 - "$kiln" compile fib.ll --emit=obj --target $target -o fib-$target.o
  if grep -q "recognized" err.txt; then bad "$target: LLVM's per-function noise: $(head -3 err.txt)"; else ok; fi
  lines=$(wc -l < err.txt)
  (( lines <= 1 )) && ok || bad "$target: $lines lines on stderr, expected at most one note"
  [[ -s fib-$target.o ]] && ok || bad "$target: no object written"
done
# The note names what happened, once.
"$kiln" compile fib.ll --emit=asm --target aarch64-linux-gnu -o fib.s 2>err.txt
grep -qE "\b(w0|x29|x30)\b" fib.s && ok || bad "asm for aarch64: no AArch64 registers"
(( $(wc -l < err.txt) <= 1 )) && ok || bad "asm: $(cat err.txt)"
finish error.cross_emit
