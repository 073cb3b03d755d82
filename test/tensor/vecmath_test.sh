#!/usr/bin/env bash
# vecmath_test: which libmvec variants the tensor kernels call, per CPU.
# AVX-512 CPUs whose LLVM tuning uses 512-bit vectors (znver4/5) call the
# 'e' variants (_ZGVeN16v_*f, _ZGVeN8v_*); AVX2 CPUs call exactly the 'd'
# variants they called before those were registered, SSE-only CPUs the 'b'
# ones, and Intel AVX-512 CPUs (LLVM prefers 256-bit vectors there) the 'd'
# ones. Emission for another CPU needs no such host; the AOT libraries are
# checked for their libmvec dependency and undefined vector symbols.
#   vecmath_test.sh KILN TEST_DIR
set -uo pipefail
kiln=$1 tests=$2
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/harness.sh"
tk=$tests/vecmath/math.tk

# vector_calls CPU: the sorted libmvec symbols the kernels' asm calls (or
# the error, which then fails the comparison).
vector_calls() {
  "$kiln" tensor build "$tk" --emit asm --cpu "$1" -o "$1.s" 2>err.txt \
    || { echo "error: $(cat err.txt)"; return; }
  grep -o '_ZGV[A-Za-z0-9_]*' "$1.s" | sort -u | tr '\n' ' '
}

d='_ZGVdN4v_cos _ZGVdN4v_exp _ZGVdN4v_log _ZGVdN4v_sin _ZGVdN4v_tanh _ZGVdN4vv_pow _ZGVdN8v_cosf _ZGVdN8v_expf _ZGVdN8v_logf _ZGVdN8v_sinf _ZGVdN8v_tanhf _ZGVdN8vv_powf '
b='_ZGVbN2v_cos _ZGVbN2v_exp _ZGVbN2v_log _ZGVbN2v_sin _ZGVbN2v_tanh _ZGVbN2vv_pow _ZGVbN4v_cosf _ZGVbN4v_expf _ZGVbN4v_logf _ZGVbN4v_sinf _ZGVbN4v_tanhf _ZGVbN4vv_powf '
for cpu in x86-64-v3 haswell skylake-avx512 x86-64-v4; do
  got=$(vector_calls $cpu)
  [[ $got == "$d" ]] && ok || bad "--cpu $cpu calls '$got', expected the AVX2 set '$d'"
done
got=$(vector_calls x86-64)
[[ $got == "$b" ]] && ok || bad "--cpu x86-64 calls '$got', expected the SSE set '$b'"

# znver4/5: every function at 16 f32 or 8 f64 lanes; the 'd' variants may
# remain in the vectorized epilogue (n mod 16 >= 8), never 'b' ones. f64
# exp, log, tanh and pow and f32 pow are Kiln's own routines
# (lib/core/VecMath.def), inlined into the kernels, not libmvec calls: no
# call of a kiln_vm_ routine is left, and their fast-path test (one
# kortest per vector) is there.
for cpu in znver4 znver5; do
  got=$(vector_calls $cpu)
  for sym in _ZGVeN16v_cosf _ZGVeN16v_expf _ZGVeN16v_logf _ZGVeN16v_sinf \
             _ZGVeN16v_tanhf _ZGVeN8v_cos _ZGVeN8v_sin; do
    [[ " $got" == *" $sym "* ]] && ok || bad "--cpu $cpu asm lacks $sym: '$got'"
  done
  for sym in _ZGVeN8v_exp _ZGVeN8v_log _ZGVeN8v_tanh _ZGVeN8vv_pow _ZGVeN16vv_powf; do
    [[ " $got" != *" $sym "* ]] && ok || bad "--cpu $cpu asm calls $sym: '$got'"
  done
  ! grep -q 'kiln_vm_' $cpu.s && grep -q 'kortest' $cpu.s && ok \
    || bad "--cpu $cpu asm calls a kiln_vm_ routine or has none inlined"
  [[ $got != *_ZGVb* ]] && ok || bad "--cpu $cpu calls SSE variants: '$got'"
  grep -q 'zmm' $cpu.s && ok || bad "--cpu $cpu asm uses no zmm register"
  # %rbp stays the frame pointer: libmvec's AVX-512 routines restore it
  # last, so no loop may keep a pointer in it across their calls.
  ! grep -q '(%rbp,' $cpu.s && grep -q 'movq	%rsp, %rbp' $cpu.s && ok \
    || bad "--cpu $cpu asm addresses through %rbp or sets up no frame"
done

# AOT: the library needs libmvec, and its undefined vector symbols are the
# ones its CPU runs (no AVX-512 variant in a library for an AVX2 CPU). The
# link uses the host's C compiler: x86-64 hosts only.
aot_cpus="x86-64-v3 znver5"
if [[ $(uname -m) != x86_64 ]]; then
  echo "note: AOT libraries not checked: the host is $(uname -m), not x86-64"
  aot_cpus=""
fi
for cpu in $aot_cpus; do
  "$kiln" tensor build "$tk" --cpu $cpu -o lib$cpu.so --header $cpu.h 2>err.txt \
    || { bad "build --cpu $cpu: $(cat err.txt)"; continue; }
  readelf -d lib$cpu.so | grep -q 'NEEDED.*\[libmvec\.so\.1\]' && ok \
    || bad "lib$cpu.so does not need libmvec.so.1: $(readelf -d lib$cpu.so | grep NEEDED)"
  nm -D --undefined-only lib$cpu.so | awk '{sub(/@.*/, "", $2); print $2}' | grep '^_ZGV' | sort -u >$cpu.syms
  if [[ $cpu == x86-64-v3 ]]; then
    grep -q '^_ZGVdN8v_tanhf$' $cpu.syms && ! grep -q '^_ZGVe' $cpu.syms && ok \
      || bad "lib$cpu.so's vector symbols: $(tr '\n' ' ' <$cpu.syms)"
  else
    grep -q '^_ZGVeN16v_tanhf$' $cpu.syms && grep -q '^_ZGVeN8v_sin$' $cpu.syms \
      && ! nm -D --undefined-only lib$cpu.so | grep -q kiln_vm_ && ok \
      || bad "lib$cpu.so's vector symbols: $(tr '\n' ' ' <$cpu.syms)"
  fi
done

finish vecmath
