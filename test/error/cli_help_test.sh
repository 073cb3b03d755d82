#!/usr/bin/env bash
# cli_help: `--help` on every `kiln` command and subcommand (issue 13: one
# option parser). Each prints its usage on stdout, nothing on stderr, and
# exits 0 — also `kiln help NAME`, and `--help` after other flags. Counts
# parse like numbers: `--n 1e6` is `--n 1000000`.
set -uo pipefail
source "$(dirname "$0")/harness.sh"

# help NAME USAGE_PREFIX CMD...: status 0, stdout starts with
# "usage: USAGE_PREFIX", lists at least one option, stderr empty.
help() {
  local name=$1 want=$2; shift 2
  check "$name" 0 - "$@"
  if ! head -1 out.txt | grep -q -F "usage: $want"; then
    bad "$name: first line '$(head -1 out.txt)', expected 'usage: $want...'"
  elif ! grep -q -e '--help' out.txt; then
    bad "$name: the help lists no options: $(head -5 out.txt)"
  elif [[ -s err.txt ]]; then
    bad "$name: stderr '$(head -3 err.txt)'"
  else
    ok
  fi
}

# Every command main.cpp lists, and every subcommand of tensor and faust.
for cmd in run compile targets build repl tensor faust; do
  help "$cmd --help" "kiln $cmd" "$kiln" $cmd --help
  help "$cmd -h" "kiln $cmd" "$kiln" $cmd -h
  help "help $cmd" "kiln $cmd" "$kiln" help $cmd
done
for sub in run build; do
  help "tensor $sub --help" "kiln tensor $sub" "$kiln" tensor $sub --help
  help "tensor $sub FILE --help" "kiln tensor $sub" "$kiln" tensor $sub k.tk -O2 --help
done
for sub in info render compile bench; do
  help "faust $sub --help" "kiln faust $sub" "$kiln" faust $sub --help
  help "faust $sub FILE --help" "kiln faust $sub" "$kiln" faust $sub x.dsp --time --help
done
help "compile FLAGS --help" "kiln compile" "$kiln" compile -O3 --emit=obj --help
# The list of commands is itself the help of `kiln`.
check "kiln --help" 0 - "$kiln" --help
for cmd in run compile targets build repl tensor faust; do
  grep -q "^  $cmd " out.txt && ok || bad "kiln --help does not list $cmd"
done

# Counts: 1e6 and 1000000 are the same --n; a fraction is not a count.
printf 'kernel twice(x: f32[]) -> f32[] = x * 2.0\n' >k.tk
check "--n 1e6" 0 - "$kiln" tensor run k.tk --n 1e6 --reps 1
sed -n 1p out.txt >sci.txt
check "--n 1000000" 0 - "$kiln" tensor run k.tk --n 1000000 --reps 1
[[ -s sci.txt && $(sed -n 1p out.txt) == "$(cat sci.txt)" ]] && ok ||
  bad "--n 1e6 gave '$(cat sci.txt)', --n 1000000 '$(sed -n 1p out.txt)'"
grep -q "n 1000000: checksum" sci.txt && ok || bad "--n 1e6 is not n 1000000: $(cat sci.txt)"
check "--n 2.5e0" 2 "--n needs a non-negative integer" "$kiln" tensor run k.tk --n 2.5e0

# One -O spelling: tensor takes -Os like every other command; a flag of a
# sibling subcommand says where it belongs.
check "tensor -Os" 0 - "$kiln" tensor run k.tk --n 1000 --reps 1 -Os
check "faust render --reps" 2 "option '--reps' applies to \`kiln faust bench\` only" \
  "$kiln" faust render x.dsp -o x.wav --reps 3
check "faust info -o" 2 "option '-o' applies to \`kiln faust render\` and \`kiln faust compile\` only" \
  "$kiln" faust info x.dsp -o x.wav

# Unknown flags stay one line with status 2, on every command.
for cmd in run compile build repl "tensor run" "faust info"; do
  check "$cmd --frobnicate" 2 "unknown option '--frobnicate'" "$kiln" $cmd --frobnicate x
  [[ $(wc -l <err.txt) == 1 ]] && ok || bad "$cmd --frobnicate: $(wc -l <err.txt) lines"
done

finish cli_help
