#!/usr/bin/env bash
# faust_cli_test (e2e.faust.cli): `kiln faust info|render|compile|bench` on
# the examples — outputs, determinism, parameters, soundfile playback,
# object/bitcode/machine emission — and the exact error lines of bad input,
# with exit status 1 (2 for misuse) and no output file left behind.
#   faust_cli_test.sh KILN EXAMPLES_DIR
set -uo pipefail
kiln=$1 ex=$2
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/harness.sh"
if ! command -v "${KILN_FAUST:-faust}" >/dev/null; then
  echo "SKIP: the faust compiler is not on PATH (install Debian's faust package)"
  exit 0
fi
# The data size of a WAV written by kiln: frames * channels * 4.
datasize() { /usr/bin/python3 -c "import sys; d=open(sys.argv[1],'rb').read(); i=d.find(b'data'); print(int.from_bytes(d[i+4:i+8],'little'))" "$1"; }

# info: channels, parameters with their ranges, metadata.
"$kiln" faust info "$ex/osc.dsp" >out.txt 2>err.txt || bad "info failed: $(cat err.txt)"
grep -qx "inputs: 0" out.txt && grep -qx "outputs: 1" out.txt && ok || bad "info channels: $(cat out.txt)"
grep -qx "  /osc/freq hslider init 440 min 20 max 8000 step 1" out.txt && ok || bad "info freq: $(cat out.txt)"
grep -qx "  name: osc" out.txt && ok || bad "info metadata: $(cat out.txt)"
"$kiln" faust info "$ex/onepole.dsp" >out.txt && grep -qx "inputs: 2" out.txt && ok || bad "onepole info: $(cat out.txt)"

# render: exact length, deterministic, parameters change the output.
"$kiln" faust render "$ex/osc.dsp" -o a.wav --seconds 0.5 2>err.txt || bad "render failed: $(cat err.txt)"
[[ $(datasize a.wav) == $((22050 * 4)) ]] && ok || bad "render length: $(datasize a.wav)"
"$kiln" faust render "$ex/osc.dsp" -o b.wav --seconds 0.5 && cmp -s a.wav b.wav && ok || bad "render is not deterministic"
"$kiln" faust render "$ex/osc.dsp" -o c.wav --seconds 0.5 --set /osc/freq=1000 && ! cmp -s a.wav c.wav && ok || bad "--set freq changed nothing"
"$kiln" faust render "$ex/osc.dsp" -o d.wav --seconds 0.5 --set /osc/gain=0
/usr/bin/python3 -c "import sys, array; d=open('d.wav','rb').read(); i=d.find(b'data'); sys.exit(any(array.array('f', d[i+8:])))" && ok || bad "gain 0 is not silent"
# Inputs: the test signal by default, or a WAV; two channels in, two out.
"$kiln" faust render "$ex/onepole.dsp" -o st.wav --seconds 0.25 && [[ $(datasize st.wav) == $((11025 * 8)) ]] && ok || bad "stereo render"
"$kiln" faust render "$ex/onepole.dsp" -o st2.wav --seconds 0.25 --in st.wav && ! cmp -s st.wav st2.wav && ok || bad "--in render"
"$kiln" faust render "$ex/onepole.dsp" -o st3.wav --seconds 0.25 --set /onepole/pole=0 --in st.wav && cmp -s st.wav st3.wav && ok || bad "pole 0 is not the identity"
# -O levels (libfaust's -O0..-O4 and Kiln's -Os/-Oz), --double and --vec all render.
for flags in -O0 -O1 -O4 -Os -Oz --double --vec; do
  "$kiln" faust render "$ex/osc.dsp" -o f.wav --seconds 0.1 $flags 2>err.txt && [[ -s f.wav ]] && ok || bad "render $flags: $(cat err.txt)"
done

# Soundfile playback: the player plays tone.wav sample for sample.
cp "$ex/player.dsp" .
"$kiln" faust render "$ex/osc.dsp" -o tone.wav --seconds 0.2 --set /osc/freq=300
"$kiln" faust render player.dsp -o played.wav --seconds 0.2 2>err.txt && cmp -s tone.wav played.wav && ok || bad "soundfile playback differs: $(cat err.txt)"

mkdir nosound && cp "$ex/player.dsp" nosound/
"$kiln" faust render nosound/player.dsp -o nosound/p.wav --seconds 0.05 2>err.txt &&
  [[ "$(cat err.txt)" == "kiln: warning: cannot open soundfile 'nosound/tone.wav'; it plays silence" ]] &&
  ok || bad "missing soundfile warning: $(cat err.txt)"

# The factory cache: a second render of the same DSP runs no faust; --no-cache does.
export KILN_CACHE_DIR=$work/cache2
"$kiln" faust render "$ex/osc.dsp" -o k1.wav --seconds 0.1 --time 2>err.txt && grep -q "^faust " err.txt && ok || bad "first render did not compile: $(cat err.txt)"
"$kiln" faust render "$ex/osc.dsp" -o k2.wav --seconds 0.1 --time 2>err.txt && ! grep -q "^faust " err.txt && cmp -s k1.wav k2.wav && ok || bad "second render not cached: $(cat err.txt)"
"$kiln" faust render "$ex/osc.dsp" -o k3.wav --seconds 0.1 --time --no-cache 2>err.txt && grep -q "^faust " err.txt && cmp -s k1.wav k3.wav && ok || bad "--no-cache: $(cat err.txt)"

# compile: object for the host and another target, bitcode, IR, machine code.
"$kiln" faust compile "$ex/osc.dsp" --emit=obj -o osc.o && head -c 4 osc.o | grep -q ELF && ok || bad "compile obj"
"$kiln" faust compile "$ex/osc.dsp" --emit=obj --target aarch64-linux-gnu -o arm.o &&
  [[ $(od -An -tu2 -j18 -N2 arm.o | tr -d ' ') == 183 ]] && ok || bad "compile aarch64 obj"
"$kiln" faust compile "$ex/osc.dsp" --emit=bc -o osc.bc && [[ $(head -c 2 osc.bc) == BC ]] && ok || bad "compile bc"
"$kiln" faust compile "$ex/osc.dsp" --emit=ll -o osc.ll && grep -q "define void @computemydsp" osc.ll && ok || bad "compile ll"
# Machine code: both halves (version 2) when compiled on two threads, one
# object (version 1) when compiled whole.
if (( $(nproc) > 1 )); then
  "$kiln" faust compile "$ex/osc.dsp" --emit=machine -o osc.kfm && head -1 osc.kfm | grep -qx "KILN-FAUST-MACHINE 4" && ok || bad "compile machine (two threads)"
else
  echo "skip: one CPU, so no two-thread machine code to check"
fi
# The first factory of a process warms the compiler up while faust starts
# (once, and only when it compiles on two threads).
if (( $(nproc) > 1 )); then
  "$kiln" faust bench "$ex/osc.dsp" --seconds 0.01 --reps 1 --factories 2 --time >out.txt 2>&1 &&
    [[ $(grep -Ec '^warm-up +[0-9.]+$' out.txt) == 1 ]] && ok || bad "bench --time: no warm-up row: $(cat out.txt)"
else
  echo "skip: one CPU, so no warm-up to check"
fi
"$kiln" faust bench "$ex/osc.dsp" --seconds 0.01 --reps 1 --compile-threads 1 --time >out.txt 2>&1 &&
  ! grep -q '^warm-up' out.txt && ok || bad "bench --compile-threads 1 --time: a warm-up row: $(cat out.txt)"
"$kiln" faust compile "$ex/osc.dsp" --emit=machine --compile-threads 1 -o osc1.kfm && head -1 osc1.kfm | grep -qx "KILN-FAUST-MACHINE 3" && ok || bad "compile machine (one thread)"
(cd "$work" && "$kiln" faust compile "$ex/osc.dsp") && [[ -s osc.o ]] && ok || bad "compile default output"

# bench: exactly the three machine-readable lines.
"$kiln" faust bench "$ex/osc.dsp" --seconds 0.05 --reps 3 >out.txt 2>err.txt || bad "bench failed: $(cat err.txt)"
[[ $(wc -l <out.txt) == 3 ]] &&
  grep -Eq '^factory-ms: [0-9.]+$' out.txt &&
  grep -Eq '^ns-per-frame: [0-9.]+ \(min [0-9.]+, max [0-9.]+\)$' out.txt &&
  grep -qx 'mode: scalar' out.txt && ok || bad "bench output: $(cat out.txt)"
"$kiln" faust bench "$ex/osc.dsp" --seconds 0.05 --reps 3 --auto-vec >out.txt &&
  grep -Eq '^mode: (scalar|vec)$' out.txt && ok || bad "bench --auto-vec: $(cat out.txt)"

# Errors: exact lines, status, and no output file.
expect_error() { # STATUS EXPECTED-STDERR COMMAND...
  local status=$1 want=$2; shift 2
  rm -f out.wav
  "$@" >out.txt 2>err.txt
  local rc=$?
  [[ $rc == "$status" && "$(cat err.txt)" == "$want" && ! -e out.wav ]] && ok ||
    bad "$*: status $rc, stderr [$(cat err.txt)], want [$want]"
}
printf 'declare name "bad";\nprocess = _ +;\n' > bad.dsp
expect_error 1 $'bad.dsp:2:1: error: syntax error, unexpected ENDDEF\nprocess = _ +;\n^' \
  "$kiln" faust render bad.dsp -o out.wav
printf 'process = _ : foo;\n' > undef.dsp
expect_error 1 $'undef.dsp:1:15: error: undefined symbol : foo\nprocess = _ : foo;\n              ^' \
  "$kiln" faust render undef.dsp -o out.wav
printf 'process = _ : !;\n' > silent.dsp
expect_error 1 "silent.dsp: error: the Faust program has no output signal" \
  "$kiln" faust render silent.dsp -o out.wav
expect_error 1 "kiln: error: cannot open 'missing.dsp': No such file or directory" "$kiln" faust render missing.dsp -o out.wav
expect_error 1 "kiln: error: '$ex/osc.dsp' has no parameter '/osc/nope' (see \`kiln faust info $ex/osc.dsp\`)" \
  "$kiln" faust render "$ex/osc.dsp" -o out.wav --set /osc/nope=1
expect_error 1 "kiln: error: 'st.wav' has 2 channel(s) but '$ex/osc.dsp' takes 0 input(s)" \
  "$kiln" faust render "$ex/osc.dsp" -o out.wav --in st.wav
expect_error 1 "kiln: error: cannot run the Faust compiler '/nonexistent/faust': No such file or directory (install Debian's faust package, or name the binary with --faust PATH or \$KILN_FAUST)" \
  "$kiln" faust render "$ex/osc.dsp" -o out.wav --faust /nonexistent/faust
expect_error 2 "kiln: error: \`kiln faust render\` needs -o OUT.wav" "$kiln" faust render "$ex/osc.dsp"
expect_error 2 "kiln: error: unknown option '--bogus' (faust arguments go after \`--\`) (see \`kiln faust --help\`)" \
  "$kiln" faust render "$ex/osc.dsp" -o out.wav --bogus
expect_error 2 "kiln: error: --seconds needs a positive, finite number (see \`kiln faust --help\`)" \
  "$kiln" faust render "$ex/osc.dsp" -o out.wav --seconds -1
expect_error 2 "kiln: error: unknown \`kiln faust\` subcommand 'play' (use info, render, compile or bench)" \
  "$kiln" faust play "$ex/osc.dsp"
expect_error 2 "kiln: error: --compile-threads needs 1 or 2 (see \`kiln faust --help\`)" \
  "$kiln" faust render "$ex/osc.dsp" -o out.wav --compile-threads 3
expect_error 2 "kiln: error: unknown --emit 'exe' (use obj, ll, bc or machine)" \
  "$kiln" faust compile "$ex/osc.dsp" --emit=exe -o out.wav
expect_error 1 "kiln: error: unknown target triple 'bogus' (run \`kiln targets\` for the supported ones)" \
  "$kiln" faust compile "$ex/osc.dsp" --target bogus -o out.wav
ls "$work"/*.tmp* >/dev/null 2>&1 && bad "temporary files left behind" || ok

# --help after a subcommand prints the usage (it was "unknown option").
for sub in info render compile bench; do
  "$kiln" faust $sub --help >out.txt 2>err.txt && grep -q "^usage: kiln faust" out.txt && [[ ! -s err.txt ]] &&
    ok || bad "faust $sub --help: $(cat err.txt)"
done

finish "faust cli"
