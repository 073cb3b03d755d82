# harness.sh: what every end-to-end CLI test script shares — a scratch
# directory (removed on exit) as the working directory, a private compile
# cache there, pass/fail counters and the summary. Source it after setting
# `set -uo pipefail`; end the script with `finish NAME`.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A private cache: every run compiles with the kiln under test.
export KILN_CACHE_DIR=$work/cache
cd "$work"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
# finish NAME: prints the counts; the exit status says whether all passed.
finish() {
  echo "$1: $passed passed, $failed failed"
  (( failed == 0 ))
}
