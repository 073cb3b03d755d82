#!/usr/bin/env bash
# output_files_test: `-o` onto devices, FIFOs, symlinks and the command's own
# input; inputs that are directories, FIFOs or endless devices; program
# output to a full device. Nothing may be replaced, clobbered, hung or lost.
# Device nodes are made inside the scratch directory (mknod, as root), never
# touched under /dev.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

"$clang" -S -emit-llvm -O0 -Xclang -disable-O0-optnone "$src/examples/ir/fib.c" -o fib.ll
cp "$src/examples/relay/fib.relay" fib.relay
printf 'kernel k(a: f32[]) -> f32[] = a * 2.0\n' >k.tk
printf 'process = _ * 0.5;\n' >s.dsp
sum() { md5sum "$1" | cut -d' ' -f1; }

# --- -o equal to an input is refused and the input is untouched -----------
for c in "ll:compile fib.ll --emit=ll -o fib.ll" "relay:build fib.relay -o fib.relay" \
         "relay-dot:build fib.relay -o ./././fib.relay" "tk:tensor build k.tk -o k.tk" \
         "tk-header:tensor build k.tk -o libk.so --header k.tk" "dsp:faust render s.dsp -o s.dsp"; do
  name=${c%%:*} cmd=${c#*:}; input=$(set -- $cmd; for a; do [[ -f $a ]] && { echo "$a"; break; }; done)
  before=$(sum "$input")
  check "self-$name" 1 "is the same file as input" "$kiln" $cmd
  [[ $(sum "$input") == "$before" ]] && ok || bad "self-$name: the input changed"
done
rm -f libk.so

# --- -o onto a FIFO: written through, the FIFO stays a FIFO ------------------
mkfifo pipe
timeout 60 cat pipe >from-pipe.s &
reader=$!
check fifo-asm 0 - "$kiln" compile fib.ll --emit=asm -o pipe
wait $reader
[[ -p pipe ]] && ok || bad "fifo: pipe was replaced"
grep -q "fib:" from-pipe.s && ok || bad "fifo: the assembly did not come through the pipe"
mkfifo pipe2
timeout 60 cat pipe2 >from-pipe.exe &
reader=$!
check fifo-exe 0 - "$kiln" compile fib.ll --emit=exe -o pipe2
wait $reader
[[ -p pipe2 ]] && ok || bad "fifo-exe: pipe2 was replaced"
[[ $(head -c4 from-pipe.exe | od -An -c | tr -d ' ') == 177ELF ]] && ok || bad "fifo-exe: no ELF came through"

# A FIFO nobody reads is an error, not a hang.
mkfifo unread
check fifo-no-reader 1 "cannot write 'unread': no process is reading it" \
  "$kiln" compile fib.ll --emit=asm -o unread
[[ -p unread ]] && ok || bad "fifo-no-reader: unread was replaced"

# A link to standard output when that is a pipe (what /dev/stdout is: a link
# to /proc/self/fd/1, whose target reads "pipe:[N]"), made here, not in /dev.
ln -s /proc/self/fd/1 mystdout
"$kiln" compile fib.ll --emit=asm -o mystdout 2>err.txt | cat >via-pipe.s
grep -q "fib:" via-pipe.s && [[ ! -s err.txt ]] && ok || bad "-o link-to-stdout-pipe: $(cat err.txt)"

# --- -o through a symlink: the link stays, its target is written -------------
ln -s real.s link.s
check symlink 0 - "$kiln" compile fib.ll --emit=asm -o link.s
[[ -L link.s && -f real.s ]] && grep -q "fib:" real.s && ok || bad "symlink: link replaced or target not written"
ln -s made-by-link.ll dangling.ll
check dangling-symlink 0 - "$kiln" compile fib.ll --emit=ll -o dangling.ll
[[ -L dangling.ll && -f made-by-link.ll ]] && ok || bad "dangling symlink: not written through"

# --- -o onto character devices made here (null, full): never replaced -------
if mknod null c 1 3 2>/dev/null && mknod full c 1 7 2>/dev/null && mknod zero c 1 5 2>/dev/null; then
  check dev-null-asm 0 - "$kiln" compile fib.ll --emit=asm -o null
  check dev-null-exe 0 - "$kiln" compile fib.ll --emit=exe -o null
  check dev-null-build 0 - "$kiln" build fib.relay -o null
  check dev-null-tensor 0 - "$kiln" tensor build k.tk -o null --header k.h
  check dev-null-wav 0 - "$kiln" faust render s.dsp -o null --seconds 0.1
  check dev-full-asm 1 "No space left on device" "$kiln" compile fib.ll --emit=asm -o full
  check dev-full-exe 1 "No space left on device" "$kiln" build fib.relay -o full
  for d in null full; do [[ -c $d ]] && ok || bad "$d is no longer a character device"; done
  # Program output that cannot be written is a failure, not status 0.
  check stdout-full-relay 1 "cannot write to standard output" bash -c "'$kiln' run fib.relay >full"
  check stdout-full-ir 1 "cannot write to standard output" bash -c "'$kiln' run fib.ll 20 >full"
  check stdout-full-targets 1 "cannot write to standard output" bash -c "'$kiln' targets >full"
  # Endless inputs are refused within the size limit, not read until memory ends.
  ln -s zero zero.relay; ln -s zero zero.ll; ln -s zero zero.tk
  check zero-relay 1 "larger than" "$kiln" run zero.relay
  check zero-ll 1 "larger than" "$kiln" run zero.ll
  check zero-tk 1 "larger than" "$kiln" tensor run zero.tk
else
  echo "note: mknod is not permitted here; the device-node cases were not run"
fi

# --- -o - is standard output -------------------------------------------------
check stdout-asm 0 - "$kiln" compile fib.ll --emit=asm -o -
grep -q "fib:" out.txt && ok || bad "-o -: no assembly on stdout"
[[ ! -e ./- ]] && ok || bad "-o - made a file named '-'"

# --- missing or odd output directories: one clear line, no temporaries -------
check no-dir-build 1 "cannot write '/nonexistent/x': directory '/nonexistent' does not exist" \
  "$kiln" build fib.relay -o /nonexistent/x
check no-dir-compile 1 "directory 'nodir' does not exist" "$kiln" compile fib.ll --emit=obj -o nodir/x.o
mkdir adir
check dir-output 1 "cannot write 'adir': it is a directory" "$kiln" compile fib.ll --emit=asm -o adir
check file-as-dir 1 "'fib.ll' is not a directory" "$kiln" compile fib.ll --emit=asm -o fib.ll/x.s
ls -a | grep -q "tmp-" && bad "a temporary file was left behind: $(ls -a | grep tmp-)" || ok

# --- inputs that are not files ----------------------------------------------
mkdir dir.relay dir.ll
check dir-input-relay 1 "cannot read 'dir.relay': it is a directory" "$kiln" run dir.relay
check dir-input-ll 1 "cannot read 'dir.ll': it is a directory" "$kiln" run dir.ll
mkfifo silent.ll
check fifo-input-no-writer 1 - "$kiln" run silent.ll

finish error.output_files
