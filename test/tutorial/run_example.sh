#!/usr/bin/env bash
# run_example.sh: runs one tutorial program and compares what it printed
# (stdout, then stderr) and its exit status with the pinned expectations.
#   run_example.sh STATUS EXPECTED_FILE PROGRAM [ARGS...]
# Runs in the current directory (the tests use examples/tutorial, so paths
# in diagnostics read as in the text); writes only under a mktemp -d folder.
set -uo pipefail
want_status=$1 expected=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/out" 2>"$tmp/err"
status=$?
cat "$tmp/out" "$tmp/err" >"$tmp/all"
if ! diff -u "$expected" "$tmp/all"; then
  echo "FAIL: output of '$*' differs from $expected (diff above)" >&2
  exit 1
fi
if [[ $status != "$want_status" ]]; then
  echo "FAIL: '$*' exited with $status, expected $want_status" >&2
  exit 1
fi
echo "ok: $* (exit $status, output as in $expected)"
