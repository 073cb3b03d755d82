#!/usr/bin/env bash
# kiln run --isolate: JIT code that crashes, traps, overflows its stack, loops
# past --timeout or a CPU limit, or exhausts a memory limit ends the executor
# process, never kiln: each ends with one error line naming the signal and
# status 1; good programs behave as in process.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

cat > hello.ll <<'IR'
@fmt = private constant [13 x i8] c"hello %d %s\0A\00"
declare i32 @printf(ptr, ...)
define i32 @main(i32 %argc, ptr %argv) {
  %p = getelementptr ptr, ptr %argv, i32 1
  %a = load ptr, ptr %p
  call i32 (ptr, ...) @printf(ptr @fmt, i32 %argc, ptr %a)
  ret i32 7
}
IR
cat > abort.ll <<'IR'
declare void @abort()
define i32 @main() {
  call void @abort()
  ret i32 0
}
IR
cat > null.ll <<'IR'
define i32 @main() {
  %v = load volatile i32, ptr null
  ret i32 %v
}
IR
cat > trap.ll <<'IR'
declare void @llvm.trap()
define i32 @main() {
  call void @llvm.trap()
  unreachable
}
IR
# The callee gets the caller's frame, so no tail-recursion elimination.
cat > recurse.ll <<'IR'
define i32 @f(ptr %up, i32 %n) {
  %buf = alloca [64 x i32]
  store volatile i32 %n, ptr %buf
  %m = add i32 %n, 1
  %r = call i32 @f(ptr %buf, i32 %m)
  %x = load volatile i32, ptr %up
  %s = add i32 %r, %x
  ret i32 %s
}
define i32 @main() {
  %b = alloca i32
  %r = call i32 @f(ptr %b, i32 0)
  ret i32 %r
}
IR
cat > loop.ll <<'IR'
@g = global i64 0
define i32 @main() {
entry:
  br label %l
l:
  store volatile i64 1, ptr @g
  br label %l
}
IR
cat > bomb.ll <<'IR'
declare ptr @malloc(i64)
declare ptr @memset(ptr, i32, i64)
@keep = global ptr null
define i32 @main() {
entry:
  br label %l
l:
  %p = call ptr @malloc(i64 16777216)
  call ptr @memset(ptr %p, i32 1, i64 16777216)
  store volatile ptr %p, ptr @keep
  br label %l
}
IR
cat > envp.ll <<'IR'
declare i32 @puts(ptr)
define void @main(i32 %argc, ptr %argv, ptr %envp) {
  %e = load ptr, ptr %envp
  call i32 @puts(ptr %e)
  ret void
}
IR

check run 7 - "$kiln" run --isolate hello.ll world
grep -q -x 'hello 2 world' out.txt && ok || bad "run: stdout '$(cat out.txt)'"
check envp 0 - env -i KILN_CACHE_DIR="$KILN_CACHE_DIR" ONLY=1 "$kiln" run --isolate envp.ll
grep -q -x 'KILN_CACHE_DIR=.*\|ONLY=1' out.txt && ok || bad "envp: stdout '$(cat out.txt)'"

check abort 1 'error: the program was killed by signal 6 (SIGABRT)' "$kiln" run --isolate abort.ll
check null 1 'error: the program was killed by signal 11 (SIGSEGV)' "$kiln" run --isolate null.ll
check trap 1 'error: the program was killed by signal 4 (SIGILL)' "$kiln" run --isolate -O0 trap.ll
check stack-overflow 1 'error: the program was killed by signal 11 (SIGSEGV)' "$kiln" run --isolate recurse.ll
check timeout 1 'error: the program timed out after 1 s and was killed' "$kiln" run --isolate --timeout 1 loop.ll
check cpu-limit 1 'error: the program exceeded its CPU-time limit of 1 s and was killed by signal 24 (SIGXCPU)' \
  "$kiln" run --isolate --cpu-limit 1 loop.ll
check memory-limit 1 'error: the program ran out of memory (limit 256 MiB) and was killed by signal 11 (SIGSEGV)' \
  "$kiln" run --isolate --memory-limit 256M bomb.ll
# Only the error line, no stack dump or LLVM report.
for f in abort null trap recurse; do
  timeout 60 "$kiln" run --isolate "$f.ll" 2>err.txt
  [[ $(wc -l <err.txt) == 1 ]] && ok || bad "$f: stderr has $(wc -l <err.txt) lines"
done

# An uncaught C++ exception: the C++ runtime's own message, then Kiln's line.
printf '#include <cstdio>\nint main() { std::puts("throwing"); throw 42; }\n' > throw.cpp
"$clang" -x c++ -S -emit-llvm -O1 throw.cpp -o throw.ll
timeout 60 "$kiln" run --isolate throw.ll >out.txt 2>err.txt
status=$?
[[ $status == 1 ]] && ok || bad "throw: status $status"
grep -q -F 'error: the program was killed by signal 6 (SIGABRT)' err.txt && ok || bad "throw: $(cat err.txt)"

# C++: a static object's constructor and destructor (__cxa_atexit with a
# hidden __dso_handle), a caught exception and envp, as in process.
cat > statics.cpp <<'CPP'
#include <cstdio>
#include <string>
struct G { G() { std::puts("ctor"); } ~G() { std::puts("dtor"); } } g;
int main(int argc, char **argv, char **envp) {
  try { throw std::string("caught"); } catch (const std::string &s) { std::puts(s.c_str()); }
  int n = 0;
  for (char **e = envp; *e; ++e) n += std::string(*e).rfind("KILN_T=", 0) == 0;
  std::printf("env %d\n", n);
  return 5;
}
CPP
"$clang" -x c++ -S -emit-llvm -O1 statics.cpp -o statics.ll
KILN_T=1 check cxx-in-process 5 - "$kiln" run statics.ll
mv out.txt in-process.txt
KILN_T=1 check cxx-isolated 5 - "$kiln" run --isolate statics.ll
cmp -s in-process.txt out.txt && grep -q dtor out.txt && ok || bad "cxx: isolated output '$(cat out.txt)'"

# The executor does not outlive kiln: kill kiln and the looping executor goes.
"$kiln" run --isolate loop.ll & host=$!
sleep 1
executor=$(pgrep -P "$host" kiln-executor)
kill -9 "$host"; wait "$host" 2>/dev/null
sleep 1
state=$(ps -o stat= -p "$executor" 2>/dev/null) # Z: ended, not yet reaped
if [[ -n $executor && ( -z $state || $state == Z* ) ]]; then ok; else
  bad "executor '$executor' outlived kiln"; [[ -n $executor ]] && kill -9 "$executor"; fi

# Misuse: one clear line, status 2.
check limit-without-isolate 2 '--memory-limit and --cpu-limit need --isolate' "$kiln" run --cpu-limit 1 hello.ll
check bad-size 2 "--memory-limit needs a size such as 512M or 2G, not 'lots'" "$kiln" run --isolate --memory-limit lots hello.ll
check tiny-size 1 'the memory limit of an isolated engine must be at least 64 MiB, not 1048576 bytes' \
  "$kiln" run --isolate --memory-limit 1M hello.ll
check bad-cpu 2 "--cpu-limit needs a positive number of seconds (at most 1e9), not '-1'" "$kiln" run --isolate --cpu-limit -1 hello.ll
echo 'print(1)' > p.relay
check relay-interp 2 "--isolate runs compiled code; it does not combine with --mode=interp" \
  "$kiln" run --isolate --mode=interp p.relay
check relay-limit-without-isolate 2 '--memory-limit and --cpu-limit need --isolate' \
  "$kiln" run --memory-limit 128M p.relay

# Relay runs isolated as its AOT executable would: the same output, runtime
# errors, depth limit and timeout as `kiln run --mode=jit`; a crash (here
# runaway recursion without guards) is one line and the host goes on.
for ex in "$src"/examples/relay/*.relay; do
  name=$(basename "$ex" .relay)
  check "relay-$name" 0 - "$kiln" run --isolate "$ex"
  diff -q out.txt "$src/examples/relay/$name.expected" >/dev/null && ok || bad "relay-$name: output differs from $name.expected"
done
printf 'let a = [1, 2]\nprint(a[5])\n' > trap.relay
printf 'fn f(n) { return 1 + f(n + 1) }\nprint(f(0))\n' > deep.relay
printf 'let i = 0\nwhile true { i = i + 1 }\n' > spin.relay
for c in "trap.relay" "--max-depth 1000 deep.relay" "--timeout 0.3 spin.relay"; do
  "$kiln" run --mode=jit $c >jit.out 2>jit.err; jit=$?
  check "relay-same-as-jit: $c" "$jit" - "$kiln" run --isolate $c
  cmp -s err.txt jit.err && cmp -s out.txt jit.out && ok ||
    bad "relay-same-as-jit: $c: '$(cat err.txt)' vs '$(cat jit.err)'"
done
check relay-crash 1 "error: the program was killed by signal 11 (SIGSEGV)" \
  "$kiln" run --isolate --no-guards deep.relay
KILN_EXECUTOR=/nonexistent check no-executor 1 "error: cannot start the executor '/nonexistent': No such file or directory" \
  "$kiln" run --isolate hello.ll
KILN_EXECUTOR=/bin/true check wrong-executor 1 "error: cannot start the executor '/bin/true': the executor exited with status 0" \
  "$kiln" run --isolate hello.ll

finish error.isolate
