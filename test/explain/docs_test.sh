# docs_test.sh: runs the shell block of docs/explain.md marked
# `<!-- tested -->` in a scratch copy of examples/, with `kiln` on the PATH,
# and checks the pages it wrote.
# usage: bash docs_test.sh KILN SRC_ROOT
set -uo pipefail
kiln=$1 src=$2
source "$src/test/e2e/harness.sh"
mkdir bin && ln -s "$kiln" bin/kiln
export PATH=$work/bin:$PATH
awk '/<!-- tested -->/ {armed=1; next}
     armed && /^```sh/ {inblock=1; next}
     inblock && /^```/ {exit}
     inblock {print}' "$src/docs/explain.md" >example.sh
[[ -s example.sh ]] && ok || bad "no tested block in docs/explain.md"
cp -r "$src/examples" .
if bash -euo pipefail example.sh >out.txt 2>err.txt; then ok; else
  bad "the example failed:"; cat err.txt
fi
for page in fib.html kernels.html scale.html; do
  grep -q '<section id="passes">' "$page" && grep -q '</html>' "$page" &&
    ok || bad "$page: not a whole page"
done
# The tokens and AST of both languages, as the page shows them (escaped).
grep -q "2:4 identifier fib" fib.html && grep -q "fn fib(n: number)" fib.html &&
  ok || bad "fib.html: tokens or AST missing"
grep -q "9:1 identifier kernel" kernels.html &&
  grep -q "6:3   Call relu : f32\[\]" kernels.html &&
  grep -q "9:11 &#39;(&#39;" kernels.html && ok ||
  bad "kernels.html: tokens or AST missing"
grep -q "Not shown for ll input" scale.html && ok ||
  bad "scale.html: no note where tokens would be"
# The last line counts fib's changing passes at -O1: some, not none.
(( $(tail -1 out.txt) > 0 )) && ok || bad "no pass changed fib at -O1"
finish explain.docs
