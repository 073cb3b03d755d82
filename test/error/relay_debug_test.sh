#!/usr/bin/env bash
# relay_debug: source-level debugging of Relay (`-g`, docs/relay.md,
# "Debugging with gdb"). Four parts:
#  1. -g changes nothing: every example, error program and a few random
#     programs print, fail and exit exactly as without -g (JIT at -O0 and
#     -O2, auto mode, AOT executables).
#  2. The DWARF: examples/relay/debug.relay built with -g has the compile
#     unit, subprograms, parameters, variables, a lexical block and a line
#     table naming debug.relay (llvm-dwarfdump-19, readelf); the object
#     keeps .debug_* sections; without -g there are none.
#  3. gdb on the AOT executable at -O0 -g: a breakpoint by file:line hits,
#     `next` goes to the next source line, locals print with their values;
#     at -O2 -g the breakpoint still hits (the line table is kept).
#  4. gdb on `kiln run --mode=jit -O0 -g`: pending breakpoints by file:line
#     and by function name resolve through GDB's JIT interface; in auto
#     mode, once the router has compiled the function.
# Parts 3 and 4 need gdb and ptrace; without them they print why and the
# DWARF checks stand alone.
set -uo pipefail
source "$(dirname "$0")/harness.sh"
examples=$src/examples/relay errors=$src/test/relay/errors

# --- 1. -g changes nothing ----------------------------------------------------
jit0() { timeout 60 "$kiln" run --mode=jit -O0 "$@"; }
jit2() { timeout 60 "$kiln" run --mode=jit -O2 "$@"; }
auto2() { timeout 60 "$kiln" run -O2 "$@"; }
aot0() { # aot0 [-g] FILE: kiln build -O0, then the executable (or the
         # build's errors)
  "$kiln" build -O0 "$@" -o "$work/aot" || return $?
  timeout 60 "$work/aot"
}
# same RUNNER FILE: `RUNNER -g FILE` gives the same stdout, stderr and
# status as `RUNNER FILE` (run in FILE's folder: diagnostics name it alike).
same() {
  local runner=$1 file=$2
  (cd "$(dirname "$file")" && $runner "$(basename "$file")") >plain.out 2>plain.err
  local plain=$?
  (cd "$(dirname "$file")" && $runner -g "$(basename "$file")") >debug.out 2>debug.err
  local debug=$?
  if crashed "$debug" debug.err || [[ $plain != "$debug" ]] ||
     ! cmp -s plain.out debug.out || ! cmp -s plain.err debug.err; then
    bad "$runner $(basename "$file"): -g changed the run (status $plain -> $debug): $(head -c 300 debug.err)"
  else
    ok
  fi
}
# Random well-typed programs (the differential test's generator) as well.
mkdir generated
for seed in 1 2 3 4 5 6 7 8; do
  /usr/bin/python3 "$src/test/relay/differential/gen.py" $seed >generated/p$seed.relay
done
for file in "$examples"/*.relay "$errors"/*.relay generated/*.relay; do
  for runner in jit0 jit2 auto2 aot0; do same $runner "$file"; done
done

check "-g refuses the interpreter" 2 "use it with --mode=jit or auto" \
  "$kiln" run --mode=interp -g "$examples/debug.relay"
check "-g refuses --isolate" 2 "without --isolate" \
  "$kiln" run --mode=jit --isolate -g "$examples/debug.relay"

# --- 2. The DWARF -------------------------------------------------------------
cp "$examples/debug.relay" .
"$kiln" build -O0 -g debug.relay -o debug || bad "kiln build -g failed"
"$kiln" build -O0 -g --emit=obj debug.relay -o debug.o || bad "--emit=obj -g failed"
"$kiln" build -O0 debug.relay -o plain || bad "kiln build failed"
llvm-dwarfdump-19 --debug-info debug >info.txt 2>&1
# has FILE PATTERN WHAT: FILE matches the extended regex PATTERN.
has() {
  if grep -q -E -- "$2" "$1"; then ok; else bad "$3: no /$2/ in $1"; fi
}
has info.txt 'DW_AT_name.*"debug.relay"' "compile unit"
has info.txt 'DW_AT_name.*"mean"' "subprogram mean"
has info.txt 'DW_AT_name.*"relay.main"' "subprogram of the top-level code"
has info.txt 'DW_TAG_formal_parameter' "parameter xs"
has info.txt 'DW_AT_name.*"total"' "variable total"
has info.txt 'DW_TAG_lexical_block' "the loop body's block"
has info.txt 'DW_AT_name.*"kiln_rt_array"' "the array type"
readelf --debug-dump=decodedline debug >lines.txt 2>&1
has lines.txt '^debug.relay +6 ' "line 6 in the line table"
has lines.txt '^debug.relay +12 ' "line 12 in the line table"
readelf -S debug.o >sections.txt 2>&1
has sections.txt '\.debug_info' "the object's .debug_info"
readelf -S debug >sections.txt 2>&1
has sections.txt '\.debug_line' "the executable's .debug_line"
# Without -g the program contributes no debug information. The runtime
# archive linked in may carry its own (sanitizer builds compile it with -g),
# so the check is that no compile unit names the Relay source.
llvm-dwarfdump-19 --debug-info plain >plain-info.txt 2>&1
if grep -q 'debug\.relay' plain-info.txt; then bad "debug information without -g"; else ok; fi

# --- 3 and 4. gdb -------------------------------------------------------------
# Why gdb cannot be used here, or nothing.
gdb_unusable() {
  command -v gdb >/dev/null || { echo "gdb is not installed (scripts/setup-deps installs Debian's gdb)"; return; }
  timeout 60 gdb -batch -nx -ex run /bin/true >probe.txt 2>&1
  grep -q 'exited normally' probe.txt ||
    echo "gdb cannot run a process here (ptrace refused?): $(grep -v '^\[' probe.txt | head -c 200)"
}
# debug_session TRANSCRIPT GDB_ARGS...: gdb in batch mode with pending
# breakpoints allowed; its transcript without thread chatter. LeakSanitizer
# (scripts/test --sanitize) cannot run under a debugger: off in the session.
debug_session() {
  local out=$1; shift
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout 120 gdb -batch -nx -ex 'set breakpoint pending on' \
    -ex 'set print thread-events off' "$@" 2>&1 |
    grep -v -E '^\[(New Thread|Thread .* exited|Switching)|libthread_db' >"$out"
}
# expect TRANSCRIPT LABEL LINES...: LINES appear in the transcript in order.
expect() {
  local file=$1 label=$2; shift 2
  local want rest
  rest=$(cat "$file")
  for want in "$@"; do
    if [[ $rest != *"$want"* ]]; then
      bad "$label: expected '$want' (in order) in:"; sed 's/^/    /' "$file" | head -40
      return
    fi
    rest=${rest#*"$want"}
  done
  ok
}

reason=$(gdb_unusable)
if [[ -n $reason ]]; then
  echo "SKIP the gdb sessions (parts 3 and 4): $reason"
  finish relay_debug
  exit
fi

steps=(-ex 'break debug.relay:6' -ex run -ex 'info locals' -ex delete
       -ex next -ex next -ex 'print total' -ex 'print x'
       -ex 'break debug.relay:14' -ex continue -ex 'info locals'
       -ex 'print *data' -ex 'print data->data[0]@data->length' -ex continue)
values=('mean (xs=0x' 'at debug.relay:6' $'6\t        total = total + x'
        'x = 2' 'total = 0' $'5\t    for x in xs {' $'6\t        total'
        '$1 = 2' '$2 = 4' 'relay.main () at debug.relay:14' 'data = 0x'
        'm = 5' 'big = true' 'length = 3' '$4 = {2, 4, 9}' '5 true')

debug_session aot.txt "${steps[@]}" ./debug
expect aot.txt "gdb, AOT -O0 -g" "${values[@]}" 'exited normally'

"$kiln" build -O2 -g debug.relay -o debug2 || bad "kiln build -O2 -g failed"
debug_session aot2.txt -ex 'break debug.relay:6' -ex run -ex continue -ex delete \
  -ex continue ./debug2
expect aot2.txt "gdb, AOT -O2 -g" 'debug.relay:6' '5 true' 'exited normally'
# Best effort, but never a wrong value: the parameter once read as the zero
# its slot was initialised with.
if grep -q 'xs=0x0' aot2.txt; then bad "gdb, AOT -O2 -g: xs shown as 0x0"; else ok; fi

debug_session jit.txt "${steps[@]}" --args "$kiln" run --mode=jit -O0 -g debug.relay
expect jit.txt "gdb, JIT -O0 -g" "${values[@]}" 'exited normally'

debug_session jitfn.txt -ex 'break mean' -ex run -ex 'info args' -ex finish \
  -ex continue --args "$kiln" run --mode=jit -O0 -g debug.relay
expect jitfn.txt "gdb, JIT, break by function name" 'pending' \
  'mean (xs=0x' 'debug.relay:4' 'xs = 0x' 'Value returned is' '= 5' \
  '5 true' 'exited normally'

# Auto mode: a function is debuggable once the router has compiled it (after
# 100 calls; OSR off, so the loop's continuation cannot inline it first).
# Under gdb the code is ready after ~3% of the loop (0.6 M of 20 M calls).
printf 'fn one(x) {\n    let y = x - x + 1\n    return y\n}\nlet s = 0\nfor i in 0..20000000 {\n    s = s + one(i)\n}\nprint(s)\n' >hot.relay
KILN_OSR_THRESHOLD=0 debug_session auto.txt -ex 'break hot.relay:2' -ex run \
  -ex 'info args' -ex delete -ex continue --args "$kiln" run -O0 -g hot.relay
expect auto.txt "gdb, kiln run -g (auto)" 'pending' 'one (x=' 'at hot.relay:2' \
  'x = ' '20000000' 'exited normally'

finish relay_debug
