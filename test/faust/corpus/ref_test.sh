#!/usr/bin/env bash
# faust.ref.libfaust: kiln_faust_ref (libfaust's LLVM backend and its
# interpreter, used by `scripts/bench faust`) renders like the g++ reference
# on a few DSPs, prints the bench lines the report parses, and rejects bad
# input with one error line, a non-zero exit and no output file.
#   ref_test.sh PYTHON KILN_FAUST_REF CORPUS_DIR --root SRC --cache DIR
set -uo pipefail
py=$1 ref=$2 here=$3
shift 3
ex=/usr/share/doc/faust-common/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for backend in llvm interp; do
  "$py" "$here/run_corpus.py" --impl "libfaust-$backend" --ref "$ref" "$@" --require-all \
    generator/osc.dsp filtering/moogVCF.dsp reverb/freeverb.dsp misc/mixer.dsp \
    || fail "libfaust-$backend differs from the g++ reference (lines above)"
done

out=$("$ref" bench --backend llvm "$ex/generator/osc.dsp" --seconds 0.05 --reps 3 -- -vec)
grep -Eq '^factory-ms: [0-9.]+$' <<<"$out" || fail "bench: no factory-ms line in: $out"
grep -Eq '^ns-per-frame: [0-9.]+ \(min [0-9.]+, max [0-9.]+\)$' <<<"$out" \
  || fail "bench: no ns-per-frame line in: $out"

expect_error() { # expect_error STATUS PATTERN ARGS...: exit STATUS, PATTERN on stderr
  local want=$1 pat=$2
  shift 2
  "$ref" "$@" >/dev/null 2>"$work/err"
  local rc=$?
  [[ $rc == "$want" ]] || fail "'$*' exited $rc, expected $want"
  grep -q -- "$pat" "$work/err" || fail "'$*' said '$(cat "$work/err")', expected '$pat'"
  [[ ! -e $work/out.wav ]] || fail "'$*' left $work/out.wav behind"
  rm -f "$work/out.wav"
}
printf 'import("stdfaust.lib");\nprocess = os.osc(440) : nosuchthing;\n' >"$work/bad.dsp"
printf 'process = 0 : !;\n' >"$work/silent.dsp"
expect_error 1 "bad.dsp : 2 : ERROR : undefined symbol : nosuchthing" \
  render --backend llvm "$work/bad.dsp" -o "$work/out.wav"
expect_error 1 "undefined symbol : nosuchthing" \
  render --backend interp "$work/bad.dsp" -o "$work/out.wav"
expect_error 1 "no output" render --backend llvm "$work/silent.dsp" -o "$work/out.wav"
expect_error 1 "cannot read '$work/none.dsp'" bench --backend llvm "$work/none.dsp"
expect_error 2 "unknown backend 'gcc'" bench --backend gcc "$ex/generator/osc.dsp"
expect_error 2 "render needs -o" render --backend llvm "$ex/generator/osc.dsp"
expect_error 2 "--seconds needs" render --backend llvm "$ex/generator/osc.dsp" \
  -o "$work/out.wav" --seconds -1
expect_error 1 "no parameter '/nope'" render --backend llvm "$ex/generator/osc.dsp" \
  -o "$work/out.wav" --set /nope=1

if ((fails)); then
  echo "faust.ref.libfaust: $fails failure(s)"
  exit 1
fi
echo "faust.ref.libfaust: all checks passed"
