# browser_test.sh: `kiln explain` pages in a real browser. Headless Chromium
# loads each page from disk with #select=LINE (which clicks that source
# line), dumps the DOM after the page's script ran, and dom_check.py checks
# the sections, the line mapping and the highlight; a page whose source
# holds </script><script> must run none of it. A screenshot of the Relay
# page is kept in ARTIFACTS (printed at the end).
# usage: bash browser_test.sh KILN SRC_ROOT ARTIFACTS
set -uo pipefail
kiln=$1 src=$2 artifacts=$3
source "$src/test/e2e/harness.sh"
if ! command -v chromium >/dev/null; then
  echo "SKIP: chromium is not installed (scripts/setup-deps installs it)"
  exit 77
fi
# The browser keeps its profile, cache and config in the scratch directory.
export HOME=$work XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache
browser() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu \
    --no-first-run --user-data-dir="$work/profile" --hide-scrollbars "$@" \
    2>>"$work/chromium.log"
}

# page NAME FILE LINE [KILN FLAGS...]: explain FILE, load it selecting
# LINE, check its DOM.
page() {
  local name=$1 file=$2 line=$3; shift 3
  if ! "$kiln" explain "$file" -o "$name.html" "$@" 2>err.txt; then
    bad "$name: kiln explain failed: $(head -3 err.txt)"; return
  fi
  browser --dump-dom "file://$work/$name.html#select=$line" >"$name.dom"
  if /usr/bin/python3 "$src/test/explain/dom_check.py" "$name.dom" "$line" "$name"; then
    ok
  else
    bad "$name: DOM checks"
  fi
}

page relay "$src/examples/relay/fib.relay" 4
page relay-O0 "$src/examples/relay/fib.relay" 3 -O0 --no-guards
page tensor "$src/examples/tensor/kernels.tk" 9
page ir "$src/examples/explain/scale.ll" 6

# A source and a file name that try to inject markup: shown, never run.
cat >'evil<i>.relay' <<'RELAY'
// </script><script>document.title = "pwned"</script><img src=x onerror=alert(1)>
let x = 1 + 2
print(x)
RELAY
page evil "$work/evil<i>.relay" 3
title=$(grep -o '<title>[^<]*</title>' evil.dom)
[[ $title == '<title>kiln explain '*'evil&lt;i&gt;.relay</title>' ]] && ok ||
  bad "evil: the title is '$title'"
grep -q '<img' evil.dom && bad "evil: an <img> element was created" || ok
grep -q -F '&lt;/script&gt;&lt;script&gt;document.title' evil.dom && ok ||
  bad "evil: the source's markup is not shown as text"

# The screenshot the run keeps: the Relay page without guards (its IR is
# short enough to show at the top) with line 4 selected.
mkdir -p "$artifacts"
shot=$artifacts/fib-select-4.png
rm -f "$shot"
"$kiln" explain "$src/examples/relay/fib.relay" --no-guards -o shot.html
browser --window-size=1400,1400 --screenshot="$shot" \
  "file://$work/shot.html#select=4" >/dev/null
if [[ $(head -c 8 "$shot" 2>/dev/null | od -An -c | tr -d ' ') == '211PNG\r\n032\n' ]] &&
   (( $(stat -c %s "$shot") > 20000 )); then
  ok; echo "screenshot: $shot"
else
  bad "no screenshot at $shot"; tail -5 "$work/chromium.log"
fi
finish explain.browser
