#!/usr/bin/env bash
# run_stdin_test: `kiln run -` reads the program from standard input. With
# -x ir or -x relay it is that language; without, bitcode and text that
# starts like LLVM IR run as IR and anything else as Relay (before, a Relay
# program on stdin was read as IR: "-:1:1: error: expected top-level entity").
# -x also names the language of a file whose extension does not.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# piped NAME STATUS STDERR_FRAGMENT INPUT ARGS...: `kiln ARGS` < INPUT.
piped() {
  local name=$1 status=$2 err=$3 input=$4; shift 4
  check "$name" "$status" "$err" bash -c 'exec "$@" < "$0"' "$input" "$kiln" "$@"
}
# stdout_is NAME TEXT: what the last check printed.
stdout_is() {
  [[ $(cat out.txt) == "$2" ]] && ok || bad "$1: stdout '$(cat out.txt)', expected '$2'"
}

printf 'fn f(n) { return n * 2 }\nprint(1 + 2, f(4))\n' >sum.relay
printf 'print(1 +)\n' >syntax.relay
printf 'let a = [1]\nprint(a[3])\n' >index.relay
printf 'define i32 @main(i32 %%argc, ptr %%argv) {\n  ret i32 %%argc\n}\n' >argc.ll
printf '; a comment first\n\n%s' "$(cat argc.ll)" >comment.ll
"$clang" -c -emit-llvm -O1 "$src/examples/ir/fib.c" -o fib.bc
: >empty

# The guess: Relay, IR text, IR after a comment, bitcode.
piped relay 0 - sum.relay run -
stdout_is relay "3 8"
piped relay_flags_after 0 - sum.relay run - --mode=interp --stats
stdout_is relay_flags_after "3 8"
piped relay_syntax 1 "<stdin>:1:10: error: expected an expression" syntax.relay run -
piped relay_runtime 1 "<stdin>:2:8: runtime error: array index 3 out of range" index.relay run -
piped ir_text 3 - argc.ll run - a b
piped ir_comment 2 - comment.ll run - x
piped bitcode 0 - fib.bc run - 20
stdout_is bitcode "fib(20) = 6765"
piped empty 1 "'main' function not found in '-'" empty run -

# -x wins over the guess, and names a file's language.
piped x_relay 0 - sum.relay run -x relay -
stdout_is x_relay "3 8"
piped x_ir 1 "-:1:1: error: expected top-level entity" sum.relay run -x ir -
piped x_language 0 - sum.relay run --language=relay -
cp sum.relay sum.txt
check x_relay_file 0 - "$kiln" run -x relay sum.txt
stdout_is x_relay_file "3 8"
check txt_is_ir 1 "sum.txt:1:1: error: expected top-level entity" "$kiln" run sum.txt
cp argc.ll argc.txt
check x_ir_file 2 - "$kiln" run -x ir argc.txt x
check x_unknown 2 "unknown language 'cobol' for -x (use ir or relay)" \
  "$kiln" run -x cobol sum.relay
"$kiln" run --help >help.txt 2>&1
grep -q -- "-x,--language LANG" help.txt && grep -q -- "- reads standard input" help.txt &&
  ok || bad "kiln run --help does not mention -x or -"

finish error.run_stdin
