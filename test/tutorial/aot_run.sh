#!/usr/bin/env bash
# aot_run.sh: chapter 7's test — builds an Ember executable with ember-ch07
# in a fresh temporary folder, runs it, and prints its output and status.
#   aot_run.sh EMBER_CH07 FILE.ember
set -uo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$1" build "$2" "$tmp/prog" >/dev/null || exit 1
"$tmp/prog"
echo "exit status $?"
