#!/usr/bin/env bash
# guard_limits: Relay's --max-depth and --timeout at their extremes (issue 15).
# --max-depth 100000000 segfaulted in every mode (the interpreter from 1e7
# on) and in AOT executables, whose main thread had ulimit -s of stack;
# --timeout inf / 1e19 / KILN_TIMEOUT=inf could hang after the program ended
# ((long long)inf was undefined; the watchdog spun on EINVAL holding its
# mutex); KILN_TIMEOUT=abc was silently no limit.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

cat > down.relay <<'EOF'
// deep recursion stops cleanly at the depth limit
fn down(n) {
    if n < 0 { return 0 }
    return down(n + 1) + 1
}
print("start")
print(down(0))
EOF
cat > loop.relay <<'EOF'
let i = 0
while i < 1000 { i = i + 1 }
print("done", i)
EOF

# check_overflow NAME FILE DEPTH CMD...: a clean "stack overflow" runtime
# error at DEPTH in FILE (status 1, exactly that line on stderr), never a
# signal. The harness's check counts any "runtime error:" as a crash, so
# this one is separate.
check_overflow() {
  local name=$1 file=$2 depth=$3; shift 3
  timeout 120 "$@" >out.txt 2>err.txt </dev/null
  local status=$?
  asan_quiet err.txt
  local want="$file:2:4: runtime error: stack overflow: call depth exceeded $depth"
  if [[ $status == 1 && $(cat err.txt) == "$want" && $(head -1 out.txt) == start ]]; then
    ok
  else
    bad "$name: status $status, stderr: $(head -c 300 err.txt)"
  fi
}

# Needs this much memory (KiB, twice the stack reserved: 1 KiB a call) to
# run a depth here rather than refuse it.
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
fits() { (( mem_kib / 2 >= $1 + 1024 )); }
too_deep="needs about 97674 MiB of stack, more than the "

# --- --max-depth 100000000: refused in every mode, at build time too --------
for mode in interp jit auto; do
  check "max-depth 1e8 [$mode]" 1 "error: --max-depth 100000000 $too_deep" \
    "$kiln" run --mode=$mode --max-depth 100000000 down.relay
  grep -q "; use --max-depth [0-9]* or less" err.txt || bad "max-depth 1e8 [$mode]: no hint"
done
check "max-depth 1e8 [build]" 1 "error: --max-depth 100000000 $too_deep" \
  "$kiln" build --max-depth 100000000 down.relay -o deep1e8
[[ -e deep1e8 ]] && bad "max-depth 1e8 [build]: wrote an executable"
check "max-depth INT_MAX" 1 "error: --max-depth 2147483647 needs about" \
  "$kiln" run --max-depth 2147483647 down.relay
check "max-depth past INT_MAX" 2 \
  "--max-depth needs a positive integer (at most 2147483647), not '10000000000'" \
  "$kiln" run --max-depth 10000000000 down.relay
check "max-depth 1e300" 2 "--max-depth needs a positive integer" \
  "$kiln" run --max-depth 1e300 down.relay

# --- deep limits the stack can hold end in "stack overflow", not SIGSEGV ----
# 4,000,000 calls outgrew the interpreter's old fixed 1 GiB stack.
if fits $((4000000 + 1024)); then
  for mode in interp auto; do
    check_overflow "runaway 4e6 [$mode]" down.relay 4000000 \
      "$kiln" run --mode=$mode --max-depth 4000000 down.relay
  done
fi
if fits $((10000000 + 1024)); then
  check_overflow "runaway 1e7 [jit]" down.relay 10000000 \
    "$kiln" run --mode=jit --max-depth 10000000 down.relay
  # AOT: the depth is built in; the program runs on a stack sized for it,
  # whatever ulimit -s says (it ran on the 8 MiB main thread before).
  "$kiln" build --max-depth 10000000 down.relay -o deep1e7 2>build.err ||
    bad "build --max-depth 1e7: $(cat build.err)"
  check_overflow "runaway 1e7 [aot]" down.relay 10000000 bash -c 'ulimit -s 8192; exec ./deep1e7'
fi
# A call nested 30 expressions deep takes ~1.9 KiB of interpreter stack,
# past the 1 KiB a call the limit is judged by: the stack reserved has room
# for four times that where memory allows.
nested='down(n + 1)'
for i in $(seq 30); do nested="(1 + $nested)"; done
sed "s/return down(n + 1) + 1/return $nested/" down.relay > nested.relay
if fits $((4 * 700000 + 4096)); then
  check_overflow "runaway 7e5, calls nested 30 deep [interp]" nested.relay 700000 \
    "$kiln" run --mode=interp --max-depth 700000 nested.relay
fi
"$kiln" build --max-depth 1000000 down.relay -o deep1e6 2>build.err ||
  bad "build --max-depth 1e6: $(cat build.err)"
check_overflow "runaway 1e6 [aot, ulimit -s 1024]" down.relay 1000000 \
  bash -c 'ulimit -s 1024; exec ./deep1e6'

# --- --timeout inf / 1e19: no limit; the program ends and so does kiln -----
for limit in inf 1e19 1e400; do
  for mode in interp jit auto; do
    check "timeout $limit [$mode]" 0 - "$kiln" run --mode=$mode --timeout $limit loop.relay
    [[ $(cat out.txt) == "done 1000" ]] || bad "timeout $limit [$mode]: output '$(cat out.txt)'"
  done
  check "timeout $limit [build]" 0 - "$kiln" build --timeout $limit loop.relay -o loop-$limit
  check "timeout $limit [aot]" 0 - ./loop-$limit
  [[ $(cat out.txt) == "done 1000" ]] || bad "timeout $limit [aot]: output '$(cat out.txt)'"
done
for limit in nan -1 0 abc; do
  check "timeout $limit [run]" 2 "--timeout needs a positive number of seconds, not '$limit'" \
    "$kiln" run --timeout "$limit" loop.relay
done

# --- KILN_TIMEOUT for executables built without --timeout -------------------
"$kiln" build loop.relay -o loop 2>build.err || bad "build loop: $(cat build.err)"
for limit in inf 1e19 2.5 ''; do
  check "KILN_TIMEOUT='$limit'" 0 - env KILN_TIMEOUT="$limit" ./loop
  [[ $(cat out.txt) == "done 1000" ]] || bad "KILN_TIMEOUT='$limit': output '$(cat out.txt)'"
done
for limit in abc nan -1 0 '5 ' 1s; do
  check "KILN_TIMEOUT='$limit'" 2 \
    "error: KILN_TIMEOUT needs a positive number of seconds, not '$limit'" \
    env KILN_TIMEOUT="$limit" ./loop
  [[ -s out.txt ]] && bad "KILN_TIMEOUT='$limit': the program ran"
done

# --- the REPL runs on a thread sized for --max-depth, as `kiln run` does -----
printf 'fn f(n) { return f(n + 1) }\nprint(f(0))\n' >repl-runaway.txt
check "repl runaway 1e6" 1 "<repl>:1:4: runtime error: stack overflow: call depth exceeded 1000000" \
  bash -c "'$kiln' repl --max-depth 1000000 <repl-runaway.txt"
check "repl --max-depth 1e8" 1 "error: --max-depth 100000000 needs about" \
  bash -c "'$kiln' repl --max-depth 100000000 <repl-runaway.txt"
printf 'fn d(n) { if n == 0 { return 0 }; return 1 + d(n - 1) }\nprint(d(100000))\n' >repl-deep.txt
check "repl deep 1e5" 0 - bash -c "'$kiln' repl --max-depth 200000 <repl-deep.txt"
[[ $(cat out.txt) == 100000 ]] || bad "repl deep 1e5: output '$(cat out.txt)'"

finish error.guard_limits
