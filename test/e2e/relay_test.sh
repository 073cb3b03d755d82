#!/usr/bin/env bash
# relay_test: every program in examples/relay and test/relay/errors runs in
# all modes — interpreter, JIT at O0 and O2, auto (router), AOT executable —
# and each mode's stdout, stderr and exit status must equal the checked-in
# expectation (NAME.expected for stdout, NAME.stderr and NAME.status when
# present; stderr otherwise must be empty and the status 0).
#   relay_test.sh KILN DIR...
set -uo pipefail
kiln=$1; shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KILN_CACHE_DIR=$work/cache
passed=0 failed=0

compare() { # compare LABEL WANT_FILE GOT_FILE
  if ! diff -u "$2" "$3" >"$work/diff"; then
    echo "FAIL $1"; head -20 "$work/diff"; return 1
  fi
}

check_mode() { # check_mode PROGRAM MODE-LABEL COMMAND...
  local prog=$1 label=$2; shift 2
  local base=${prog%.relay}
  "$@" >"$work/out" 2>"$work/err"
  local status=$?
  local want_err=/dev/null want_status=0
  [[ -f $base.stderr ]] && want_err=$base.stderr
  [[ -f $base.status ]] && want_status=$(cat "$base.status")
  local ok=1
  compare "$(basename "$prog") [$label] stdout" "$base.expected" "$work/out" || ok=0
  compare "$(basename "$prog") [$label] stderr" "$want_err" "$work/err" || ok=0
  if [[ $status != "$want_status" ]]; then
    echo "FAIL $(basename "$prog") [$label]: exit status $status, expected $want_status"; ok=0
  fi
  if (( ok )); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

aot_build_failed() { cat "$work/build-err" >&2; return 1; }

for dir in "$@"; do
  # Diagnostics name the file as given: run from its folder for stable text.
  cd "$dir" || exit 1
  for prog in *.relay; do
    [[ -f ${prog%.relay}.expected ]] || { echo "FAIL $prog: no .expected file"; failed=$((failed + 1)); continue; }
    check_mode "$prog" interp "$kiln" run --mode=interp "$prog"
    check_mode "$prog" jit-O0 "$kiln" run --mode=jit -O0 "$prog"
    check_mode "$prog" jit-O2 "$kiln" run --mode=jit -O2 "$prog"
    check_mode "$prog" auto "$kiln" run --mode=auto "$prog"
    # AOT: compile errors come from `kiln build`, runtime errors from the executable.
    exe=$work/${prog%.relay}
    if "$kiln" build "$prog" -O2 -o "$exe" 2>"$work/build-err"; then
      check_mode "$prog" aot "$exe"
    else
      check_mode "$prog" aot aot_build_failed
    fi
  done
done
echo "relay: $passed passed, $failed failed"
(( failed == 0 ))
