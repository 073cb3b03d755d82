#!/usr/bin/env bash
# onto_input.sh: `ember-ch07 build` refuses an output that is its own source
# (a copy in a fresh temporary folder) and leaves the source as it was.
#   onto_input.sh EMBER_CH07 FILE.ember
set -uo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$(realpath "$2")
cp "$src" "$tmp/prog.ember"
cd "$tmp" || exit 1
"$1" build prog.ember ./prog.ember
status=$?
cmp -s "$src" prog.ember || { echo "FAIL: the source was overwritten"; exit 1; }
echo "exit status $status"
