# harness.sh: what every hostile-input regression script in test/error shares.
# Each script is run as `bash NAME_test.sh KILN CLANG19 SRC_ROOT` in a scratch
# directory (removed on exit) with a private compile cache. `check` runs one
# command and asserts its exit status, a fragment of its stderr, and that no
# crash reached the user (signal, LLVM ERROR, stack dump, uncaught exception).
# Source it after `set -uo pipefail`; end the script with `finish NAME`.
kiln=$1 clang=$2 src=$3
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export KILN_CACHE_DIR=$work/cache
cd "$work"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# asan_quiet FILE: drops the warning ASan prints (under scripts/test
# --sanitize) when a trap unwinds a stack larger than it expects, as Relay's
# threads sized for --max-depth are; it is no error of Kiln's.
asan_quiet() {
  sed -i -e '/^==[0-9]*==WARNING: ASan is ignoring requested __asan_handle_no_return/,+2d' "$1"
}

crashed() { # crashed STATUS ERRFILE: true when the run ended in a crash
  local status=$1 err=$2
  (( status >= 128 )) && return 0
  # UBSan's "runtime error:" follows a C/C++ source location; Relay's own
  # runtime errors (a .relay file or <repl>) are not crashes.
  grep -q -E "Stack dump|PLEASE submit|LLVM ERROR|Assertion|Segmentation|terminate called|internal error|AddressSanitizer|ThreadSanitizer|LeakSanitizer|\.(c|cc|cpp|h):[0-9]+:[0-9]+: runtime error:" "$err"
}

# check NAME STATUS STDERR_FRAGMENT CMD...: STATUS is the exact exit status
# (or 'nonzero'); STDERR_FRAGMENT a fixed string stderr must contain ('-': any).
# Runs under `timeout 60` so a hang fails instead of blocking the suite.
check() {
  local name=$1 want_status=$2 want_err=$3; shift 3
  timeout 60 "$@" >out.txt 2>err.txt </dev/null
  local status=$? good=1
  asan_quiet err.txt
  if (( status == 124 )); then bad "$name: hung (timeout 60 s)"; return; fi
  if crashed "$status" err.txt; then bad "$name: crashed (status $status)"; sed 's/^/    /' err.txt | head -20; return; fi
  if [[ $want_status == nonzero ]]; then
    (( status != 0 )) || { bad "$name: status 0, expected non-zero"; good=0; }
  elif [[ $status != "$want_status" ]]; then
    bad "$name: status $status, expected $want_status"; good=0
  fi
  if [[ $want_err != - ]] && ! grep -q -F -- "$want_err" err.txt; then
    bad "$name: stderr lacks '$want_err'"; sed 's/^/    /' err.txt | head -10; good=0
  fi
  (( good )) && ok
}

# finish NAME: prints the counts; the exit status says whether all passed.
finish() {
  echo "$1: $passed passed, $failed failed"
  (( failed == 0 ))
}
