#!/usr/bin/env bash
# codegen_guard: IR that verifies but that LLVM's code generator used to end
# the process on, through every `kiln` path that generates code. Another
# architecture's intrinsic aborted instruction selection ("LLVM ERROR:
# Cannot select"); inline assembly that does not assemble made LLVM print
# and exit(1) mid-compile. Both are now one-line errors from
# core/CodegenGuard (the C API uses the same, capi.core.codegen_errors):
# exit status 1, no output file, no partial object, nothing cached.
set -uo pipefail
source "$(dirname "$0")/harness.sh"
export TMPDIR=$work/tmp # the temporary objects of --emit=exe/shared
mkdir -p "$TMPDIR"

[[ $(uname -m) == x86_64 ]] || { echo "codegen_guard: pinned for x86-64 hosts; this is $(uname -m)"; exit 0; }

cat > intr.ll <<'LL'
declare i32 @llvm.aarch64.crc32b(i32, i32)
define i32 @main() {
  %r = call i32 @llvm.aarch64.crc32b(i32 0, i32 0)
  ret i32 %r
}
LL
cat > x86.ll <<'LL'
declare i32 @llvm.x86.sse42.crc32.32.8(i32, i8)
define i32 @main() {
  %r = call i32 @llvm.x86.sse42.crc32.32.8(i32 0, i8 0)
  ret i32 %r
}
LL
cat > asm.ll <<'LL'
define i32 @main() {
  call void asm "bogus_instruction", ""()
  ret i32 0
}
LL
intr="intr.ll: error: 'main' calls 'llvm.aarch64.crc32b', an intrinsic of another architecture than the target's (x86_64)"
asm="asm.ll: error: <inline asm>:1:2: invalid instruction mnemonic 'bogus_instruction', in 'bogus_instruction'"
cross="x86.ll: error: 'main' calls 'llvm.x86.sse42.crc32.32.8', an intrinsic of another architecture than the target's (aarch64)"

# only_line NAME TEXT: stderr is exactly TEXT (one line, nothing of LLVM's).
only_line() {
  [[ $(cat err.txt) == "$2" ]] && ok || { bad "$1: stderr is: $(head -5 err.txt)"; }
}
# no_output NAME FILE: a failed command left no FILE.
no_output() { [[ ! -e $2 ]] && ok || bad "$1: left $2"; }

for f in intr asm; do
  want=${!f}
  for pass in first cached; do # the second run would find a cached object
    check "run $f.ll ($pass)" 1 "$want" "$kiln" run $f.ll
    only_line "run $f.ll ($pass)" "$want"
  done
  check "run --no-cache $f.ll" 1 "$want" "$kiln" run --no-cache $f.ll
  # An isolated JIT compiles ORC's copy of the module in a fresh context, and
  # ORC fails the lookup before it reports why: the same line all the same.
  for i in 1 2 3; do
    check "run --isolate $f.ll ($i)" 1 "$want" "$kiln" run --isolate $f.ll
    only_line "run --isolate $f.ll ($i)" "$want"
  done
  for emit in obj asm exe shared; do
    check "compile $f.ll --emit=$emit" 1 "$want" "$kiln" compile $f.ll --emit=$emit -o out.$emit
    only_line "compile $f.ll --emit=$emit" "$want"
    no_output "compile $f.ll --emit=$emit" out.$emit
  done
  # No code generation, nothing to refuse: bitcode and IR are written.
  check "compile $f.ll --emit=bc" 0 - "$kiln" compile $f.ll --emit=bc -o out.bc
  [[ -s out.bc ]] && ok || bad "$f.ll --emit=bc: no output"
  rm -f out.bc
done

for emit in obj asm; do
  check "cross $emit" 1 "$cross" "$kiln" compile x86.ll --target aarch64-linux-gnu --emit=$emit -o x.$emit
  only_line "cross $emit" "$cross"
  no_output "cross $emit" x.$emit
done
# The same IR is fine for its own architecture.
check "x86 intrinsic on x86" 0 - "$kiln" compile x86.ll --emit=obj -o x86.o
[[ -s x86.o ]] && ok || bad "x86.ll: no object"
leftovers=$(find "$TMPDIR" -name 'kiln*' | wc -l)
(( leftovers == 0 )) && ok || bad "temporary files left: $(ls "$TMPDIR")"
finish error.codegen_guard
