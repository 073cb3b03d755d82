#!/usr/bin/env bash
# doc_examples_test.sh: the programs docs/c-api.md shows are the tested ones.
# Every `<!-- example: PATH -->` line must be followed by a fenced code block
# identical to PATH (relative to the source root), which ctest builds and
# runs; at least one such example must exist.
#   doc_examples_test.sh SOURCE_DIR
set -euo pipefail
src=$1 doc=$1/docs/c-api.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=0
while read -r path; do
  awk -v path="$path" '
    $0 == "<!-- example: " path " -->" { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```$/ { exit }
    found == 2 { print }' "$doc" >"$tmp/block"
  if ! diff -u "$src/$path" "$tmp/block" >"$tmp/diff"; then
    echo "docs/c-api.md's copy of $path differs from the file:"; cat "$tmp/diff"; exit 1
  fi
  count=$((count + 1))
done < <(sed -n 's/^<!-- example: \(.*\) -->$/\1/p' "$doc")
(( count > 0 )) || { echo "docs/c-api.md shows no example"; exit 1; }
echo "$count examples in docs/c-api.md match their files"
