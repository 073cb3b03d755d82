#!/usr/bin/env bash
# relay_cli_test: Relay behaviour that needs more than output comparison:
# the router switches tiers, compiled functions come from the cache on a
# second run, --timeout and --max-depth work in every mode, and the
# teaching outputs (--emit=tokens|ast|ll|asm) and bad invocations behave.
#   relay_cli_test.sh KILN
set -uo pipefail
kiln=$1
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
stat() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" err.txt; }

cat > hot.relay <<'R'
fn sq(x) { return x * x }
@llvm
fn tri(n) { let s = 0; for i in 0..n { s = s + sq(i) }; return s }
let t = 0
for i in 0..3000000 { t = t + sq(i) }
print(t, tri(100))
R
# Router: @llvm compiled at once, the hot function compiled in the
# background. KILN_OSR_THRESHOLD=0: no OSR (which would move the loop and
# its calls to native code) and no tier-up delay.
# The loop runs long enough (0.5 s) for both compilations on a busy machine.
sed 's/3000000/30000000/' hot.relay >hot30.relay
KILN_OSR_THRESHOLD=0 "$kiln" run --stats hot30.relay >out.txt 2>err.txt || bad "router run failed: $(cat err.txt)"
[[ $(cat out.txt) == "8.999999550006378e+21 328350" ]] && ok || bad "router output: $(cat out.txt)"
(( $(stat functions-compiled) == 2 )) && ok || bad "router compiled $(stat functions-compiled) functions, expected 2: $(cat err.txt)"
(( $(stat native-calls) > 1000 )) && ok || bad "router native calls: $(cat err.txt)"
(( $(stat interpreted-calls) > 0 )) && ok || bad "router interpreted calls: $(cat err.txt)"
(( $(stat osr-entries) == 0 )) && ok || bad "OSR although off: $(cat err.txt)"
# OSR: the top-level loop continues in compiled code after 1000 iterations
# (the knob waits for the code), so sq is hardly called by the interpreter.
KILN_OSR_THRESHOLD=1000 "$kiln" run --stats hot.relay >out.txt 2>err.txt || bad "OSR run failed: $(cat err.txt)"
[[ $(cat out.txt) == "8.999995500013889e+18 328350" ]] && ok || bad "OSR output: $(cat out.txt)"
(( $(stat osr-entries) == 1 && $(stat osr-compiled) == 1 )) && ok || bad "OSR entries: $(cat err.txt)"
(( $(stat interpreted-calls) + $(stat native-calls) < 2000 )) && ok || bad "OSR: calls outside OSR code: $(cat err.txt)"
# By default (after a delay, in the background), the same output.
"$kiln" run hot.relay >out.txt 2>err.txt || bad "default router run failed: $(cat err.txt)"
[[ $(cat out.txt) == "8.999995500013889e+18 328350" ]] && ok || bad "default router output: $(cat out.txt)"
KILN_OSR_THRESHOLD=x "$kiln" run hot.relay >out.txt 2>err.txt
[[ $? == 2 && $(cat err.txt) == *"KILN_OSR_THRESHOLD must be a count of loop iterations, not 'x'"* ]] &&
  ok || bad "bad KILN_OSR_THRESHOLD: $(cat err.txt)"
# Interpreter only: nothing compiled.
"$kiln" run --stats --mode=interp hot.relay >out.txt 2>err.txt
(( $(stat compilations) == 0 )) && ok || bad "interp compiled something"
# The cache: the second run of the same program compiles nothing.
"$kiln" run --stats --mode=jit hot.relay >out.txt 2>err.txt
(( $(stat compilations) == 1 )) && ok || bad "first jit run: $(cat err.txt)"
"$kiln" run --stats --mode=jit hot.relay >out.txt 2>err.txt
(( $(stat compilations) == 0 && $(stat cache-hits) == 1 )) && ok || bad "second jit run not cached: $(cat err.txt)"
"$kiln" run --stats --mode=jit --no-cache hot.relay >out.txt 2>err.txt
(( $(stat compilations) == 1 )) && ok || bad "--no-cache still cached"

# --timeout stops a runaway loop in every mode, JIT code included.
printf 'print("start")\nlet i = 0\nwhile true { i = i + 1 }\n' > loop.relay
for mode in interp jit auto; do
  timeout 20 "$kiln" run --mode=$mode --timeout 0.5 loop.relay >out.txt 2>err.txt
  status=$?
  [[ $status == 1 && $(cat out.txt) == start &&
     $(cat err.txt) == "runtime error: timeout: program ran longer than 0.5 seconds" ]] &&
    ok || bad "timeout [$mode]: status $status, $(cat err.txt)"
done
"$kiln" build loop.relay -o loop.exe --timeout 0.5 && timeout 20 ./loop.exe >out.txt 2>err.txt
[[ $? == 1 && $(cat err.txt) == "runtime error: timeout: program ran longer than 0.5 seconds" ]] &&
  ok || bad "timeout [aot]: $(cat err.txt)"
"$kiln" build loop.relay -o loop2.exe && KILN_TIMEOUT=0.5 timeout 20 ./loop2.exe >out.txt 2>err.txt
[[ $? == 1 ]] && ok || bad "KILN_TIMEOUT [aot]"

# --max-depth: the same limit and message in every mode.
printf 'fn d(n) { if n == 0 { return 0 }; return d(n - 1) + 1 }\nprint(d(50))\nprint(d(500))\n' > depth.relay
for mode in interp jit auto; do
  "$kiln" run --mode=$mode --max-depth 100 depth.relay >out.txt 2>err.txt
  [[ $? == 1 && $(cat out.txt) == 50 &&
     $(cat err.txt) == "depth.relay:1:4: runtime error: stack overflow: call depth exceeded 100" ]] &&
    ok || bad "max-depth [$mode]: $(cat out.txt) / $(cat err.txt)"
done
"$kiln" build depth.relay --max-depth 100 -o depth.exe && ./depth.exe >out.txt 2>err.txt
[[ $? == 1 && $(cat err.txt) == "depth.relay:1:4: runtime error: stack overflow: call depth exceeded 100" ]] &&
  ok || bad "max-depth [aot]: $(cat err.txt)"
# Very deep recursion with a high limit: no crash in any mode.
printf 'fn d(n) { if n == 0 { return 0 }; return d(n - 1) + 1 }\nprint(d(100000))\n' > deep.relay
for mode in interp jit auto; do
  [[ $("$kiln" run --mode=$mode --max-depth 200000 deep.relay 2>&1) == 100000 ]] && ok || bad "deep recursion [$mode]"
done

# Teaching outputs and build errors.
"$kiln" build hot.relay --emit=tokens >out.txt && grep -q "^1:1 'fn'$" out.txt && ok || bad "tokens"
"$kiln" build hot.relay --emit=ast >out.txt && grep -q "^fn sq(x: number) -> number" out.txt && ok || bad "ast: $(head -2 out.txt)"
"$kiln" build hot.relay --emit=ll -O0 -o hot.ll && grep -q "define internal double @relay.sq(double" hot.ll && ok || bad "ll"
"$kiln" build hot.relay --emit=obj --target aarch64-linux-gnu -o hot.o && file hot.o | grep -q aarch64 && ok || bad "aarch64 obj"
"$kiln" build hot.relay >out.txt 2>err.txt
[[ $? == 2 && $(cat err.txt) == "kiln: error: \`kiln build\` needs -o OUTPUT" ]] && ok || bad "build without -o: $(cat err.txt)"
"$kiln" run --mode=fast hot.relay >out.txt 2>err.txt
[[ $? == 2 && $(cat err.txt) == "kiln: error: unknown mode 'fast' (use interp, jit or auto) (see \`kiln run --help\`)" ]] && ok || bad "bad mode: $(cat err.txt)"
"$kiln" run missing.relay >out.txt 2>err.txt
[[ $? == 1 && $(cat err.txt) == "kiln: error: cannot open 'missing.relay': No such file or directory" ]] && ok || bad "missing file: $(cat err.txt)"
printf 'let x = 1\nx = true\n' > broken.relay
"$kiln" build broken.relay -o broken.exe >out.txt 2>err.txt
[[ $? == 1 && ! -e broken.exe ]] && ok || bad "failed build left output"
"$kiln" run --time --mode=jit hot.relay >out.txt 2>err.txt
grep -q "^irgen " err.txt && grep -q "^run " err.txt && ok || bad "--time table: $(cat err.txt)"

# The REPL: definitions kept and replaceable, variables persist, errors
# reported with their place in the entry, multi-line entries.
printf 'fn sq(x) { return x * x }\nlet a = [1, 2]\nprint(sq(3), a)\na.push(sq(4))\nfn sq(x) {\n  return x * x * x\n}\nprint(sq(3), a, len(a))\nprint(q)\nlet a = 7\nprint(a + 1)\n' |
  "$kiln" repl --stats >out.txt 2>err.txt
status=$?
printf '9 [1, 2]\n27 [1, 2, 16] 3\n8\n' > want.txt
diff -u want.txt out.txt >/dev/null && ok || bad "repl output: $(cat out.txt)"
[[ $status == 1 ]] && grep -q "^<repl>:1:7: error: unknown variable 'q'$" err.txt && ok || bad "repl errors: $(cat err.txt)"
grep -q "stats: functions-compiled" err.txt && ok || bad "repl stats"
# kiln run runs on the host: --target/--cpu are refused, as for IR input
# (they were silently ignored for .relay files).
printf 'print(1)\n' > one.relay
for flag in "--target aarch64-linux-gnu" "--cpu znver4"; do
  "$kiln" run one.relay $flag >out.txt 2>err.txt
  status=$?
  [[ $status == 2 && ! -s out.txt ]] && grep -q "for \`kiln build\`" err.txt && ok ||
    bad "run $flag: status $status: $(cat err.txt)"
done
# Every -O level reaches the session (kiln repl once turned -O1 and -O3
# into -O2; the stats line names the level the session compiles at).
for level in O0 O1 O2 O3 Os Oz; do
  echo 'print(1)' | "$kiln" repl -$level --stats >out.txt 2>err.txt
  grep -q " level $level$" err.txt && ok || bad "repl -$level: $(cat err.txt)"
done

finish "relay-cli"
