#!/usr/bin/env bash
# install_test.sh: Kiln as a user gets it — `cmake --install` into a
# temporary prefix, then a separate project (consumer/) built against the
# installed tree with find_package(Kiln) and with pkg-config, both run; the
# installed kiln tool builds an executable (its runtime archive found in
# <prefix>/lib); and libkiln.so exports nothing but kiln_* and the libfaust
# C names that lib/capi/kiln.map lists.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
here=$src/test/capi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
expect="twice(21) = 42 with libkiln $(sed -n 's/^#define KILN_VERSION_STRING "\(.*\)"/\1/p' "$src/include/kiln/c/common.h")"

# 1. CMake: find_package(Kiln) through CMAKE_PREFIX_PATH.
cmake -S "$here/consumer" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER=cc >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; exit 1; }
cmake --build "$tmp/cmake" >>"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; exit 1; }
out=$("$tmp/cmake/consumer")
[[ $out == "$expect" ]] || { echo "find_package build printed '$out', expected '$expect'"; exit 1; }
echo "find_package(Kiln): $out"

# 2. pkg-config, plain cc (the library found at run time through its rpath).
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[[ $(pkg-config --modversion kiln) == "${expect##* }" ]] || { echo "kiln.pc has the wrong version"; exit 1; }
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -std=c99 -Wall -Wextra -pedantic -Werror "$here/consumer/consumer.c" \
  $(pkg-config --cflags --libs kiln) \
  -Wl,-rpath,"$(pkg-config --variable=libdir kiln)" -o "$tmp/pc-consumer"
out=$("$tmp/pc-consumer")
[[ $out == "$expect" ]] || { echo "pkg-config build printed '$out', expected '$expect'"; exit 1; }
echo "pkg-config kiln: $out"

# 3. The installed tool links an executable with the installed runtime.
printf 'print(6 * 7)\n' >"$tmp/answer.relay"
"$prefix/bin/kiln" build "$tmp/answer.relay" -o "$tmp/answer"
[[ $("$tmp/answer") == 42 ]] || { echo "the installed kiln's executable did not print 42"; exit 1; }
for f in lib/libkiln_rt.a lib/libkiln_faust_forkserver.so bin/kiln-executor; do
  [[ -e $prefix/$f ]] || { echo "the install lacks $f"; exit 1; }
done
echo "installed kiln build: ok"

# 4. Exports: kiln_* and exactly the libfaust names the version script lists.
lib=$prefix/lib/libkiln.so
[[ $(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p') == libkiln.so.0 ]] ||
  { echo "SONAME is not libkiln.so.0"; exit 1; }
sed -n 's/^ *\([A-Za-z_][A-Za-z0-9_]*\);$/\1/p' "$src/lib/capi/kiln.map" | sort >"$tmp/faust-names"
nm -D --defined-only "$lib" | awk '{print $3}' | sort >"$tmp/exports"
unexpected=$(grep -v '^kiln_' "$tmp/exports" | comm -23 - "$tmp/faust-names")
if [[ -n $unexpected ]]; then
  echo "libkiln.so exports names outside the C API:"; head -20 <<<"$unexpected"; exit 1
fi
missing=$(comm -13 "$tmp/exports" "$tmp/faust-names")
[[ -z $missing ]] || { echo "libkiln.so lacks libfaust names: $missing"; exit 1; }
echo "exports: $(grep -c '^kiln_' "$tmp/exports") kiln_* names and $(wc -l <"$tmp/faust-names") libfaust names, nothing else"
