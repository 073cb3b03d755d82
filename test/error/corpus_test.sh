#!/usr/bin/env bash
# corpus: the bad-input corpus (issue 15). Every file in test/error/corpus/
# is one malformed, hostile or extreme input; its expected stderr (exact,
# byte for byte) and exit status are pinned in sidecar files next to it:
#   NAME.stderr, NAME.status              what the run commands give
#   NAME.build.stderr, NAME.build.status  what the build commands give, when
#                                         that differs from the run commands
# The commands come from the extension (the case runs in an empty scratch
# directory as ./NAME.EXT, so the diagnostics name the file the same way
# wherever the tree is):
#   .relay  run: kiln run --mode=interp|jit|auto FILE (all three must agree)
#           build: kiln build FILE -o out (when it succeeds, ./out must end
#           like the run commands: the AOT executable is the fourth mode)
#   .tk     run: kiln tensor run FILE     build: kiln tensor build FILE -o lib.so
#   .ll .bc run: kiln run FILE            build: kiln compile FILE --emit=obj -o out.o
#   .dsp    run: kiln faust render FILE -o out.wav --seconds 0.01
# A first line `// FLAGS: ARGS` (`; FLAGS: ARGS` in .ll) puts ARGS before
# FILE in every command of the case, `// RUN: ARGS` only in the run
# commands; `NOBUILD` among the ARGS of either skips the build commands.
# Every command must end without a crash (signal, LLVM ERROR, stack dump,
# internal error) or a hang, and a command that fails must leave nothing in
# its directory but the input (no output file, no temporary).
#
# Usage: corpus_test.sh KILN CLANG19 SRC_ROOT [--regenerate] [NAME-GLOB]
# --regenerate rewrites the sidecars from what Kiln does now; review every
# changed sidecar by hand (git diff test/error/corpus) before committing.
set -uo pipefail
source "$(dirname "$0")/harness.sh"
shopt -s nullglob dotglob
regen=0 only='*'
[[ ${4:-} == --regenerate ]] && { regen=1; shift; }
[[ -n ${4:-} ]] && only=$4
corpus=$src/test/error/corpus

# flags FILE KEY: the ARGS of a first-line `// KEY: ARGS` or `; KEY: ARGS`.
flags() {
  local first=
  IFS= read -r first < "$1" 2>/dev/null || true
  [[ $first =~ ^(//|\;)\ $2:\ (.*)$ ]] && echo "${BASH_REMATCH[2]}"
}

# commands EXT PATH FILE: prints the case's commands, one per line, as
# "GROUP ARGS..." (GROUP: run or build).
commands() {
  local ext=$1 f=$3 all run
  all=$(flags "$2" FLAGS) run=$(flags "$2" RUN)
  local nobuild=0
  [[ " $all $run " == *" NOBUILD "* ]] && nobuild=1
  all=${all//NOBUILD/} run=${run//NOBUILD/}
  case $ext in
  relay)
    for mode in interp jit auto; do echo "run run --mode=$mode $all $run $f"; done
    (( nobuild )) || echo "build build $all $f -o out" ;;
  tk)
    echo "run tensor run $all $run $f"
    (( nobuild )) || echo "build tensor build $all $f -o lib.so" ;;
  ll | bc)
    echo "run run $all $run $f"
    (( nobuild )) || echo "build compile $all $f --emit=obj -o out.o" ;;
  dsp)
    echo "run faust render $all $run $f -o out.wav --seconds 0.01" ;;
  esac
}

# run_one DIR FILE ARGS...: runs kiln in DIR; sets st (status) and leaves
# its stderr in $work/err; checks for crashes, hangs and left-over files.
run_one() {
  local dir=$1 file=$2; shift 2
  (cd "$dir" && timeout 60 "$kiln" "$@" >"$work/out" 2>"$work/err" </dev/null)
  st=$?
  local what="$case: kiln $*"
  (( st == 124 )) && { bad "$what: hung"; return 1; }
  if crashed "$st" "$work/err"; then
    bad "$what: crashed (status $st)"; sed 's/^/    /' "$work/err" | head -20; return 1
  fi
  local left=("$dir"/*)
  if (( st != 0 )) && [[ ${left[*]} != "$dir/$file" ]]; then
    bad "$what: failed but left: ${left[*]#"$dir/"}"; return 1
  fi
  return 0
}

# expect WHAT STATUS_FILE STDERR_FILE: compares the last run with a sidecar
# pair (or writes it with --regenerate).
expect() {
  local what=$1 sfile=$2 efile=$3
  if (( regen )); then
    echo "$st" > "$sfile"; cp "$work/err" "$efile"; return 0
  fi
  [[ -f $sfile && -f $efile ]] || { bad "$what: no $(basename "$efile")"; return 1; }
  local good=1
  [[ $st == "$(cat "$sfile")" ]] || { bad "$what: status $st, expected $(cat "$sfile")"; good=0; }
  if ! cmp -s "$work/err" "$efile"; then
    bad "$what: stderr differs"; diff "$efile" "$work/err" | head -20 | sed 's/^/    /'; good=0
  fi
  (( good ))
}

# agree WHAT: the last run gave the same status and stderr as the first run
# of its group ($ref_st, $work/ref_err).
agree() {
  [[ $st == "$ref_st" ]] && cmp -s "$work/err" "$work/ref_err" && return 0
  bad "$1: status $st and stderr differ from the group's first command"
  diff "$work/ref_err" "$work/err" | head -10 | sed 's/^/    /'
  return 1
}

run_case() {
  local path=$1 file ext dir base
  file=$(basename "$path") ext=${path##*.} base=${path%.*}
  case=${path#"$corpus"/}
  dir=$work/case
  local group args last_group= good=1 run_st=0
  local fresh=0
  while read -r group args; do
    # A fresh directory only after a command that may have written there.
    if (( ! fresh )); then rm -rf "$dir"; mkdir "$dir"; cp "$path" "$dir/$file"; fresh=1; fi
    # shellcheck disable=SC2086
    run_one "$dir" "$file" $args || { good=0; fresh=0; continue; }
    (( st == 0 )) && fresh=0
    if [[ $group != "$last_group" ]]; then
      last_group=$group ref_st=$st; cp "$work/err" "$work/ref_err"
      if [[ $group == run ]]; then
        run_st=$st; cp "$work/err" "$work/run_err"
        expect "$case [$args]" "$base.status" "$base.stderr" || good=0
      elif (( regen )) && [[ $st == "$run_st" ]] && cmp -s "$work/err" "$work/run_err"; then
        rm -f "$base.build.status" "$base.build.stderr"
      elif [[ -f $base.build.status ]] || (( regen )); then
        expect "$case [$args]" "$base.build.status" "$base.build.stderr" || good=0
      else
        [[ $st == "$run_st" ]] && cmp -s "$work/err" "$work/run_err" ||
          { bad "$case [$args]: differs from the run commands"; diff "$work/run_err" "$work/err" | head -10; good=0; }
      fi
    else
      agree "$case [$args]" || good=0
    fi
    # The AOT executable is the fourth Relay mode: it ends as the run did.
    if [[ $ext == relay && $group == build && $st == 0 ]]; then
      (cd "$dir" && timeout 60 ./out >"$work/out" 2>"$work/err" </dev/null)
      st=$?
      [[ $st == "$run_st" ]] && cmp -s "$work/err" "$work/run_err" ||
        { bad "$case [./out]: status $st / stderr differ from kiln run"; diff "$work/run_err" "$work/err" | head -10; good=0; }
    fi
  done < <(commands "$ext" "$path" "$file")
  (( good )) && ok
}

cases=0
for path in "$corpus"/*/$only; do
  [[ -f $path ]] || continue
  case $path in *.stderr | *.status) continue ;; esac
  case ${path##*.} in relay | tk | ll | bc | dsp) ;; *) continue ;; esac
  cases=$((cases + 1))
  run_case "$path"
done
(( cases >= 200 )) || [[ $only != '*' ]] || bad "the corpus has $cases cases (at least 200 expected)"
finish error.corpus
