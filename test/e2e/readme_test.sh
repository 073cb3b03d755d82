#!/usr/bin/env bash
# readme_test: runs the shell blocks of README.md marked `<!-- tested -->`,
# with `kiln` meaning the freshly built tool, so the README cannot rot.
#   readme_test.sh KILN CLANG19 REPO_ROOT
set -euo pipefail
kiln=$1 clang=$2 root=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$kiln" "$work/bin/kiln"
ln -s "$(command -v "$clang")" "$work/bin/clang-19" 2>/dev/null || true
script=$work/readme.sh
awk '/<!-- tested -->/ {armed=1; next}
     armed && /^```sh/ {inblock=1; next}
     inblock && /^```/ {inblock=0; armed=0; next}
     inblock {print}' "$root/README.md" >"$script"
blocks=$(grep -c . "$script" || true)
if (( blocks == 0 )); then
  echo "readme: no tested blocks found in README.md"; exit 1
fi
# Run in a scratch copy so the commands' outputs land outside the tree.
mkdir -p "$work/tree"
cp -r "$root/examples" "$work/tree/"
cd "$work/tree"
export PATH="$work/bin:$PATH"
echo "running $blocks README lines"
bash -euxo pipefail "$script"
echo "readme: 1 passed, 0 failed"
