// IRGenJitTest: Relay programs run by the JIT at O0 and O2 print what the
// interpreter (the oracle) prints: a corpus covering recursion, arrays, loops,
// libm builtins and NaN, plus the behaviours one program pins.
#include "JitRunUtil.h"

#include "kiln/runtime/Abi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace kiln::relay {
namespace {

using core::OptLevel;
using test::Mandelbrot;
using test::Outcome;
using test::RelayJit;
using test::runInterpreter;
using test::runJit;

struct Case {
  const char *name;
  const char *source;
};

const Case Programs[] = {
    {"mandelbrot", Mandelbrot},
    {"recursion", R"(
fn fib(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }
fn even(n) -> bool { if n == 0 { return true }; return odd(n - 1) }
fn odd(n) -> bool { if n == 0 { return false }; return even(n - 1) }
print(fib(20), even(10), odd(10))
)"},
    {"arrays", R"(
let a = [1, 2.5, 3]
a.push(7); a[1] = -0
let b = a; b.push(9)
print(a, len(b), a[1], [], len([]))
let grow = [1]
for v in grow { if v < 5 { grow.push(v + 1) } }
fn fill(n) -> array { let r = []; for i in 0..n { r.push(i * i) }; return r }
fn sum(arr) { let s = 0; for i in 0..len(arr) { s = s + arr[i] }; return s }
fn twice(arr: array) { for i in 0..len(arr) { arr[i] = arr[i] * 2 } }
let f = fill(10); twice(f)
print(grow, sum(f), f)
)"},
    {"control", R"(
fn side(tag, v: bool) -> bool { print("side", tag); return v }
print(side(1, false) && side(2, true), side(3, true) || side(4, true))
for i in 0.5..3 { print(i) }
for i in 0..3 { i = i * 10; print(i) }
for i in 0..0/0 { print("never") }
let k = 0; let c = 0
while k < 10 { k = k + 1; if k % 2 == 0 { continue }; if k > 7 { break }; c = c + k }
let s = 1
if s > 0 { let s = 2; print(s) } else if s < 0 { print("neg") } else { print("zero") }
fn sign(v) { if v > 0 { return 1 } else if v < 0 { return -1 } else { return 0 } }
print(c, s, sign(5), sign(-5), sign(0), "tab\there")
)"},
    {"ranges", R"(
for i in -0.0..2 { print(i) }
for i in -2.5..0 { print(i) }
for i in 2147483645..2147483649 { print(i) }
for i in -2147483649..-2147483646 { print(i) }
for i in 0..2.000001 { print(i) }
for i in 3..1 { print("never") }
for i in 0..1/0 { if i > 2 { break }; print(i) }
let a = [5, 6, 7, 8]
let s = 0
for i in 1..len(a) { if i == 2 { continue }; s = s + a[i] * i }
for i in 0..3 { for j in i..3 { s = s + a[j] } }
print(s)
)"},
    // Bounds that are integers by construction: one i64 loop, any nesting.
    {"exact ranges", R"(
let a = [3, 1, 4, 1, 5]
let t = 0
for i in 0..len(a) { for j in 0..i { for k in j..len(a) - 1 { t = t + a[k] * (i - j) } } }
for i in -3..2 { print(i, a[i + 3], a[len(a) - 1 - (i + 3)]) }
for i in 0..len(a) { a.push(i) }
for i in 2..len(a) * 2 - 9 { i = i + 0.5; print(i) }
let e = []
for i in 0..len(e) { print("never") }
for i in len(a)..3 { print("never") }
for i in 0..len(a) { if a[i] == 5 { break }; if i % 2 == 0 { continue }; t = t + i }
for i in 0..len(a) { a.push(a[i] * 2) }
for i in len(e)..len(a) { for j in 0..len(a) { t = t + a[i] - a[j] * 0.5 } }
fn scale(v) { for i in 0..len(v) { v[i] = v[i] * 3 }; return v }
print(t, a, a[len(a) - 1], len(a), scale([1, 2.5, -0]), scale([]))
fn grow(v) { for k in 0..64 { v.push(k) }; return len(v) }
fn fill(g) { for i in 0..len(g) { g[i] = grow(g) }; return g }
let g = fill([1, 2])
print(len(g), g[0], g[1], g[2])
)"},
    {"math", R"(
print(sqrt(2), abs(-3.5), floor(-2.5), ceil(2.1), sin(1), cos(1), tan(1))
print(exp(1), log(10), pow(2, 0.3), pow(10, 1.7), pow(2, 10), sin(-0.7))
print(min(0/0, 1), max(0/0, 1), min(1, 0/0), min(0, -0), max(-0, 0))
print(7 % 3, -7 % 3, 7.5 % 2, 1 % 0, 0.1 + 0.2, 1e21, 1/0, -1/0, 0/0, -0)
let n = 0/0
print(n < 1, n >= 1, n == n, n != n, true == false, !true)
)"},
    // Counted whiles (integer counter) and every way out of that version.
    {"counted whiles", R"(
let a = []
for i in 0..20 { a.push(i) }
let m = 3
while m < 20 { a[m] = 0; m = m + 3 }
let d = 19
while d >= 0 { a[d] = a[d] + d; d = d - 4 }
let u = 1
while 17 > u { u = 5 + u }
let w = 10
while w > 2.5 { w = w + -3 }
let e = 0
while e <= 7.5 { print(a[e], a[2 * e + 1], e * 0.5, e / 3); e = e + 2 }
let nz = 3
while nz > -0 { nz = nz - 1 }
let p = 0
while p < 2000000000 { p = p + 1500000000 }
let top = 2147483646
while top <= 2147483648 { top = top + 1 }
print(a, m, d, u, w, e, nz, p, top)
)"},
    {"general whiles", R"(
let a = [1, 2, 3, 4, 5, 6, 7, 8]
let f = 0
while f < 2 { print(f); f = f + 0.5 }
let g = 0.5
while g < 3 { print(g); g = g + 1 }
let z = -0
while z < 2 { print(z, a[z]); z = z + 1 }
let h = 0
while h < 0/0 { print("never"); h = h + 1 }
while h < 1/0 { if h > 3 { break }; h = h + 1 }
let big = 4294967296
while big < 4294967298 { print(big); big = big + 1 }
let neg = -2147483649
while neg < -2147483647 { print(neg); neg = neg + 1 }
let far = 0
while far < 5 { far = far + 3000000000 }
let s = 1; let k = 1
while s < 100 { s = s + k; k = k * 2 }
let t = 0
while t < 10 { t = t + 1; if t == 4 { t = 8 } }
let x = 5; let y = 0
while x < 10 { x = x - 1; y = y + 1; if y > 3 { break } }
let v = 2
while v < 40 { v = v + v % 7 + 5 }
let l = 0
while l < 9 { let st = l % 4 + 1; l = l + st }
print(h, far, s, k, t, x, y, v, l)
)"},
    {"whiles with jumps and nesting", R"(
let a = []
for i in 0..12 { a.push(i * i) }
let c = 0; let n = 0
while c < 20 { c = c + 1; if c % 3 == 0 { continue }; if c > 16 { break }; n = n + c }
let i = 0; let it = 0
while i < 10 { it = it + 1; if it % 3 != 0 { continue }; i = i + 1 }
let j = 0; let jt = 0
while j < 10 { jt = jt + 1; if jt % 2 == 0 { j = j + 3 } }
let total = 0; let r = 0
while r < 4 {
  let q = r
  while q < 6 { total = total + a[q] * 10 + r; q = q + 2 }
  for o in 0..r { total = total + a[r + o] }
  r = r + 1
}
fn first(arr, limit) { let i = 0; while i < len(arr) { if arr[i] > limit { return i }; i = i + 1 }; return -1 }
print(c, n, i, it, j, jt, total, r, first(a, 50), first(a, 500))
)"},
};

TEST_P(RelayJit, MatchesTheInterpreter) {
  for (const Case &c : Programs) {
    SCOPED_TRACE(c.name);
    Outcome expected = runInterpreter(c.source);
    Outcome actual = runJit(c.source, GetParam());
    EXPECT_TRUE(expected.ok) << expected.error;
    EXPECT_TRUE(actual.ok) << actual.error;
    EXPECT_EQ(actual.out, expected.out);
  }
}

TEST_P(RelayJit, MandelbrotFromTheReference) {
  EXPECT_EQ(runJit(Mandelbrot, GetParam()).out, "800 1\n");
}

TEST_P(RelayJit, PrintEvaluatesAllArgumentsFirst) {
  Outcome o =
      runJit("fn f() { print(\"in f\"); return 2 }\nprint(1, f())", GetParam());
  EXPECT_EQ(o.out, "in f\n1 2\n");
}

TEST_P(RelayJit, WithoutGuardsStillComputes) {
  IRGenOptions options;
  options.guards = false;
  EXPECT_EQ(runJit(Mandelbrot, GetParam(), options).out, "800 1\n");
}

/// atan2, added as one row of Builtins.def: the JIT calls libm's function
/// and prints what the interpreter prints.
TEST_P(RelayJit, Atan2MatchesTheInterpreterAndLibm) {
  const char *source =
      "fn angle(y, x) { return atan2(y, x) }\n"
      "print(atan2(1, 1) * 4, atan2(-0, -1), atan2(-1, -0), atan2(0/0, 1))\n"
      "let a = []\n"
      "for i in 0..8 { a.push(angle(i - 4, 3 - i)) }\n"
      "print(a)\n";
  Outcome expected = runInterpreter(source);
  Outcome actual = runJit(source, GetParam());
  EXPECT_TRUE(actual.ok) << actual.error;
  EXPECT_EQ(actual.out, expected.out);
  char text[32];
  kiln_rt_format_f64(text, sizeof text, std::atan2(-4.0, 3.0));
  EXPECT_EQ(actual.out.substr(0, actual.out.find('\n')),
            "3.141592653589793 -3.141592653589793 -1.5707963267948966 nan");
  EXPECT_EQ(actual.out.find(std::string("\n[") + text + ", "),
            actual.out.find('\n'));
}

INSTANTIATE_TEST_SUITE_P(Levels, RelayJit,
                         testing::Values(OptLevel::O0, OptLevel::O2));

} // namespace
} // namespace kiln::relay
