#!/usr/bin/env bash
# faust_hostile_test: `kiln faust info|render|compile|bench` under hostile
# input — a DSP whose struct does not fit 32 bits, endless or absurd
# durations, empty, binary, deeply nested and non-file .dsp inputs, a faust
# that crashes or hangs, a `faust` directory on PATH. Each ends in one clear line and
# a non-zero status (or works), never a crash or a hang, and leaves no WAV.
set -uo pipefail
source "$(dirname "$0")/harness.sh"
if ! command -v "${KILN_FAUST:-faust}" >/dev/null; then
  echo "SKIP: the faust compiler is not on PATH (install Debian's faust package)"
  exit 77
fi

# nowav NAME FILE: the failed command left no output file behind.
nowav() { [[ ! -e $2 ]] && ok || { bad "$1: left $2 behind"; rm -f "$2"; }; }

printf 'process = _ @ 1000000000;\n' >big.dsp
printf 'import("stdfaust.lib");\nprocess = os.osc(440);\n' >osc.dsp
printf 'process = _ * 0.5;\n' >s.dsp

# --- a 4 GiB struct: faust's JSON says "size": 8 (wrapped at 32 bits) -------
big="kiln: error: 'big' needs 4294967304 bytes of instance memory (4.0 GiB); Kiln allocates at most 2 GiB for one DSP instance"
check big-render 1 "$big" "$kiln" faust render big.dsp -o big.wav
nowav big-render big.wav
check big-render-cached 1 "$big" "$kiln" faust render big.dsp -o big.wav
nowav big-render-cached big.wav
check big-bench 1 "$big" "$kiln" faust bench big.dsp --seconds 0.01 --reps 1
"$kiln" faust compile big.dsp --emit=machine -o big.kfm 2>err.txt &&
  grep -q -a -x "size 4294967304" big.kfm && ok || bad "big-machine: no size line: $(cat err.txt)"

# --- durations: finite, positive, within the render budget ------------------
for s in inf -inf nan 0 -1; do
  check "seconds-$s" 2 "kiln: error: --seconds needs a positive, finite number" \
    "$kiln" faust render osc.dsp -o o.wav --seconds "$s"
  nowav "seconds-$s" o.wav
done
check seconds-1e30 1 "kiln: error: --seconds 1e+30 is too long to render: 'osc.dsp' would need 3.29e+26 GiB of sample buffers; Kiln renders at most 1 GiB (3043 s of this DSP)" \
  "$kiln" faust render osc.dsp -o o.wav --seconds 1e30
nowav seconds-1e30 o.wav
check seconds-100000 1 "kiln: error: --seconds 100000 is too long to render: 'osc.dsp' would need 32.9 GiB of sample buffers; Kiln renders at most 1 GiB (3043 s of this DSP)" \
  "$kiln" faust render osc.dsp -o o.wav --seconds 100000
nowav seconds-100000 o.wav
check bench-seconds 2 "kiln: error: \`kiln faust bench\` runs at most --seconds 3600" \
  "$kiln" faust bench osc.dsp --seconds 100000
check set-nan 2 "kiln: error: --set needs /path=value with a finite value, not '/osc/freq=nan'" \
  "$kiln" faust render osc.dsp -o o.wav --set /osc/freq=nan
check render-tiny 0 - "$kiln" faust render osc.dsp -o o.wav --seconds 1e-9
rm -f o.wav
printf 'process = par(i, 1100, 0);\n' >wide.dsp
check wav-channels 1 "kiln: error: 'wide.dsp' has 1100 outputs; a WAV file holds at most 1024 channels" \
  "$kiln" faust render wide.dsp -o o.wav --seconds 0.01
nowav wav-channels o.wav
printf 'process = par(i, 1000, 0);\n' >wide.dsp
check wide-seconds 1 "kiln: error: --seconds 4 is too long to render: 'wide.dsp' would need 1.31 GiB of sample buffers; Kiln renders at most 1 GiB (3 s of this DSP)" \
  "$kiln" faust render wide.dsp -o o.wav --seconds 4

# --- equal text in a.dsp and b.dsp is two DSPs (faust names them by file) --
printf 'process = hslider("f", 1, 0, 10, 1);\n' >a.dsp
cp a.dsp b.dsp
check name-a 0 - "$kiln" faust info a.dsp
check name-b 0 - "$kiln" faust render b.dsp -o b.wav --seconds 0.01 --set /b/f=2
"$kiln" faust info b.dsp 2>&1 | grep -qx "name: b" && ok || bad "name-b: info does not say 'name: b'"
rm -f b.wav

# --- .dsp inputs: empty, a directory, a FIFO, a device, binary, nested -----
: >empty.dsp
check empty 1 "empty.dsp: error: no 'process' definition (faust: undefined symbol : process)" \
  "$kiln" faust render empty.dsp -o o.wav
nowav empty o.wav
mkdir dir.dsp
for sub in "info" "render -o o.wav" "compile --emit=ll -o o.ll" "bench"; do
  set -- $sub
  check "dir-$1" 1 "kiln: error: cannot read 'dir.dsp': it is a directory" \
    "$kiln" faust "$1" dir.dsp "${@:2}"
done
nowav dir-render o.wav
mkfifo fifo.dsp
check fifo 1 "kiln: error: cannot read 'fifo.dsp': it is a pipe or socket, not a regular file" \
  "$kiln" faust info fifo.dsp
check dev-zero 1 "kiln: error: cannot read '/dev/zero': it is a device, not a regular file" \
  "$kiln" faust info /dev/zero
printf 'process = \xff\xfe\x00abc;\n' >bin.dsp
check binary 1 "bin.dsp:1:1: error: syntax error" "$kiln" faust info bin.dsp
LC_ALL=C grep -q -P '[\x00-\x08\x80-\xff]' err.txt && bad "binary: raw bytes in the message" || ok
python3 -c "print('process = ' + '('*10000 + '1' + ')'*10000 + ';')" >nest.dsp
check nested 0 - "$kiln" faust info nest.dsp

# --- --in: a FIFO blocked forever, a directory -------------------------------
printf 'process = _, _ : +;\n' >two.dsp
mkfifo pipe.wav
check in-fifo 1 "kiln: error: cannot read 'pipe.wav': it is not a regular file" \
  "$kiln" faust render two.dsp -o o.wav --in pipe.wav
check in-dir 1 "kiln: error: cannot read 'dir.dsp': it is a directory" \
  "$kiln" faust render two.dsp -o o.wav --in dir.dsp
nowav in-dir o.wav

# --- the faust binary: crashing, a directory, a `faust` directory on PATH ---
printf '#!/bin/sh\nkill -SEGV $$\n' >crash-faust && chmod +x crash-faust
check faust-crash 1 "kiln: error: the Faust compiler was killed by signal 11 (SIGSEGV)" \
  "$kiln" faust info s.dsp --no-cache --faust ./crash-faust
check faust-dir 1 "kiln: error: cannot run the Faust compiler './dir.dsp': Is a directory" \
  "$kiln" faust info s.dsp --no-cache --faust ./dir.dsp
real=$(command -v faust)
mkdir -p shadow/faust bin && ln -s "$real" bin/faust
check path-dir 0 - env -u KILN_FAUST PATH="$PWD/shadow:$PWD/bin:/usr/bin:/bin" \
  "$kiln" faust info s.dsp --no-cache

# --- faust hung on a FIFO it imports: stopped at $KILN_FAUST_TIMEOUT ---------
printf 'import("%s/fifo.dsp");\nprocess = _;\n' "$PWD" >imports-fifo.dsp
check faust-timeout 1 "kiln: error: the Faust compiler did not finish within 1 s and was stopped (set KILN_FAUST_TIMEOUT to allow longer)" \
  env KILN_FAUST_TIMEOUT=1 "$kiln" faust render imports-fifo.dsp -o o.wav --no-cache
nowav faust-timeout o.wav
check faust-timeout-abc 1 "kiln: error: KILN_FAUST_TIMEOUT must be a positive number of seconds, not 'abc'" \
  env KILN_FAUST_TIMEOUT=abc "$kiln" faust info s.dsp --no-cache
# faust 2.54 itself loops forever on a delay in [2^30, 2^31): stopped the same way
printf 'process = @(1<<30);\n' >huge-delay.dsp
check faust-huge-delay 1 "kiln: error: the Faust compiler did not finish within 1 s and was stopped (set KILN_FAUST_TIMEOUT to allow longer)" \
  env KILN_FAUST_TIMEOUT=1 "$kiln" faust render huge-delay.dsp -o o.wav --no-cache
# an option that needs a value, given last: faust took Kiln's -lang for it
check faust-option-no-value 1 "kiln: error: the Faust option '-I' needs a value (<dir>) after it" \
  "$kiln" faust info s.dsp --no-cache -- -I

# faust echoes a 300,000-character name in its error line; parsing that line
# with std::regex recursed once per character and overflowed the stack.
python3 -c "print('process = ' + 'a' * 300000 + ';')" >long.dsp
check long-error-line 1 "long.dsp:1:11: error: undefined symbol : aaaa" \
  "$kiln" faust render long.dsp -o long.wav --no-cache
nowav long-error-line long.wav

finish error.faust_hostile
