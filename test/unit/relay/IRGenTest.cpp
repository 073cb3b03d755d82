// IRGenTest: Relay's IR generator — module shape and symbol contract, the
// `.entry` slot ABI, guards, runtime errors, and JIT output at O0 and O2
// compared with the interpreter (the oracle) on the same programs.
#include "relay/irgen/IRGen.h"
#include "IRGenTestUtil.h"
#include "relay/interp/Interpreter.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Jit.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"
#include "kiln/runtime/Abi.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Target/TargetMachine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

namespace kiln::relay {
namespace {

using core::OptLevel;
using test::compile;
using test::errorText;
using test::generate;
using test::optimizedAtO2;

// ---- Helpers
// ------------------------------------------------------------------

const FuncDecl &function(const Program &program, const std::string &name) {
  for (const auto &fn : program.functions)
    if (fn->name == name)
      return *fn;
  ADD_FAILURE() << "no function " << name;
  return *program.main;
}

/// Frees the arrays a test allocates, whatever happens.
struct ArenaScope {
  size_t mark = kiln_rt_arena_mark();
  ~ArenaScope() { kiln_rt_arena_release(mark); }
};

/// What a run printed and how it ended; `error` is "file:line:col: message"
/// (or just the message without a location), like the AOT executables.
struct Outcome {
  bool ok = false;
  std::string out;
  std::string error;
};

/// A whole program in a JIT at `level`.
std::unique_ptr<core::Jit> jitProgram(const Program &program, OptLevel level,
                                      const IRGenOptions &options = {}) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = generateProgram(program, *context, options);
  if (!module) {
    ADD_FAILURE() << errorText(module.takeError());
    return nullptr;
  }
  core::JitOptions jitOptions;
  jitOptions.level = level;
  auto jit = core::Jit::create(jitOptions);
  if (!jit) {
    ADD_FAILURE() << errorText(jit.takeError());
    return nullptr;
  }
  llvm::orc::ThreadSafeModule tsm(std::move(*module), std::move(context));
  if (llvm::Error err = (*jit)->addModule(std::move(tsm))) {
    ADD_FAILURE() << errorText(std::move(err));
    return nullptr;
  }
  return std::move(*jit);
}

void callMain(void *fn) { reinterpret_cast<void (*)()>(fn)(); }

Outcome runJit(const std::string &source, OptLevel level,
               const IRGenOptions &options = {}) {
  ArenaScope arena;
  Outcome o;
  auto program = compile(source);
  auto jit = jitProgram(*program, level, options);
  if (!jit)
    return o;
  auto main = jit->lookupAs<void()>("relay.main");
  if (!main) {
    ADD_FAILURE() << errorText(main.takeError());
    return o;
  }
  kiln_rt_trap_info info;
  testing::internal::CaptureStdout();
  o.ok = kiln_rt_call_guarded(callMain, reinterpret_cast<void *>(*main),
                              &info) == 0;
  o.out = testing::internal::GetCapturedStdout();
  if (!o.ok)
    o.error = info.line
                  ? std::string(info.file) + ":" + std::to_string(info.line) +
                        ":" + std::to_string(info.column) + ": " + info.message
                  : std::string(info.message);
  return o;
}

Outcome runInterpreter(const std::string &source) {
  ArenaScope arena;
  Outcome o;
  auto program = compile(source);
  Interpreter interp(*program);
  RuntimeError error;
  testing::internal::CaptureStdout();
  o.ok = interp.run(error);
  o.out = testing::internal::GetCapturedStdout();
  if (!o.ok)
    o.error = error.loc.line
                  ? "test.relay:" + std::to_string(error.loc.line) + ":" +
                        std::to_string(error.loc.col) + ": " + error.message
                  : error.message;
  return o;
}

// ---- Programs both tiers run
// --------------------------------------------------

const char *const Mandelbrot = R"(
fn mandelbrot(width: number, height: number) -> array {
    let result = []
    for y in 0..height {
        for x in 0..width {
            let c_re = (x - width/2.0) * 4.0/width
            let c_im = (y - height/2.0) * 4.0/height
            let z_re = 0.0
            let z_im = 0.0
            let iterations = 0
            for i in 0..100 {
                if z_re*z_re + z_im*z_im > 4.0 { break }
                let temp = z_re*z_re - z_im*z_im + c_re
                z_im = 2.0*z_re*z_im + c_im
                z_re = temp
                iterations = iterations + 1
            }
            result.push(iterations)
        }
    }
    return result
}
let m = mandelbrot(40, 20)
print(len(m), m[0])
)";

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

class RelayJit : public testing::TestWithParam<OptLevel> {};

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

TEST_P(RelayJit, RuntimeErrorsMatchTheInterpreter) {
  const char *const sources[] = {
      "let a = [1, 2, 3]\nprint(\"before\")\nprint(a[1.5])",
      "let a = [1, 2, 3]\na[3] = 1",
      "let a = [1]\nprint(a[-1])",
      "let a = [1]\nprint(a[0/0])",
      "let a = [1]\nprint(a[1e300])",
      "fn f() { print(\"f\"); return 0 }\nlet a = [1]\na[5] = f()",
      "fn f(x) -> number {\n  if x > 0 { return 1 }\n}\nprint(f(1))\nf(0)",
      // Integer index arithmetic on an i32 loop counter (bound check only).
      "let a = [1, 2, 3]\nfor i in 0..3 { print(a[2 * i - 1]) }",
      "let a = [1, 2, 3]\nfor i in 0..5 { print(a[i]) }",
      "fn f() { print(\"f\"); return 0 }\nlet a = [1]\nfor i in 1..2 { a[i + "
      "1] = f() }",
      "let a = [1]\nfor i in 1..2 { print(a[i * 2147483647 * 2147483647]) }",
      "let a = [1, 2, 3]\nfor i in 0..2 { for j in 0..2 { print(a[2 * i + j]) "
      "} }",
      // Exact bounds (i64 counter, no general version) and len() indexes.
      "let a = [1, 2, 3]\nfor i in 0..len(a) + 1 { print(a[i]) }",
      "let a = [1, 2, 3]\nfor i in 0..len(a) { print(a[len(a) - 2 * i]) }",
      "let a = [1, 2, 3]\nprint(a[len(a) - 1])\nprint(a[len(a)])",
      "let a = [1, 2, 3]\nfor i in 0..2 { for j in 0..2 { for k in 0..2 { "
      "print(a[i + j + k]) } } }",
      // The same inside counted whiles (i64 counter) and their fallback.
      "let a = [1, 2, 3]\nlet i = 0\nwhile i < 5 { print(a[i]); i = i + 1 }",
      "let a = [1, 2, 3]\nlet i = 2\nwhile i >= -1 { print(a[i]); i = i - 1 }",
      "let a = [1, 2, 3]\nlet i = 0.5\nwhile i < 5 { print(a[i]); i = i + 1 }",
      "let a = []\nlet z = -0\nwhile z < 2 { print(a[z]); z = z + 1 }",
      "let a = [1, 2, 3]\nlet i = 0\nwhile i < 5 { print(a[2 * i]); i = i + 1 "
      "}",
      "fn f() { print(\"f\"); return 0 }\nlet a = [1]\nlet i = 0\n"
      "while i < 3 { a[i + 1] = f(); i = i + 1 }",
      "let a = [1, 2, 3]\nlet i = 0\n"
      "while i < 3 { for j in 0..2 { print(a[i + j]) }; i = i + 1 }",
  };
  for (const char *source : sources) {
    SCOPED_TRACE(source);
    Outcome expected = runInterpreter(source);
    Outcome actual = runJit(source, GetParam());
    EXPECT_FALSE(actual.ok);
    EXPECT_EQ(actual.out, expected.out);
    EXPECT_EQ(actual.error, expected.error);
  }
}

TEST_P(RelayJit, IndexErrorWordingAndLocation) {
  Outcome o = runJit("let a = [1, 2, 3]\nprint(a[1.5])", GetParam());
  EXPECT_EQ(o.error, "test.relay:2:8: array index 1.5 is not an integer");
  o = runJit("let a = [1, 2, 3]\na[3] = 0", GetParam());
  EXPECT_EQ(o.error, "test.relay:2:2: array index 3 out of range (length 3)");
}

TEST_P(RelayJit, StackOverflowAtTheLimit) {
  int32_t saved = kiln_rt_max_depth;
  kiln_rt_max_depth = 50;
  const char *source =
      "fn d(n) { if n == 0 { return 0 }; return d(n - 1) + 1 }\n"
      "print(d(48))\nprint(d(49))";
  Outcome o = runJit(source, GetParam());
  kiln_rt_max_depth = saved;
  EXPECT_EQ(o.out, "48\n49\n") << "d(49) makes 50 active calls: allowed";
  EXPECT_TRUE(o.ok);
  kiln_rt_max_depth = 50;
  o = runJit("fn d(n) { if n == 0 { return 0 }; return d(n - 1) + 1 }\n"
             "print(d(50))",
             GetParam());
  kiln_rt_max_depth = saved;
  EXPECT_EQ(o.error, "test.relay:1:4: stack overflow: call depth exceeded 50");
  EXPECT_EQ(kiln_rt_depth, 0) << "the guarded call restores the depth";
}

TEST_P(RelayJit, TimeoutStopsALoop) {
  // A plain loop, and counted loops (integer counters, polled per chunk)
  // that would otherwise run for seconds.
  const char *const sources[] = {
      "print(\"start\")\nwhile true { }",
      "print(\"start\")\nlet s = 0\nfor i in 0..2000000000 { s = s + i }\n"
      "print(s)",
      "print(\"start\")\nlet i = 0\nlet s = 0\n"
      "while i < 2000000000 { s = s + i; i = i + 1 }\nprint(s)",
  };
  for (const char *source : sources) {
    SCOPED_TRACE(source);
    ASSERT_EQ(kiln_rt_watchdog_start(0.05), 0);
    Outcome o = runJit(source, GetParam());
    kiln_rt_watchdog_stop();
    kiln_rt_interrupted = 0; // the tests after this one run without a timeout
    EXPECT_EQ(o.out, "start\n");
    EXPECT_EQ(o.error, "timeout: program ran longer than 0.05 seconds");
  }
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

// ---- Module shape
// ---------------------------------------------------------------

TEST(RelayIRGen, ProgramSymbolsAndLinkage) {
  auto program = compile("fn f(a: array, b: bool, x) -> bool { return b }\n"
                         "fn g() { }\nprint(f([1], true, 2))");
  llvm::LLVMContext context;
  auto module = generate(*program, context);
  ASSERT_TRUE(module);
  EXPECT_EQ(module->getModuleIdentifier(), "relay:test.relay");
  llvm::Function *f = module->getFunction("relay.f");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->hasInternalLinkage());
  llvm::FunctionType *type = f->getFunctionType();
  EXPECT_TRUE(type->getReturnType()->isIntegerTy(1));
  EXPECT_TRUE(type->getParamType(0)->isPointerTy());
  EXPECT_TRUE(type->getParamType(1)->isIntegerTy(1));
  EXPECT_TRUE(type->getParamType(2)->isDoubleTy());
  EXPECT_TRUE(module->getFunction("relay.g")->getReturnType()->isVoidTy());
  for (const char *name :
       {"relay.f.entry", "relay.g.entry", "relay.main", "relay.main.entry"}) {
    llvm::Function *fn = module->getFunction(name);
    ASSERT_TRUE(fn) << name;
    EXPECT_TRUE(fn->hasExternalLinkage()) << name;
    EXPECT_FALSE(fn->isDeclaration()) << name;
  }
}

TEST(RelayIRGen, FunctionModuleCallsOthersThroughExternalSymbols) {
  auto program = compile("fn f(n) { if n < 1 { return 0 }; return f(n - 1) + "
                         "g(n) }\nfn g(n) { return n }\nprint(f(3))");
  llvm::LLVMContext context;
  auto module = generateFunction(*program, function(*program, "f"), context);
  ASSERT_TRUE(bool(module)) << errorText(module.takeError());
  EXPECT_EQ((*module)->getModuleIdentifier(), "relay:f");
  llvm::Function *impl = (*module)->getFunction("relay.f.impl");
  ASSERT_TRUE(impl);
  EXPECT_FALSE(impl->isDeclaration());
  EXPECT_TRUE(impl->hasExternalLinkage());
  ASSERT_TRUE((*module)->getFunction("relay.f.entry"));
  EXPECT_FALSE((*module)->getFunction("relay.f.entry")->isDeclaration());
  // g through its stub; f calls itself directly, so its recursion
  // optimises as in the whole-program module.
  llvm::Function *g = (*module)->getFunction("relay.g");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->isDeclaration());
  EXPECT_FALSE((*module)->getFunction("relay.f"));
  bool callsItself = false;
  for (llvm::Instruction &inst : llvm::instructions(*impl))
    if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
      callsItself |= call->getCalledFunction() == impl;
  EXPECT_TRUE(callsItself);
  EXPECT_FALSE((*module)->getFunction("relay.main"));
}

TEST(RelayIRGen, NoFastMathAndLibmCallsStayCalls) {
  auto program = compile("let x = 1.5\nprint(x * 3 + 1, sin(x), pow(2, x), "
                         "sqrt(x), x % 2, min(x, 2))");
  llvm::LLVMContext context;
  auto module = generate(*program, context);
  ASSERT_TRUE(module);
  bool sawSin = false;
  for (llvm::Function &fn : *module)
    for (llvm::Instruction &inst : llvm::instructions(fn)) {
      if (auto *op = llvm::dyn_cast<llvm::FPMathOperator>(&inst))
        EXPECT_FALSE(op->getFastMathFlags().any()) << fn.getName().str();
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
        if (call->getCalledFunction() &&
            call->getCalledFunction()->getName() == "sin") {
          sawSin = true;
          EXPECT_TRUE(call->isNoBuiltin()) << "pow(2,x) -> exp2 would differ";
        }
    }
  EXPECT_TRUE(sawSin);
}

TEST(RelayIRGen, Atan2IsALibmCallThatStaysACall) {
  auto program = compile("let y = 1.5\nprint(atan2(y, 2))");
  llvm::LLVMContext context;
  auto module = generate(*program, context);
  ASSERT_TRUE(module);
  int calls = 0;
  for (llvm::Function &fn : *module)
    for (llvm::Instruction &inst : llvm::instructions(fn))
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
        if (call->getCalledFunction() &&
            call->getCalledFunction()->getName() == "atan2") {
          ++calls;
          EXPECT_TRUE(call->isNoBuiltin());
          EXPECT_EQ(call->arg_size(), 2u);
          EXPECT_TRUE(call->getCalledFunction()->doesNotAccessMemory());
        }
  EXPECT_EQ(calls, 1);
}

TEST(RelayIRGen, GuardsOffLeaveNoRuntimeGlobals) {
  auto program = compile("fn f(n) { for i in 0..n { }; return n }\nf(2)");
  llvm::LLVMContext context;
  IRGenOptions options;
  options.guards = false;
  auto module = generate(*program, context, options);
  ASSERT_TRUE(module);
  EXPECT_FALSE(module->getNamedGlobal("kiln_rt_depth"));
  EXPECT_FALSE(module->getNamedGlobal("kiln_rt_interrupted"));
  auto guarded = generate(*program, context);
  ASSERT_TRUE(guarded);
  EXPECT_TRUE(guarded->getNamedGlobal("kiln_rt_depth"));
  EXPECT_TRUE(guarded->getNamedGlobal("kiln_rt_interrupted"));
}

// The depth limit travels as a hidden i32 argument (the call budget), so
// optimised code never stores to kiln_rt_depth: a store there per call made
// every call wait on the previous call's store (issue 16).
TEST(RelayIRGen, DepthGuardIsAnArgumentNotAStore) {
  const char *fib = "fn fib(n) { if n < 2 { return n }; return fib(n - 1) + "
                    "fib(n - 2) }\nprint(fib(20))";
  llvm::LLVMContext context;
  auto module = optimizedAtO2(fib, context);
  ASSERT_TRUE(module);
  llvm::Function *f = module->getFunction("relay.fib");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->arg_size(), 2u);
  EXPECT_TRUE(f->getArg(1)->getType()->isIntegerTy(32));
  llvm::GlobalVariable *depth = module->getNamedGlobal("kiln_rt_depth");
  ASSERT_TRUE(depth) << "relay.main reads it once";
  for (llvm::User *user : depth->users())
    EXPECT_FALSE(llvm::isa<llvm::StoreInst>(user));
  IRGenOptions off;
  off.guards = false;
  auto program = compile(fib);
  auto unguarded = generate(*program, context, off);
  ASSERT_TRUE(unguarded);
  EXPECT_EQ(unguarded->getFunction("relay.fib")->arg_size(), 1u);
}

// A host (the interpreter, the router) calls `.entry` at the depth it
// counts in kiln_rt_depth; the callee is one level deeper.
TEST(RelayIRGen, EntryWrapperStartsFromTheInterpreterDepth) {
  ArenaScope arena;
  auto program = compile("fn d(n) { if n == 0 { return 0 }; return d(n - 1) "
                         "+ 1 }\nprint(d(1))");
  auto jit = jitProgram(*program, OptLevel::O2);
  ASSERT_TRUE(jit);
  auto entry = jit->lookupAs<void(const Slot *, Slot *)>("relay.d.entry");
  ASSERT_TRUE(bool(entry));
  struct Call {
    void (*entry)(const Slot *, Slot *);
    Slot args[1], ret;
  };
  auto run = [&](double n) {
    Call call{*entry, {}, {}};
    call.args[0].number = n;
    auto body = [](void *c) {
      auto *call = static_cast<Call *>(c);
      call->entry(call->args, &call->ret);
    };
    kiln_rt_trap_info info;
    return kiln_rt_call_guarded(body, &call, &info) == 0;
  };
  int32_t savedMax = kiln_rt_max_depth, savedDepth = kiln_rt_depth;
  kiln_rt_max_depth = 50;
  kiln_rt_depth = 40;
  EXPECT_TRUE(run(9)) << "depths 41..50";
  EXPECT_FALSE(run(10)) << "depth 51";
  EXPECT_EQ(kiln_rt_depth, 40) << "the host's count is left alone";
  kiln_rt_max_depth = savedMax;
  kiln_rt_depth = savedDepth;
}

TEST(RelayIRGen, SlotsArePromotedAtO2) {
  llvm::LLVMContext context;
  auto module = optimizedAtO2(Mandelbrot, context);
  ASSERT_TRUE(module);
  for (llvm::Function &fn : *module)
    for (llvm::Instruction &inst : llvm::instructions(fn))
      EXPECT_FALSE(llvm::isa<llvm::AllocaInst>(inst)) << fn.getName().str();
}

// ---- Entry wrappers and the executable's main
// ---------------------------------

TEST(RelayIRGen, EntryWrappersUseEightByteSlots) {
  ArenaScope arena;
  auto program = compile(
      "fn pick(a: array, b: bool, x) -> number { if b { return a[0] + x }; "
      "return x }\nfn flip(b: bool) -> bool { return !b }\n"
      "fn make(n) -> array { return [n, n] }\nprint(pick([1], flip(true), 2), "
      "make(1))");
  auto jit = jitProgram(*program, OptLevel::O2);
  ASSERT_TRUE(jit);
  using Entry = void(const Slot *, Slot *);
  auto pick = jit->lookupAs<Entry>("relay.pick.entry");
  auto flip = jit->lookupAs<Entry>("relay.flip.entry");
  auto make = jit->lookupAs<Entry>("relay.make.entry");
  ASSERT_TRUE(pick && flip && make);
  kiln_rt_array *array = kiln_rt_array_new(1);
  array->data[0] = 40;
  Slot args[3], ret{};
  args[0].array = array;
  args[1].boolean = 1;
  args[2].number = 2;
  (*pick)(args, &ret);
  EXPECT_EQ(ret.number, 42);
  args[0].boolean = 0;
  (*flip)(args, &ret);
  EXPECT_EQ(ret.boolean, 1);
  args[0].number = 3;
  (*make)(args, &ret);
  auto *made = static_cast<kiln_rt_array *>(ret.array);
  ASSERT_EQ(made->length, 2);
  EXPECT_EQ(made->data[1], 3);
}

TEST(RelayIRGen, ExecutableMainRunsTheProgram) {
  auto program = compile("print(\"hello\", kiln_depth())\n"
                         "fn kiln_depth() { return 7 }");
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = generateProgram(*program, *context);
  ASSERT_TRUE(bool(module)) << errorText(module.takeError());
  addExecutableMain(**module, 0, 1234);
  ASSERT_EQ(errorText(core::verifyModule(**module)), "");
  auto jit = core::Jit::create();
  ASSERT_TRUE(bool(jit)) << errorText(jit.takeError());
  ASSERT_EQ(errorText((*jit)->addModule(llvm::orc::ThreadSafeModule(
                std::move(*module), std::move(context)))),
            "");
  auto main = (*jit)->lookupAs<int(int, char **)>("main");
  ASSERT_TRUE(bool(main)) << errorText(main.takeError());
  int32_t saved = kiln_rt_max_depth;
  testing::internal::CaptureStdout();
  int status = (*main)(0, nullptr);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(kiln_rt_max_depth, 1234);
  kiln_rt_max_depth = saved;
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "hello 7\n");
}

// ---- Errors instead of crashes
// -------------------------------------------------

TEST(RelayIRGen, UnanalysedProgramIsAnError) {
  DiagList diags;
  auto program = parseProgram("test.relay", "let x = 1\nprint(x)", diags);
  ASSERT_TRUE(diags.empty());
  llvm::LLVMContext context;
  auto module = generateProgram(*program, context);
  ASSERT_FALSE(bool(module));
  EXPECT_NE(errorText(module.takeError()).find("not analysed"),
            std::string::npos);
}

TEST(RelayIRGen, DamagedAnnotationsAreAnErrorWithALocation) {
  auto program = compile("let x = 1\nprint(x + 2)");
  // Undo sema on the `+`: IR generation must refuse, not crash.
  auto *print = static_cast<ExprStmt *>(program->main->body->body[1].get());
  auto *call = static_cast<CallExpr *>(print->expr.get());
  call->args[0]->type = Type::Unknown;
  llvm::LLVMContext context;
  auto module = generateProgram(*program, context);
  ASSERT_FALSE(bool(module));
  std::string text = errorText(module.takeError());
  EXPECT_NE(text.find("test.relay:2:"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot generate IR"), std::string::npos) << text;
}

} // namespace
} // namespace kiln::relay
