# explain_test.sh: `kiln explain`'s misuse and bad inputs — a missing file,
# an unknown extension, syntax and type errors in each language, bitcode,
# an output onto the input — each a clear diagnostic, a non-zero status and
# no page (an existing page left as it was); and -o -, the default name.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# no_page NAME FILE: FILE was not written (or still holds "old").
no_page() {
  if [[ -e $2 && $(cat "$2") != old ]]; then bad "$1: wrote $2"; else ok; fi
}

check missing 1 "cannot open 'nope.relay'" "$kiln" explain nope.relay -o p.html
no_page missing p.html
check extension 2 "shows .relay, .tk and .ll files, not 'fib.c'" \
  "$kiln" explain fib.c
check no-file 2 "takes one .relay, .tk or .ll file" "$kiln" explain
check two-files 2 "takes one" "$kiln" explain a.relay b.relay
check bad-level 2 "unknown optimisation level '-O9'" \
  "$kiln" explain -O9 "$src/examples/relay/fib.relay"
mkdir dir.relay
check directory 1 "is a directory" "$kiln" explain dir.relay

printf 'fn f(x) {\n  return x +\n}\n' >syntax.relay
echo old >page.html
check relay-syntax 1 "syntax.relay:3:1: error: expected an expression" \
  "$kiln" explain syntax.relay -o page.html
no_page relay-syntax page.html
printf 'let x = y + 1\n' >type.relay
check relay-type 1 "type.relay:1:9: error: unknown variable 'y'" \
  "$kiln" explain type.relay -o page.html
no_page relay-type page.html
printf 'kernel k(a: f32[]) -> f32[] = a +* 2\n' >syntax.tk
check tensor-syntax 1 "syntax.tk:1:34: error: expected an expression" \
  "$kiln" explain syntax.tk -o page.html
no_page tensor-syntax page.html
printf 'define i32 @f( {\n' >syntax.ll
check ir-syntax 1 "syntax.ll:2:1: error: expected type" \
  "$kiln" explain syntax.ll -o page.html
no_page ir-syntax page.html
check ir-verifier 1 "error:" \
  "$kiln" explain "$src/test/error/corpus/ir/verifier_use_before_def.ll" \
  -o page.html
no_page ir-verifier page.html
printf 'BC\xc0\xde' >bitcode.ll
check bitcode 1 "'bitcode.ll' is bitcode" "$kiln" explain bitcode.ll
: >empty.tk
check empty-tk 1 "empty.tk:1:1: error: no kernel in the source" \
  "$kiln" explain empty.tk

cp "$src/examples/relay/fib.relay" fib.relay
cp fib.relay before.relay
check onto-input 1 "refusing to overwrite it" \
  "$kiln" explain fib.relay -o fib.relay
cmp -s fib.relay before.relay && ok || bad "onto-input: fib.relay changed"
check no-dir 1 "directory 'nodir' does not exist" \
  "$kiln" explain fib.relay -o nodir/page.html

check stdout 0 - "$kiln" explain fib.relay -o -
head -c 15 out.txt | grep -q '<!DOCTYPE html>' && ok ||
  bad "stdout: no page on stdout"
check default-name 0 - "$kiln" explain fib.relay
grep -q '</html>' fib.html && ok || bad "default-name: no fib.html"
check replace 0 - "$kiln" explain fib.relay -o page.html
grep -q '</html>' page.html && ok || bad "replace: page.html not replaced"
check out-dir 1 "cannot write 'dir.relay': it is a directory" \
  "$kiln" explain fib.relay -o dir.relay

# A hostile source: markup in a comment is shown, not run (the page's own
# script is its only one), and bytes that are not UTF-8 become U+FFFD, so
# the page, which declares UTF-8, is valid UTF-8.
printf '// </pre><script>alert(1)</script>\nlet x = 1 // \xff\xc0\x80\xe2\x82\nprint(x)\n' \
  >hostile.relay
check hostile 0 - "$kiln" explain hostile.relay -o hostile.html
[[ $(grep -o '<script' hostile.html | wc -l) == 1 ]] && ok ||
  bad "hostile: a <script> from the source reached the page"
grep -q '&lt;script&gt;alert(1)' hostile.html && ok ||
  bad "hostile: the comment's markup is not shown"
/usr/bin/python3 -c 'import sys; open(sys.argv[1], "rb").read().decode()' \
  hostile.html && ok || bad "hostile: the page is not valid UTF-8"
finish explain
