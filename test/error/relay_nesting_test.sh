#!/usr/bin/env bash
# relay_nesting: the Relay front end under deep nesting and odd input
# (issue 15). 10,000 nested '(' and 100k nested '[', unary '-'/'!', 'abs('
# and 'if' overflowed the stack (SIGSEGV) in every mode, as did a 20,000-term
# sum (run, build --emit=ast, repl); `let café = 1` gave one error per UTF-8
# byte; `kiln repl` dropped an unfinished entry at EOF silently.
# Now: past 256 levels a located "nesting too deep" error; flat chains of any
# length are accepted and give the same result in every mode.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

rep() { yes "$1" | head -n "$2" | tr -d '\n'; } # rep TEXT N: TEXT N times
deep='nesting too deep (more than 256 levels of parentheses, brackets, operators or blocks)'

# too_deep NAME FILE LINE:COL: rejected at that token in every mode, in
# build (executable and --emit=ast) and in the REPL fed the file.
too_deep() {
  local name=$1 file=$2 at=$3
  for mode in interp jit auto; do
    check "$name.$mode" 1 "$file:$at: error: $deep" "$kiln" run --mode=$mode "$file"
  done
  check "$name.build" 1 "$file:$at: error: $deep" "$kiln" build "$file" -o "$name.exe"
  [[ -e $name.exe ]] && bad "$name.build: wrote $name.exe"
  check "$name.ast" 1 "$file:$at: error: $deep" "$kiln" build "$file" --emit=ast -o "$name.ast"
  check "$name.repl" 1 "<repl>:$at: error: $deep" bash -c '"$0" repl < "$1"' "$kiln" "$file"
}

# same_output NAME FILE EXPECTED: accepted, EXPECTED on stdout, in every
# mode, from the built executable and from the REPL.
same_output() {
  local name=$1 file=$2 want=$3
  for mode in interp jit auto; do
    check "$name.$mode" 0 - "$kiln" run --mode=$mode "$file"
    [[ $(cat out.txt) == "$want" ]] || bad "$name.$mode: printed '$(head -c 100 out.txt)'"
  done
  check "$name.build" 0 - "$kiln" build "$file" -o "$name.exe"
  check "$name.exe" 0 - "./$name.exe"
  [[ $(cat out.txt) == "$want" ]] || bad "$name.exe: printed '$(head -c 100 out.txt)'"
  check "$name.repl" 0 - bash -c '"$0" repl < "$1"' "$kiln" "$file"
  [[ $(cat out.txt) == "$want" ]] || bad "$name.repl: printed '$(head -c 100 out.txt)'"
}

# The issue's inputs.
echo "print($(rep '(' 10000)1$(rep ')' 10000))" > parens.relay
too_deep parens parens.relay 1:262
echo "let a = $(rep '[' 100000)1$(rep ']' 100000)" > brackets.relay
too_deep brackets brackets.relay 1:265
echo "print($(rep '-' 100000)1)" > minus.relay
too_deep minus minus.relay 1:261
echo "print($(rep '!' 100000)true)" > not.relay
too_deep not not.relay 1:261
echo "print($(rep 'abs(' 100000)1$(rep ')' 100000))" > abs.relay
too_deep abs abs.relay 1:1027
echo "$(rep 'if true {' 100000)$(rep '}' 100000)" > ifs.relay
too_deep ifs ifs.relay 1:2308
echo "let a = [1]; print(a$(rep '[0]' 100000))" > postfix.relay
too_deep postfix postfix.relay 1:781

# 20,000 terms: a flat chain, accepted everywhere.
echo "print($(rep '1+' 19999)1)" > sum.relay
same_output sum sum.relay 20000
check sum.ast 0 - "$kiln" build sum.relay --emit=ast -o sum.ast
[[ $(grep -c 'number 1 : number' sum.ast) == 20000 ]] || bad "sum.ast: $(grep -c 'number 1' sum.ast) leaves"
echo "let t = true
let x = 2
print($(rep 't && ' 19999)t, $(rep 'x > 1 || ' 19999)false, $(rep 'x * 0.5 - ' 19999)0)" > chains.relay
same_output chains chains.relay "true true -19997"
# A 1,000-arm else-if chain is flat too (it counted as nesting before).
{ printf 'let x = 777\nif x < 0 { print(-1) }'
  for i in $(seq 1 999); do printf ' else if x < %d { print(%d) }' $((i * 10)) "$i"; done
  printf ' else { print(1000) }\n'; } > elif.relay
same_output elif elif.relay 78
check elif.ast 0 - "$kiln" build elif.relay --emit=ast -o elif.ast
[[ $(grep -c '^ *\(<[0-9]*> \)\?if @' elif.ast) == 1000 ]] || bad "elif.ast: $(grep -c 'if @' elif.ast) arms"
# 300,000 terms: the interpreter and the tree's destructor use no stack per term.
echo "print($(rep '1+' 299999)1)" > bigsum.relay
check bigsum 0 - "$kiln" run --mode=interp bigsum.relay
[[ $(cat out.txt) == 300000 ]] || bad "bigsum: printed '$(head -c 100 out.txt)'"

# Just under the limit: accepted.
echo "print($(rep '(' 250)1$(rep ')' 250), $(rep '-' 250)1)" > deep_ok.relay
same_output deep_ok deep_ok.relay "1 1"

# Non-ASCII identifiers: one error each, at the first non-ASCII byte.
printf 'let café = 1\nprint(1 × 2)\n' > cafe.relay
check cafe 1 "cafe.relay:1:8: error: identifiers must be ASCII; 'café' contains a non-ASCII character" \
  "$kiln" run cafe.relay
[[ $(grep -c 'error:' err.txt) == 3 ]] || bad "cafe: $(grep -c 'error:' err.txt) errors, expected 3"
grep -qF "cafe.relay:2:9: error: unexpected non-ASCII character '×' (only strings and comments may contain them)" err.txt ||
  bad "cafe: no error for ×"

# The REPL at the end of its input inside an unfinished entry.
printf 'fn f(x) {\n' > unfinished.relay
check repl_eof 1 "<repl>:1:9: error: unexpected end of input: unfinished entry (this '{' is never closed)" \
  bash -c '"$0" repl < "$1"' "$kiln" unfinished.relay
printf 'print(1)\nlet a = [1,\n  2\n' > unfinished2.relay
check repl_eof_bracket 1 "<repl>:1:9: error: unexpected end of input: unfinished entry (this '[' is never closed)" \
  bash -c '"$0" repl < "$1"' "$kiln" unfinished2.relay
[[ $(cat out.txt) == 1 ]] || bad "repl_eof_bracket: printed '$(head -c 100 out.txt)'"

finish error.relay_nesting
