# aot_threads_test.sh: the matrix products of a `kiln tensor build` library
# give the same bytes on KILN_THREADS = 1, 2 and 3 threads, and with
# KILN_THREADS unset or not a number (the CPUs online): square, skinny,
# tall (rows cut between threads) and f64 shapes, each above the 5 x 2^23
# flops (42 M) where the library starts threads. The driver is bench/tensor's
# aot_matmul_bench, which prints a hash of the output.
set -uo pipefail
kiln=$1 bench=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'kernel mm(a: f32[], b: f32[]) -> f32[] = a @ b\nkernel mm64(a: f64[], b: f64[]) -> f64[] = a @ b\n' >"$dir/m.tk"
"$kiln" tensor build "$dir/m.tk" -o "$dir/m.so" || { echo "FAIL: build"; exit 1; }
failed=0
for c in "mm f32 400x300x350" "mm f32 32x2048x1024" "mm f32 2000x256x96" "mm64 f64 257x257x400"; do
  read -r fn dtype shape <<<"$c"
  before=$failed failed=0
  want=$(KILN_THREADS=1 "$bench" "$dir/m.so" $fn $dtype $shape --reps 1 --min-ms 0 | sed 's/.*hash //')
  for t in 2 3 unset junk; do
    if [[ $t == unset ]]; then
      got=$(env -u KILN_THREADS "$bench" "$dir/m.so" $fn $dtype $shape --reps 1 --min-ms 0)
    else
      got=$(KILN_THREADS=$t "$bench" "$dir/m.so" $fn $dtype $shape --reps 1 --min-ms 0)
    fi
    if [[ -z $want || ${got##*hash } != "$want" ]]; then
      echo "FAIL: $c with KILN_THREADS=$t: '$got', 1 thread gave hash '$want'"
      failed=1
    fi
  done
  (( failed )) || echo "ok: $c (hash $want at every thread count)"
  (( failed |= before ))
done
exit $failed
