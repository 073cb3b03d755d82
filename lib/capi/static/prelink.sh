#!/usr/bin/env bash
# prelink.sh: libkiln.so's code as one relocatable object, for libkiln.a.
#
# A static libkiln.a should behave like libkiln.so: self-contained (a C host
# links it without LLVM's development files), and exporting nothing but the
# C API (a host may link its own LLVM, libfaust or fmt beside it). So the C
# layer's objects, Kiln's archives and LLVM's archives are linked into one
# object (`ld -r`) with the names libkiln.so exports as the only roots
# (--gc-sections drops the rest, as the shared link does), COMDAT groups
# dissolved (--force-group-allocation: a localised inline function in a
# group could otherwise be discarded in favour of the host's copy) and
# sections merged (prelink.ld says which); then every defined symbol except
# those names is made local.
#   prelink.sh OUT LINKER OBJCOPY NM LIBKILN_SO INPUTS.rsp
set -euo pipefail
(( $# == 6 )) || { echo "usage: prelink.sh OUT LINKER OBJCOPY NM LIBKILN_SO INPUTS.rsp" >&2; exit 2; }
out=$1 linker=$2 objcopy=$3 nm=$4 so=$5 inputs=$6

# The exports of libkiln.so (its version script's kiln_* and libfaust names).
"$nm" -D --defined-only "$so" | awk 'NF == 3 {print $3}' | sort -u >"$out.exports"
[[ -s $out.exports ]] || { echo "prelink.sh: $so exports nothing" >&2; exit 1; }
roots=()
while read -r name; do roots+=(-u "$name"); done <"$out.exports"

"$linker" -r --gc-sections --force-group-allocation "${roots[@]}" \
  -T "$(dirname "$0")/prelink.ld" -o "$out.tmp" --start-group "@$inputs" --end-group
"$objcopy" --keep-global-symbols="$out.exports" "$out.tmp" "$out"
rm -f "$out.tmp"
