#!/usr/bin/env bash
# osr: on-stack replacement in the Relay router (issue 16). Compiled code
# takes over a running call or the top-level code at a loop header; the
# program must print, fail and stop exactly as in the interpreter: the same
# output, the same runtime error at the same place, the same depth limit
# and the same timeout. KILN_OSR_THRESHOLD=N (docs/relay.md) forces the
# switch after N loop iterations and waits for the code, so each case
# checks with --stats that compiled code really took over.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# same NAME STATUS STDOUT STDERR FILE [OPTIONS...]: the interpreter, the JIT
# and auto mode with OSR after 1 and 5 iterations give exactly STATUS,
# STDOUT and STDERR; the OSR runs entered compiled code.
same() {
  local name=$1 want_status=$2 want_out=$3 want_err=$4 file=$5; shift 5
  local leg
  for leg in interp jit osr1 osr5; do
    case $leg in
      interp|jit) timeout 60 "$kiln" run --mode=$leg "$@" "$file" >out.txt 2>err.txt ;;
      osr*) KILN_OSR_THRESHOLD=${leg#osr} timeout 60 "$kiln" run --stats "$@" "$file" >out.txt 2>raw.txt
            status=$?; grep -v '^stats: ' raw.txt >err.txt; (exit $status) ;;
    esac
    local status=$?
    if crashed "$status" err.txt || (( status == 124 )); then
      bad "$name [$leg]: crashed or hung (status $status): $(head -c 300 err.txt)"
    elif [[ $status != "$want_status" || $(cat out.txt) != "$want_out" || $(cat err.txt) != "$want_err" ]]; then
      bad "$name [$leg]: status $status, stdout '$(head -c 200 out.txt)', stderr '$(head -c 300 err.txt)'"
    elif [[ $leg == osr* ]] && ! grep -q 'osr-entries [1-9]' raw.txt; then
      bad "$name [$leg]: no OSR entry: $(cat raw.txt | tail -1)"
    else
      ok
    fi
  done
}

# --- a trap after the switch, at the top level: exact location -------------
cat >top.relay <<'R'
let a = [1]
for i in 0..20 {
    a.push(i)
    if i == 3 { continue }
    a[0] = a[0] + a[i]
}
print(len(a), a[0])
let k = 0
while k < 30 { k = k + 1; a[k + 1] = k }
R
same "top-level trap" 1 $'21 171' \
  "top.relay:9:28: runtime error: array index 21 out of range (length 21)" top.relay

# --- inside a function: nested loops, break, the result, then a trap --------
cat >fn.relay <<'R'
fn work(a, n) {
    let s = 0
    for i in 0..n {
        for j in 0..i {
            if j == 2 { continue }
            if j > 6 { break }
            s = s + a[j % len(a)] * j
        }
        a.push(s)
    }
    return s
}
let a = [1, 2, 3]
print(work(a, 12), len(a))
print(work(a, 3.5))
a[1.5] = 0
R
same "function result, then a trap" 1 $'200 15\n4' \
  "fn.relay:16:2: runtime error: array index 1.5 is not an integer" fn.relay

# --- a function that falls off its end after the switch ---------------------
printf 'fn f(n) {\n    let s = 0\n    for i in 0..n { s = s + i }\n    if s > 100 { return s }\n}\nprint(f(20))\nprint(f(10))\n' >noret.relay
same "missing return after the switch" 1 190 \
  "noret.relay:5:1: runtime error: function 'f' ended without returning a value" noret.relay

# --- the depth limit from OSR code: exactly N active calls ------------------
# In the top-level code (depth 0, replaced in its first loop), d(k) makes
# k + 1 active calls.
cat >depth_top.relay <<'R'
fn d(n) {
    if n == 0 { return 0 }
    return d(n - 1) + 1
}
let t = 0
for i in 0..10 { t = t + i }
print(t + d(99))
print(d(100))
R
same "depth limit from replaced top-level code" 1 144 \
  "depth_top.relay:1:4: runtime error: stack overflow: call depth exceeded 100" depth_top.relay --max-depth 100
# In a function: g (depth 1) is replaced inside its loop, so d's budget
# comes from the interpreter's count; d(k) adds k + 1 calls.
cat >depth_fn.relay <<'R'
fn d(n) {
    if n == 0 { return 0 }
    return d(n - 1) + 1
}
fn g(k) {
    let s = 0
    for i in 0..10 { s = s + i }
    return s + d(k)
}
print(g(98))
print(g(99))
R
same "depth limit from a replaced call" 1 143 \
  "depth_fn.relay:1:4: runtime error: stack overflow: call depth exceeded 100" depth_fn.relay --max-depth 100
printf 'fn d(n) {\n    if n == 0 { return 0 }\n    return d(n - 1) + 1\n}\nlet t = 0\nfor i in 0..10 { t = t + i }\nprint(d(99999))\n' >deep.relay
same "100,000 calls from OSR code" 0 99999 "" deep.relay --max-depth 100000

# --- --timeout stops OSR code: a polled loop and a vectorizable one --------
printf 'print("start")\nlet s = 0\nwhile true { s = s + 1 }\n' >spin.relay
same "timeout in a replaced while" 1 start \
  "runtime error: timeout: program ran longer than 0.3 seconds" spin.relay --timeout 0.3
cat >vec.relay <<'R'
print("start")
let a = []
for i in 0..4096 { a.push(i) }
while true {
    for i in 0..len(a) { a[i] = a[i] * 1.0 }
}
R
same "timeout in a vectorized loop after the switch" 1 start \
  "runtime error: timeout: program ran longer than 0.3 seconds" vec.relay --timeout 0.3

# --- default auto mode: the loop it enters, chosen by pace ------------------
# auto NAME STATUS STDOUT STDERR FILE: default auto mode (no test knob: the
# router watches the loops and compiles in the background) gives exactly
# the interpreter's STATUS, STDOUT and STDERR and enters compiled code.
# The programs run ~0.5 s interpreted, far longer than a compilation.
auto() {
  local name=$1 want_status=$2 want_out=$3 want_err=$4 file=$5
  timeout 60 "$kiln" run --stats "$file" >out.txt 2>raw.txt
  local status=$?
  grep -v '^stats: ' raw.txt >err.txt
  if crashed "$status" err.txt || (( status == 124 )); then
    bad "$name: crashed or hung (status $status): $(head -c 300 err.txt)"
  elif [[ $status != "$want_status" || $(cat out.txt) != "$want_out" || $(cat err.txt) != "$want_err" ]]; then
    bad "$name: status $status, stdout '$(head -c 200 out.txt)', stderr '$(head -c 300 err.txt)'"
  elif ! grep -q 'osr-entries [1-9]' raw.txt; then
    bad "$name: no OSR entry: $(tail -1 raw.txt)"
  else
    ok
  fi
}
# A nest at the top level whose outer loop iterates every few microseconds:
# the code enters at its header (after the inner loops' ends), not inside.
cat >nest.relay <<'R'
let a = []
for i in 0..64 { a.push(i % 7) }
let s = 0
for step in 0..1000000 {
    for i in 0..4 {
        for j in i+1..4 {
            if j == 3 { continue }
            s = s + a[(step + i * j) % 64]
        }
    }
    for k in 0..3 { a[k] = a[k] + 1 }
}
print(s, a[0], a[1], a[2])
a[s % 1 + 64.5] = 1
R
want=$("$kiln" run --mode=interp nest.relay 2>&1)
auto "auto: a top-level nest, entered at its outer loop" 1 "$(head -1 <<<"$want")" \
  "nest.relay:14:2: runtime error: array index 64.5 is not an integer" nest.relay
# A function called again after its code exists: each later call waits
# for the header of the loop that code was compiled for.
cat >calls.relay <<'R'
fn work(a, n) {
    let s = 0
    for i in 0..n {
        for j in 0..n { s = s + a[(i + j) % len(a)] }
        if i == n - 2 { a.push(s % 5) }
    }
    return s
}
let a = [1, 2, 3]
print(work(a, 5000), work(a, 3000), work(a, 2000), len(a))
R
auto "auto: later calls enter at the outer loop" 0 "$("$kiln" run --mode=interp calls.relay)" "" calls.relay

# --- default auto mode (after its delay, in the background): same output ---
check "default auto mode" 1 "top.relay:9:28: runtime error: array index 21 out of range" "$kiln" run top.relay
check "KILN_OSR_THRESHOLD garbage" 2 "KILN_OSR_THRESHOLD must be a count of loop iterations, not '5x'" \
  env KILN_OSR_THRESHOLD=5x "$kiln" run top.relay

finish error.osr
