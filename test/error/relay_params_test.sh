#!/usr/bin/env bash
# relay_params: functions with hostile parameter counts (adversarial pass).
# A call takes at most 256 arguments (relay_hostile_calls), but a function
# could declare any number of parameters, and LLVM's interprocedural passes
# (CalledValuePropagation, IPSCCP) are quadratic in a function's arguments:
# a 20,000-parameter function that nothing calls did not compile at -O2
# within two minutes (4,000 parameters: 4.5 s). No call can pass more than
# 256 arguments, so a function now takes at most 256 parameters; the 257th
# is the same located error in every mode, in `build` and in the REPL.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# params N: `fn f(p0, ..., pN-1) { return p0 + pN-1 }` and a print.
params() {
  python3 -c 'import sys
n = int(sys.argv[1])
print("fn f(" + ", ".join("p%d" % i for i in range(n)) + ") { return p0 + p%d }" % (n - 1))
print("print(1)")' "$1"
}

# --- 20,000 and 257 parameters: one located error, quickly, everywhere ------
params 20000 >wide.relay
params 257 >over.relay
for file in wide over; do
  err="$file.relay:1:1432: error: too many parameters in function 'f' (more than 256)"
  for mode in interp auto; do
    check "$file [$mode]" 1 "$err" "$kiln" run --mode=$mode $file.relay
  done
  for o in 0 2; do
    check "$file [jit -O$o]" 1 "$err" "$kiln" run --mode=jit -O$o $file.relay
    rm -f $file.exe
    check "$file [build -O$o]" 1 "$err" "$kiln" build -O$o $file.relay -o $file.exe
    [[ -e $file.exe ]] && bad "$file [build -O$o]: a failed build left $file.exe"
  done
  timeout 60 "$kiln" repl <$file.relay >out.txt 2>err.txt
  status=$?
  [[ $status == 1 && $(head -n1 err.txt) == "<repl>:1:1432: error: too many parameters in function 'f' (more than 256)" ]] ||
    bad "$file [repl]: status $status, '$(head -n1 err.txt | head -c 200)'"
done

# --- 256 parameters: the limit itself compiles and runs at every level -----
python3 -c 'print("fn f(" + ", ".join("p%d" % i for i in range(256)) + ") { return p0 + p255 }")
print("print(f(" + ", ".join(str(i) for i in range(256)) + "))")' >at.relay
for mode in "--mode=interp" "--mode=auto" "--mode=jit -O0" "--mode=jit -O3"; do
  check "256 parameters [$mode]" 0 - "$kiln" run $mode at.relay
  [[ $(cat out.txt) == 255 ]] || bad "256 parameters [$mode]: printed '$(head -c 100 out.txt)'"
done
check "256 parameters [build -O2]" 0 - "$kiln" build -O2 at.relay -o at.exe
check "256 parameters [aot -O2]" 0 - ./at.exe
[[ $(cat out.txt) == 255 ]] || bad "256 parameters [aot]: printed '$(head -c 100 out.txt)'"

finish relay_params
