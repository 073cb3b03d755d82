# tensor_adversarial_test.sh: inputs found by an adversarial pass over matrix
# products, graphs and axis reductions through `kiln tensor`, each pinned to
# its clear diagnostic (or its correct run) so a return of the defect fails.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

msg="\`kiln tensor run\` takes kernels only; a graph runs through compileGraph (C++, C, Python) or an AOT library (\`kiln tensor build\`, docs/tensor-graphs.md)"
# A graph after a kernel once got "expected an operator or the next 'kernel',
# found 'graph'" (the kernel's body looked for more operators).
printf 'kernel k(a: f64[]) -> f64[] = a * 2\ngraph g(x: f64[]) { y = x; return y }\n' > kg.tk
check run-graph-after-kernel 1 "kg.tk:2:1: error: $msg" "$kiln" tensor run kg.tk --kernel k --n 4
# `kiln tensor build` takes both into one library (docs/tensor-graphs.md).
check build-graph-after-kernel 0 - "$kiln" tensor build kg.tk -o kg.so
grep -q '^int k(' kg.h && grep -q '^int g_run(' kg.h && ok || bad "build-graph-after-kernel: kg.h lacks k or g_run"

# Huge and empty products: one sentence, or zeros, never a crash.
printf 'kernel k(a: f64[], b: f64[]) -> f64[] = a @ b\n' > mm.tk
check mm-k0 0 - "$kiln" tensor run mm.tk --shape a=3x0 --shape b=0x3 --reps 1
grep -q "checksum 0$" out.txt && ok || bad "mm-k0: K = 0 is not zeros: $(cat out.txt)"
check mm-m0 0 - "$kiln" tensor run mm.tk --shape a=0x3 --shape b=3x3 --reps 1
check mm-huge 2 "has too many elements" "$kiln" tensor run mm.tk --shape a=4294967296x4294967296 --shape b=4294967296x4294967296
check mm-inner 1 "inner dimensions differ" "$kiln" tensor run mm.tk --shape a=3x4 --shape b=5x3 --reps 1

finish error.tensor_adversarial
