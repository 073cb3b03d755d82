#!/usr/bin/env bash
# C conformance runner: compiles each C program natively (reference) and via
# clang-19 -> LLVM IR/bitcode -> kiln (JIT at -O0..-O3, JIT at -O2 in an
# isolated executor (--isolate), bitcode at -O2, AOT exe at -O2) and checks that stdout and the exit status match byte-for-byte.
#
# usage: run_c_conformance.sh KILN_BINARY CLANG CC SOURCE_DIR
#   KILN_BINARY  path to the kiln CLI
#   CLANG        clang-19 (produces the .ll/.bc fed to kiln)
#   CC           native compiler for the reference executables (e.g. cc)
#   SOURCE_DIR   directory holding the *.c programs
#
# Every program is run with the fixed arguments: alpha "beta 2".
# Ends with the line "conformance: N passed, M failed", where N and M count
# program/mode checks; exits non-zero if M > 0.
set -euo pipefail

if [[ $# -ne 4 ]]; then
    echo "usage: $0 KILN_BINARY CLANG CC SOURCE_DIR" >&2
    exit 2
fi

KILN=$1
CLANG=$2
CC=$3
SRC_DIR=$4

for tool in "$KILN" "$CLANG" "$CC"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: '$tool' not found or not executable" >&2
        exit 2
    fi
done
if [[ ! -d "$SRC_DIR" ]]; then
    echo "error: source dir '$SRC_DIR' does not exist" >&2
    exit 2
fi
# Absolute paths, since we work in a temp dir.
KILN=$(command -v "$KILN")
case "$KILN" in /*) ;; *) KILN="$PWD/$KILN" ;; esac
SRC_DIR=$(cd "$SRC_DIR" && pwd)

# Per-run wall-clock limit (seconds); override with CONFORMANCE_TIMEOUT.
TIMEOUT_S=${CONFORMANCE_TIMEOUT:-120}
if command -v timeout >/dev/null 2>&1; then
    TIMEOUT=(timeout "$TIMEOUT_S")
else
    TIMEOUT=()
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-c-conformance.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export KILN_CACHE_DIR="$WORK/kiln-cache"
mkdir -p "$KILN_CACHE_DIR"

ARGS=(alpha "beta 2")
CLANG_IR_FLAGS=(-O0 -Xclang -disable-O0-optnone -fno-discard-value-names)

passed=0
failed=0

shopt -s nullglob
sources=("$SRC_DIR"/*.c)
shopt -u nullglob
if [[ ${#sources[@]} -eq 0 ]]; then
    echo "error: no .c files in $SRC_DIR" >&2
    exit 2
fi

# fail NAME MODE MESSAGE [LOGFILE...]: record a failure, print a line and logs.
fail() {
    local name=$1 mode=$2 msg=$3
    shift 3
    failed=$((failed + 1))
    echo "FAIL $name [$mode]: $msg"
    local f
    for f in "$@"; do
        if [[ -s "$f" ]]; then
            sed 's/^/    /' "$f"
        fi
    done
}

# run_capture OUTPREFIX CMD...: runs CMD, stdout -> OUTPREFIX.out,
# stderr -> OUTPREFIX.err, exit status -> OUTPREFIX.rc
run_capture() {
    local prefix=$1
    shift
    local rc=0
    "${TIMEOUT[@]}" "$@" >"$prefix.out" 2>"$prefix.err" </dev/null || rc=$?
    echo "$rc" >"$prefix.rc"
}

# compare NAME MODE REFPREFIX GOTPREFIX: compares stdout and exit status.
compare() {
    local name=$1 mode=$2 ref=$3 got=$4
    local ref_rc got_rc ok=1
    ref_rc=$(<"$ref.rc")
    got_rc=$(<"$got.rc")
    if ! cmp -s "$ref.out" "$got.out"; then
        ok=0
        echo "FAIL $name [$mode]: stdout differs"
        diff -u --label "reference" --label "$mode" "$ref.out" "$got.out" | sed 's/^/    /' || true
    fi
    if [[ "$ref_rc" != "$got_rc" ]]; then
        if [[ $ok -eq 1 ]]; then
            echo "FAIL $name [$mode]: exit status differs"
        fi
        ok=0
        echo "    exit status: reference=$ref_rc $mode=$got_rc"
    fi
    if [[ $ok -eq 1 ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        if [[ -s "$got.err" ]]; then
            echo "    stderr ($mode):"
            sed 's/^/      /' "$got.err"
        fi
    fi
}

JIT_MODES=(O0 O1 O2 O3)
for src in "${sources[@]}"; do
    name=$(basename "$src" .c)
    dir="$WORK/$name"
    mkdir -p "$dir"
    nmodes=$((${#JIT_MODES[@]} + 3)) # JIT -O0..-O3, isolated, bitcode, AOT exe

    # Native reference.
    if ! "$CC" -O2 -o "$dir/ref" "$src" -lm >"$dir/ref-build.log" 2>&1; then
        fail "$name" "reference" "native build failed ($CC)" "$dir/ref-build.log"
        failed=$((failed + nmodes - 1))
        continue
    fi
    run_capture "$dir/ref" "$dir/ref" "${ARGS[@]}"

    # Textual IR for JIT modes and AOT.
    if "$CLANG" -S -emit-llvm "${CLANG_IR_FLAGS[@]}" "$src" -o "$dir/prog.ll" \
        >"$dir/ll-build.log" 2>&1; then
        for opt in "${JIT_MODES[@]}"; do
            mode="jit-$opt"
            run_capture "$dir/$mode" "$KILN" run "-$opt" --no-cache "$dir/prog.ll" "${ARGS[@]}"
            compare "$name" "$mode" "$dir/ref" "$dir/$mode"
        done

        mode="isolated-O2"
        run_capture "$dir/$mode" "$KILN" run -O2 --isolate --no-cache "$dir/prog.ll" "${ARGS[@]}"
        compare "$name" "$mode" "$dir/ref" "$dir/$mode"

        mode="aot-O2"
        if "${TIMEOUT[@]}" "$KILN" compile "$dir/prog.ll" --emit=exe -O2 -o "$dir/prog.aot" \
            >"$dir/aot-build.log" 2>&1; then
            run_capture "$dir/$mode" "$dir/prog.aot" "${ARGS[@]}"
            compare "$name" "$mode" "$dir/ref" "$dir/$mode"
        else
            fail "$name" "$mode" "kiln compile --emit=exe failed" "$dir/aot-build.log"
        fi
    else
        fail "$name" "ir" "$CLANG -S -emit-llvm failed" "$dir/ll-build.log"
        failed=$((failed + ${#JIT_MODES[@]} + 1))
    fi

    # Bitcode variant, run once at -O2.
    mode="jit-bc-O2"
    if "$CLANG" -c -emit-llvm "${CLANG_IR_FLAGS[@]}" "$src" -o "$dir/prog.bc" \
        >"$dir/bc-build.log" 2>&1; then
        run_capture "$dir/$mode" "$KILN" run -O2 --no-cache "$dir/prog.bc" "${ARGS[@]}"
        compare "$name" "$mode" "$dir/ref" "$dir/$mode"
    else
        fail "$name" "$mode" "$CLANG -c -emit-llvm failed" "$dir/bc-build.log"
    fi
done

echo "conformance: $passed passed, $failed failed"
if [[ $failed -gt 0 ]]; then
    exit 1
fi
exit 0
