#!/usr/bin/env bash
# guards: Relay's depth limit and timeout at the boundaries of the compiled
# guard (issue 16). Compiled code passes each user function its call budget
# (the limit minus its depth) as a hidden argument instead of counting
# kiln_rt_depth in memory; the interpreter still counts, and the router
# hands the depth over whenever one tier calls the other. Every mode must
# stop at exactly the same call, at the same function, with the same error.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# expect NAME STATUS STDOUT STDERR CMD...: exact status, stdout and stderr
# (STDERR '-': any), and no crash.
expect() {
  local name=$1 want_status=$2 want_out=$3 want_err=$4; shift 4
  timeout 120 "$@" >out.txt 2>err.txt </dev/null
  local status=$?
  asan_quiet err.txt
  if crashed "$status" err.txt || (( status == 124 )); then
    bad "$name: crashed or hung (status $status): $(head -c 300 err.txt)"
  elif [[ $status != "$want_status" || $(cat out.txt) != "$want_out" ]]; then
    bad "$name: status $status, stdout '$(head -c 200 out.txt)', stderr '$(head -c 300 err.txt)'"
  elif [[ $want_err != - && $(cat err.txt) != "$want_err" ]]; then
    bad "$name: stderr '$(head -c 300 err.txt)', expected '$want_err'"
  else
    ok
  fi
}

# in_every_mode NAME STATUS STDOUT STDERR FILE [RUN OPTIONS...]: interp,
# jit at -O0 and -O2, auto, and an AOT executable built with the options.
in_every_mode() {
  local name=$1 status=$2 out=$3 err=$4 file=$5; shift 5
  for mode in interp jit auto; do
    expect "$name [$mode]" "$status" "$out" "$err" \
      "$kiln" run --mode=$mode "$@" "$file"
  done
  expect "$name [jit -O0]" "$status" "$out" "$err" \
    "$kiln" run --mode=jit -O0 "$@" "$file"
  if "$kiln" build "$@" "$file" -o "$file.exe" 2>build.err; then
    expect "$name [aot]" "$status" "$out" "$err" "./$file.exe"
  else
    bad "$name [build]: $(cat build.err)"
  fi
}

# --- the exact limit: N active calls run, N + 1 is "stack overflow" ---------
# d(k) makes k + 1 active calls. In auto mode d is compiled while the
# recursion runs, so the interpreter's count becomes the native budget.
deep() { # deep K: a program printing d(K)
  printf 'fn d(n) {\n    if n == 0 { return 0 }\n    return d(n - 1) + 1\n}\nprint("start")\nprint(d(%s))\n' "$1"
}
deep 2999 >at3000.relay
deep 3000 >past3000.relay
in_every_mode "3000 calls, limit 3000" 0 $'start\n2999' "" at3000.relay --max-depth 3000
in_every_mode "3001 calls, limit 3000" 1 start \
  "past3000.relay:1:4: runtime error: stack overflow: call depth exceeded 3000" \
  past3000.relay --max-depth 3000
deep 9999 >at10000.relay
deep 10000 >past10000.relay
in_every_mode "10000 calls, default limit" 0 $'start\n9999' "" at10000.relay
in_every_mode "10001 calls, default limit" 1 start \
  "past10000.relay:1:4: runtime error: stack overflow: call depth exceeded 10000" \
  past10000.relay

# --- deep but legal: 100,000 calls at --max-depth 100000 --------------------
deep 99999 >at100k.relay
in_every_mode "100000 calls, limit 100000" 0 $'start\n99999' "" at100k.relay \
  --max-depth 100000

# --- tiers mixed: a compiled function and an interpreted one call each ------
# other (auto: a is native from the start, b is interpreted until it is hot
# and compiled in the background), so the depth crosses between the
# budget and kiln_rt_depth at every call. Which function exceeds the limit
# says at which depth it stopped: an odd depth is a (line 1), an even one b.
mixed() { # mixed K: a(K) makes K + 1 active calls
  printf '@llvm fn a(n) {\n    if n == 0 { return 0 }\n    return b(n - 1) + 1\n}\n'
  printf 'fn b(n) {\n    if n == 0 { return 0 }\n    return a(n - 1) + 1\n}\n'
  printf 'print("start")\nprint(a(%s))\n' "$1"
}
mixed 4999 >mixed5000.relay
mixed 5000 >mixed5001.relay
mixed 5001 >mixed5002.relay
in_every_mode "mixed tiers, 5000 calls" 0 $'start\n4999' "" mixed5000.relay --max-depth 5000
in_every_mode "mixed tiers, 5001 calls" 1 start \
  "mixed5001.relay:1:10: runtime error: stack overflow: call depth exceeded 5000" \
  mixed5001.relay --max-depth 5000
in_every_mode "mixed tiers, 5002 calls, limit 5001" 1 start \
  "mixed5002.relay:5:4: runtime error: stack overflow: call depth exceeded 5001" \
  mixed5002.relay --max-depth 5001
# The interpreter's count comes back right after compiled code returns: the
# same top-level loop reaches the limit again and again.
{
  mixed 0 | head -8
  printf 'let i = 0\nwhile i < 300 { a(4999); i = i + 1 }\nprint("ok")\nprint(b(5000))\n'
} >again.relay
in_every_mode "mixed tiers, limit reached 300 times" 1 ok \
  "again.relay:5:4: runtime error: stack overflow: call depth exceeded 5000" \
  again.relay --max-depth 5000

# --- runaway recursion through both tiers: "stack overflow", no signal ------
{ mixed 0 | head -8; printf 'print("start")\nprint(a(-1))\n'; } >runaway.relay
sed -i 's/if n == 0/if n == 0.5/' runaway.relay
in_every_mode "runaway, mixed tiers" 1 start \
  "runaway.relay:1:10: runtime error: stack overflow: call depth exceeded 200000" \
  runaway.relay --max-depth 200000

# --- the REPL (router, every function compiled when entered) ----------------
printf 'fn d(n) { if n == 0 { return 0 }; return d(n - 1) + 1 }\nprint(d(1999))\nprint(d(2000))\nprint(d(5))\n' >repl.txt
expect "repl at the limit" 1 $'1999\n5' \
  "<repl>:1:4: runtime error: stack overflow: call depth exceeded 2000" \
  bash -c "'$kiln' repl --max-depth 2000 <repl.txt"

# --- --timeout stops compiled code: a vectorized loop, a counted loop (one
# poll per chunk of iterations), a plain loop, and calls without loops -----
cat >vector.relay <<'EOF'
fn scale(a) {
    for i in 0..len(a) { a[i] = a[i] * 0.5 + 1 }
}
fn work(a) {
    while true { scale(a) }
}
let a = []
for i in 0..4096 { a.push(i) }
print("start")
work(a)
EOF
cat >counted.relay <<'EOF'
fn spin(n) {
    let s = 0
    for i in 0..n { s = s + i % 7 }
    return s
}
print("start")
print(spin(1e15))
EOF
cat >plain.relay <<'EOF'
fn halve(x) {
    while x > 0.5 { x = x * 0.999999999 + 0.0000000001 }
    return x
}
print("start")
print(halve(1e300))
EOF
cat >calls.relay <<'EOF'
fn fib(n) {
    if n < 2 { return n }
    return fib(n - 1) + fib(n - 2)
}
print("start")
print(fib(60))
EOF
for prog in vector counted plain calls; do
  in_every_mode "timeout, $prog loop" 1 start \
    "runtime error: timeout: program ran longer than 0.3 seconds" \
    $prog.relay --timeout 0.3
done

finish error.guards
