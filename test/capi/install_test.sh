#!/usr/bin/env bash
# install_test.sh: Kiln as a user gets it — `cmake --install` into a
# temporary prefix, then a separate project (consumer/) built against the
# installed tree with find_package(Kiln) and with pkg-config, both run; the
# installed kiln tool builds an executable (its runtime archive found in
# <prefix>/lib); and libkiln.so exports nothing but kiln_* and the libfaust
# C names that lib/capi/kiln.map lists. With STATIC=1 (KILN_STATIC_ARCHIVE)
# also libkiln.a: the same consumer, and three of the C examples, linked with
# Kiln::kiln_static and with kiln-static.pc, run with libkiln.so removed from
# the prefix and compared with the shared builds; the archive's global names
# are libkiln.so's exports.
#   install_test.sh BUILD_DIR SOURCE_DIR [STATIC]
set -euo pipefail
build=$1 src=$2 static=${3:-0}
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

# 5. libkiln.a: a program linked with it needs no libkiln.so.
if [[ $static != 1 ]]; then
  echo "static libkiln.a: not checked (Kiln was configured with KILN_STATIC_ARCHIVE=OFF)"
  exit 0
fi
archive=$prefix/lib/libkiln.a
[[ -f $archive ]] || { echo "the install lacks lib/libkiln.a"; exit 1; }
nm --defined-only --extern-only "$archive" | awk 'NF == 3 {print $3}' | sort >"$tmp/static-globals"
cmp -s "$tmp/static-globals" "$tmp/exports" ||
  { echo "libkiln.a's global names differ from libkiln.so's exports:"; diff "$tmp/exports" "$tmp/static-globals" | head -20; exit 1; }
if ! cmake -S "$here/consumer" -B "$tmp/cmake-static" -DCMAKE_PREFIX_PATH="$prefix" \
       -DCMAKE_C_COMPILER=cc -DCONSUMER_STATIC=ON >"$tmp/cmake-static.log" 2>&1 ||
   ! cmake --build "$tmp/cmake-static" >>"$tmp/cmake-static.log" 2>&1; then
  cat "$tmp/cmake-static.log"; exit 1
fi
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -std=c99 -Wall -Wextra -pedantic -Werror "$here/consumer/consumer.c" \
  $(pkg-config --static --cflags --libs kiln-static) -o "$tmp/pc-static-consumer"
# The examples run from the source root (faust_synth reads examples/faust/).
examples=(relay_loop tensor_kernel faust_synth)
for example in "${examples[@]}"; do
  # shellcheck disable=SC2046
  cc -std=c99 -Werror "$src/examples/embed/$example.c" \
    $(pkg-config --cflags --libs kiln-static) -o "$tmp/static-$example"
  (cd "$src" && "$build/bin/example_$example") >"$tmp/$example.shared" 2>&1 ||
    { echo "shared $example failed:"; cat "$tmp/$example.shared"; exit 1; }
done
rm "$prefix"/lib/libkiln.so*
for exe in "$tmp/cmake-static/consumer" "$tmp/pc-static-consumer"; do
  if readelf -d "$exe" | grep -q 'NEEDED.*libkiln'; then
    echo "$exe needs libkiln.so"; readelf -d "$exe" | grep NEEDED; exit 1
  fi
  out=$("$exe")
  [[ $out == "$expect" ]] || { echo "static $exe printed '$out', expected '$expect'"; exit 1; }
done
for example in "${examples[@]}"; do
  (cd "$src" && "$tmp/static-$example") >"$tmp/$example.static" 2>&1 ||
    { echo "static $example failed:"; cat "$tmp/$example.static"; exit 1; }
  cmp -s "$tmp/$example.shared" "$tmp/$example.static" ||
    { echo "static $example differs from the shared build:"; diff "$tmp/$example.shared" "$tmp/$example.static"; exit 1; }
done
echo "static libkiln.a ($(( $(stat -c %s "$archive") / 1048576 )) MiB): Kiln::kiln_static and kiln-static.pc builds run without libkiln.so; ${examples[*]} match the shared build"
