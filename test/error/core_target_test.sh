#!/usr/bin/env bash
# core_target_test: CPU names checked against the target before LLVM sees
# them (no LLVM ERROR), --cpu without --target, IR carrying another
# machine's function attributes, the types of a JIT'd main, thread_local
# globals in the JIT and --timeout for IR.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

"$clang" -S -emit-llvm "$src/examples/ir/fib.c" -o fib.ll
cp "$src/examples/tensor/kernels.tk" k.tk
cp "$src/examples/faust/osc.dsp" osc.dsp
cat >vec.ll <<'EOF'
define void @add(ptr noalias %a, ptr noalias %b, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  %pa = getelementptr float, ptr %a, i64 %i
  %pb = getelementptr float, ptr %b, i64 %i
  %x = load float, ptr %pa
  %y = load float, ptr %pb
  %s = fadd float %x, %y
  store float %s, ptr %pa
  %i1 = add i64 %i, 1
  %c = icmp ult i64 %i1, %n
  br i1 %c, label %loop, label %exit
exit:
  ret void
}
EOF

# --- unknown or wrong-width CPUs: one clean line, no LLVM ERROR -------------
x86="for target 'x86_64-unknown-linux-gnu' (run \`kiln targets x86_64-unknown-linux-gnu\` for its CPUs)"
host=$("$kiln" targets | sed -n 's/^host: \([^ ]*\) .*/\1/p')
check cpu-i386 1 "error: CPU 'i386' is not a 64-bit CPU, so it cannot run code for target 'x86_64-unknown-linux-gnu'" \
  "$kiln" compile vec.ll --emit=obj --target x86_64-linux-gnu --cpu i386 -o v.o
check cpu-x86-notacpu 1 "error: unknown CPU 'notacpu' $x86" \
  "$kiln" compile vec.ll --emit=obj --target x86_64-linux-gnu --cpu notacpu -o v.o
check cpu-riscv-notacpu 1 "error: unknown CPU 'notacpu' for target 'riscv64-unknown-linux-gnu'" \
  "$kiln" compile fib.ll --emit=obj --target riscv64-linux-gnu --cpu notacpu -o v.o
check cpu-rv32-core-rv64 1 "error: CPU 'sifive-e31' is not a 64-bit CPU" \
  "$kiln" compile vec.ll --emit=obj --target riscv64-linux-gnu --cpu sifive-e31 -o v.o
check cpu-alone-notacpu 1 "error: unknown CPU 'notacpu' for target '$host'" \
  "$kiln" compile vec.ll --emit=obj --cpu notacpu -o v.o
for cpu in notacpu i386 cortex-a72; do
  want="unknown CPU '$cpu' for target '$host'"
  [[ $cpu == i386 ]] && want="CPU 'i386' is not a 64-bit CPU"
  check "tensor-cpu-$cpu" 1 "$want" "$kiln" tensor build k.tk -o libk.so --cpu $cpu
done
[[ ! -e libk.so && ! -e v.o ]] && ok || bad "a refused CPU left an output file"
check faust-notacpu 1 "unknown CPU 'notacpu' $x86" \
  "$kiln" faust compile osc.dsp --emit=obj --target x86_64-linux-gnu:notacpu -o osc.o
check faust-cortex-a72 0 - \
  "$kiln" faust compile osc.dsp --emit=obj --target aarch64-linux-gnu:cortex-a72 -o osc.o
check targets-cpus 0 - "$kiln" targets riscv64-linux-gnu
grep -q " sifive-u74" out.txt && ! grep -q "sifive-e31" out.txt && ok ||
  bad "targets riscv64: lists no RV64 core, or an RV32 one"

# --- --cpu alone: the host's triple with that CPU's features only ----------
check cpu-alone-asm 0 - "$kiln" compile vec.ll --emit=asm --cpu x86-64 -o v.s
grep -q "addps" v.s && ! grep -q -E "zmm|ymm" v.s && ok ||
  bad "--cpu x86-64 alone: expected SSE code without AVX registers"

# --- another machine's attributes: one note, no warning per function -------
for t in aarch64-linux-gnu riscv64-linux-gnu; do
  check "cross-$t" 0 "kiln: note: replaced the target attributes of 4 functions (cpu 'x86-64')" \
    "$kiln" compile fib.ll --emit=obj --target $t -o fib-$t.o
  if grep -q "not a recognized" err.txt || (( $(wc -l <err.txt) != 1 )); then
    bad "cross-$t: expected one line of stderr"; sed 's/^/    /' err.txt | head -5
  else ok; fi
done
check cpu-other-than-ir 0 "with those of $host (cpu 'skylake')" \
  "$kiln" compile fib.ll --emit=obj --cpu skylake -o fib-sky.o
check cpu-same-as-ir 0 - "$kiln" compile fib.ll --emit=obj --cpu x86-64 -o fib-x.o
[[ ! -s err.txt ]] && ok || bad "cpu-same-as-ir: a note for attributes that match"
sed 's/"target-cpu"="x86-64"/"target-cpu"="i386"/' fib.ll >fib-i386.ll
check run-attr-i386 0 - "$kiln" run fib-i386.ll 10

# --- main's type, as lli checks it -----------------------------------------
cat >envp.ll <<'EOF'
declare i32 @strncmp(ptr, ptr, i64)
@key = private constant [10 x i8] c"KILN_ENV=\00"
define i32 @main(i32 %argc, ptr %argv, ptr %envp) {
entry:
  br label %loop
loop:
  %p = phi ptr [ %envp, %entry ], [ %next, %cont ]
  %s = load ptr, ptr %p
  %end = icmp eq ptr %s, null
  br i1 %end, label %notfound, label %check
check:
  %c = call i32 @strncmp(ptr %s, ptr @key, i64 9)
  %eq = icmp eq i32 %c, 0
  br i1 %eq, label %found, label %cont
cont:
  %next = getelementptr ptr, ptr %p, i64 1
  br label %loop
found:
  %v = getelementptr i8, ptr %s, i64 9
  %ch = load i8, ptr %v
  %r = sext i8 %ch to i32
  ret i32 %r
notfound:
  ret i32 3
}
EOF
check main-envp 65 - env KILN_ENV=A "$kiln" run envp.ll
printf '@main = global i32 0\n' >global.ll
check main-global 1 "error: 'main' in 'global.ll' is a global variable, not a function" "$kiln" run global.ll
printf 'define void @main() {\n  ret void\n}\n' >void.ll
check main-void 0 - "$kiln" run void.ll
printf 'define double @main(double %%x) {\n  ret double %%x\n}\n' >double.ll
check main-double 1 "error: 'main' in 'double.ll' has type 'double (double)': argc must be i32" "$kiln" run double.ll
printf 'define double @main() {\n  ret double 1.0\n}\n' >double0.ll
check main-double-result 1 "has type 'double ()': main must return i32" "$kiln" run double0.ll
printf 'define i32 @main(i32 %%c, ptr %%v) {\n  ret i32 %%c\n}\n' >argc.ll
check main-argc 3 - "$kiln" run argc.ll x y
printf 'declare i32 @main(i32, ptr)\n' >decl.ll
check main-declared 1 "error: 'main' is declared but not defined in 'decl.ll'" "$kiln" run decl.ll

# --- thread_local globals: PIC (general dynamic) and not (local exec) ------
cat >tls.c <<'EOF'
#include <pthread.h>
#include <stdio.h>
_Thread_local int counter = 41;
static void *bump(void *arg) { counter += 100; return arg; }
int main(void) {
  pthread_t t;
  pthread_create(&t, 0, bump, 0);
  pthread_join(t, 0);
  counter++;
  printf("%d\n", counter);
  return counter == 42 ? 0 : 1;
}
EOF
for pic in -fPIC -fno-pic; do
  "$clang" -S -emit-llvm -O1 $pic tls.c -o tls$pic.ll
  check "tls$pic" 0 - "$kiln" run tls$pic.ll
  [[ $(cat out.txt) == 42 ]] && ok || bad "tls$pic: printed '$(cat out.txt)', not 42"
done

# --- --timeout for IR --------------------------------------------------------
printf 'define i32 @main() {\nentry:\n  br label %%loop\nloop:\n  br label %%loop\n}\n' >loop.ll
start=$SECONDS
check timeout-ir 1 "error: timed out after 1 s (--timeout)" "$kiln" run --timeout 1 loop.ll
(( SECONDS - start < 10 )) && ok || bad "timeout-ir: took $((SECONDS - start)) s"
check timeout-ir-unused 3 - "$kiln" run --timeout 5 argc.ll a b
check run-target 2 "--target and --cpu are for \`kiln compile\`" "$kiln" run --cpu x86-64 void.ll

finish error.core_target
