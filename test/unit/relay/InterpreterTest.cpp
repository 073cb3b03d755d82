// InterpreterTest: the Relay bytecode interpreter against docs/relay.md.
//
// The interpreter is the oracle the compiled tiers are compared with, so
// these tests pin its output text, evaluation order, runtime errors (message
// and location), guards, and the router hooks (native entries, traps inside
// native code, profiling) exactly.
#include "relay/interp/Interpreter.h"
#include "IRGenTestUtil.h"
#include "relay/interp/Compiler.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/runtime/Abi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace kiln::relay {
namespace {

using test::compile;

int indexOf(const Program &program, const std::string &name) {
  for (const auto &fn : program.functions)
    if (fn->name == name)
      return fn->index;
  ADD_FAILURE() << "no function " << name;
  return -1;
}

/// Frees the arrays a test allocates, whatever happens.
struct ArenaScope {
  size_t mark = kiln_rt_arena_mark();
  ~ArenaScope() { kiln_rt_arena_release(mark); }
};

struct Outcome {
  bool ok;
  std::string out;
  RuntimeError error;
};

/// Runs `interp` with stdout captured.
Outcome runCaptured(Interpreter &interp) {
  Outcome o;
  testing::internal::CaptureStdout();
  o.ok = interp.run(o.error);
  o.out = testing::internal::GetCapturedStdout();
  return o;
}

Outcome run(const std::string &source) {
  ArenaScope arena;
  auto program = compile(source);
  Interpreter interp(*program);
  return runCaptured(interp);
}

std::string output(const std::string &source) {
  Outcome o = run(source);
  EXPECT_TRUE(o.ok) << o.error.message;
  return o.out;
}

void expectError(const std::string &source, const std::string &message,
                 uint32_t line, uint32_t col) {
  Outcome o = run(source);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error.message, message);
  EXPECT_EQ(o.error.loc.line, line);
  EXPECT_EQ(o.error.loc.col, col);
}

const char *const Mandelbrot = R"(
@llvm
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
let total = 0
for v in m { total = total + v }
print(len(m), m[0], m[410], total)
)";

// ---- Programs
// ------------------------------------------------------------------

TEST(RelayInterpreter, MandelbrotFromTheReference) {
  // Checked against the same loops in Python.
  EXPECT_EQ(output(Mandelbrot), "800 1 100 10883\n");
}

TEST(RelayInterpreter, RecursionAndMutualRecursion) {
  EXPECT_EQ(output("fn fib(n) { if n < 2 { return n }\n"
                   "  return fib(n - 1) + fib(n - 2) }\n"
                   "fn even(n) -> bool { if n == 0 { return true }\n"
                   "  return odd(n - 1) }\n"
                   "fn odd(n) -> bool { if n == 0 { return false }\n"
                   "  return even(n - 1) }\n"
                   "print(fib(20), even(10), odd(10))\n"),
            "6765 true false\n");
}

TEST(RelayInterpreter, PrintFormatsEveryType) {
  EXPECT_EQ(output("print(3, -0, 0.1, 0.1 + 0.2, 1e21, 2.5e-7)\n"),
            "3 -0 0.1 0.30000000000000004 1e+21 2.5e-07\n");
  EXPECT_EQ(output("print(0/0, 1/0, -1/0, 9007199254740993)\n"),
            "nan inf -inf 9007199254740992\n");
  EXPECT_EQ(output("print(true, false, [1, 2.5], [], \"a\\tb\\\"c\\\\\")\n"),
            "true false [1, 2.5] [] a\tb\"c\\\n");
  EXPECT_EQ(output("print()\nprint(\"\")\n"), "\n\n");
}

TEST(RelayInterpreter, ArithmeticFollowsC) {
  EXPECT_EQ(output("print(7 % 3, -7 % 3, 7.5 % 2, 5 % -3, 1 % 0)\n"),
            "1 -1 1.5 2 nan\n");
  EXPECT_EQ(output("print(-(1 - 1), 1 / 3 * 3, 2 - 3 * 4 / 8)\n"),
            "-0 1 0.5\n");
  EXPECT_EQ(output("print(1 < 2, 2 <= 2, 3 > 4, 4 >= 5, 1 == 1, 1 != 1)\n"),
            "true true false false true false\n");
  EXPECT_EQ(output("print(0/0 == 0/0, 0/0 != 0/0, -0 == 0, true == true,"
                   " true != false, !true)\n"),
            "false true true true true false\n");
}

TEST(RelayInterpreter, MinMaxAndLibm) {
  // min(a, b) = b < a ? b : a; max(a, b) = b > a ? b : a.
  EXPECT_EQ(output("print(min(1, 2), max(1, 2), min(0, -0), min(-0, 0),"
                   " max(0, -0), max(-0, 0))\n"),
            "1 2 0 -0 0 -0\n");
  EXPECT_EQ(
      output("print(min(0/0, 1), min(1, 0/0), max(0/0, 1), max(1, 0/0))\n"),
      "nan 1 nan 1\n");
  std::string got = output("print(sin(1), cos(1), tan(1), exp(1), log(10),"
                           " pow(2, 0.5))\n");
  double values[6];
  ASSERT_EQ(sscanf(got.c_str(), "%lf %lf %lf %lf %lf %lf", &values[0],
                   &values[1], &values[2], &values[3], &values[4], &values[5]),
            6);
  EXPECT_EQ(values[0], std::sin(1.0));
  EXPECT_EQ(values[3], std::exp(1.0));
  EXPECT_EQ(values[5], std::pow(2.0, 0.5));
  EXPECT_EQ(
      output("print(sqrt(2), abs(-3), floor(-2.5), ceil(-2.5), sqrt(-1))\n"),
      "1.4142135623730951 3 -3 -2 nan\n");
}

// ---- Evaluation order
// ------------------------------------------------------------

const char *const Trace = "fn t(x) { print(\"t\", x); return x }\n"
                          "fn yes() -> bool { print(\"yes\"); return true }\n";

TEST(RelayInterpreter, OperandsAndArgumentsLeftToRight) {
  EXPECT_EQ(output(std::string(Trace) + "print(t(1) - t(2), [t(3), t(4)])\n"),
            "t 1\nt 2\nt 3\nt 4\n-1 [3, 4]\n");
  EXPECT_EQ(output(std::string(Trace) + "print(pow(t(2), t(3)))\n"),
            "t 2\nt 3\n8\n");
}

/// atan2 (a RELAY_LIBM row of Builtins.def and nothing else): libm's value
/// in every quadrant and on the axes, where the sign of a zero picks the
/// half-plane, with its arguments evaluated left to right.
TEST(RelayInterpreter, Atan2IsLibmsInEveryQuadrant) {
  const double points[][2] = {{1, 1},     {1, -1}, {-1, -1},   {-1, 1}, {0, -1},
                              {-0.0, -1}, {1, 0},  {-1, -0.0}, {0.5, 3}};
  std::string want;
  for (const auto &p : points) {
    char text[32];
    kiln_rt_format_f64(text, sizeof text, std::atan2(p[0], p[1]));
    want += std::string(want.empty() ? "" : " ") + text;
  }
  EXPECT_EQ(
      output("print(atan2(1, 1), atan2(1, -1), atan2(-1, -1), atan2(-1, 1),"
             " atan2(0, -1), atan2(-0, -1), atan2(1, 0), atan2(-1, -0),"
             " atan2(0.5, 3))\n"),
      want + "\n");
  EXPECT_EQ(output("print(atan2(1, 1) * 4, atan2(0, 0), atan2(0/0, 1))\n"),
            "3.141592653589793 0 nan\n");
  // The last point again, its arguments traced: y first, then x.
  EXPECT_EQ(output(std::string(Trace) + "print(atan2(t(0.5), t(3)))\n"),
            "t 0.5\nt 3\n" + want.substr(want.rfind(' ') + 1) + "\n");
}

TEST(RelayInterpreter, IndexAssignmentEvaluatesArrayIndexValueThenChecks) {
  Outcome o =
      run(std::string(Trace) + "fn arr(a) { print(\"arr\"); return a }\n"
                               "let a = [0]\n"
                               "arr(a)[t(5)] = t(7)\n");
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.out, "arr\nt 5\nt 7\n");
  EXPECT_EQ(o.error.message, "array index 5 out of range (length 1)");
  EXPECT_EQ(o.error.loc.line, 5u);
  EXPECT_EQ(o.error.loc.col, 7u);
}

TEST(RelayInterpreter, AndOrShortCircuit) {
  EXPECT_EQ(output(std::string(Trace) +
                   "print(false && yes(), true || yes())\n"
                   "print(true && yes(), false || yes())\n"),
            "false true\nyes\nyes\ntrue true\n");
}

// ---- Loops
// ---------------------------------------------------------------------

TEST(RelayInterpreter, ForRangeUsesAHiddenCounterAndEvaluatesEndOnce) {
  EXPECT_EQ(output(std::string(Trace) +
                   "for i in t(0)..t(3) { print(i); i = 100 }\n"),
            "t 0\nt 3\n0\n1\n2\n");
  EXPECT_EQ(output("let n = 2\nfor i in 0.5..n { n = 10; print(i) }\n"),
            "0.5\n1.5\n");
  EXPECT_EQ(output("for i in 3..1 { print(i) }\nprint(\"done\")\n"), "done\n");
}

TEST(RelayInterpreter, BreakContinueAndNestedLoops) {
  EXPECT_EQ(output("let k = 0\n"
                   "for i in 0..10 { if i == 3 { continue }\n"
                   "  if i == 6 { break }\n  k = k + i }\n"
                   "let j = 0\nwhile true { j = j + 1; if j > 4 { break } }\n"
                   "let s = 0\nfor a in 0..3 { for b in 0..3 {\n"
                   "  if b > a { break }; s = s + 1 } }\n"
                   "print(k, j, s)\n"),
            "12 5 6\n");
}

TEST(RelayInterpreter, ForEachRereadsTheLength) {
  EXPECT_EQ(output("let c = [1]\nlet n = 0\n"
                   "for x in c { if n < 4 { c.push(x * 2) }; n = n + 1 }\n"
                   "print(c, n)\n"),
            "[1, 2, 4, 8, 16] 5\n");
  EXPECT_EQ(output("let c = [1, 2, 3]\nfor x in c { c[2] = 9; print(x) }\n"),
            "1\n2\n9\n");
}

TEST(RelayInterpreter, ReturnFromInsideLoops) {
  EXPECT_EQ(output("fn find(a: array, v) -> number {\n"
                   "  for i in 0..len(a) { for x in a { if a[i] == v {\n"
                   "    return i } } }\n  return -1 }\n"
                   "print(find([5, 6, 7], 7), find([5], 1))\n"),
            "2 -1\n");
}

TEST(RelayInterpreter, ArraysAreSharedByReference) {
  EXPECT_EQ(output("fn fill(a: array, n) { for i in 0..n { a.push(i) } }\n"
                   "let a = []\nlet b = a\nfill(b, 3)\nb[0] = 7\n"
                   "print(a, len(a))\n"),
            "[7, 1, 2] 3\n");
}

TEST(RelayInterpreter, LetShadowsAndBlocksScope) {
  EXPECT_EQ(output("let x = 1\nif true { let x = 2; print(x) }\nprint(x)\n"
                   "let x = true\nprint(x)\n"),
            "2\n1\ntrue\n");
}

// ---- Runtime errors
// --------------------------------------------------------------

TEST(RelayInterpreter, IndexErrorsUseTheRuntimeTextAndTheBracket) {
  expectError("let a = [1, 2, 3]\nprint(a[1.5])\n",
              "array index 1.5 is not an integer", 2, 8);
  expectError("let a = [1, 2, 3]\n  a[3] = 1\n",
              "array index 3 out of range (length 3)", 2, 4);
  expectError("let a = []\nprint(a[-1])\n",
              "array index -1 out of range (length 0)", 2, 8);
  expectError("let a = [1]\nprint(a[0/0])\n",
              "array index nan is not an integer", 2, 8);
}

TEST(RelayInterpreter, OutputBeforeAnErrorIsKept) {
  Outcome o = run("print(\"before\")\nlet a = []\nprint(1, a[0])\n");
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.out, "before\n"); // the failing print prints nothing
}

TEST(RelayInterpreter, MissingReturnIsReportedAtTheClosingBrace) {
  expectError("fn f(x) -> number {\n  if x > 0 { return 1 }\n}\n"
              "print(f(1))\nprint(f(0))\n",
              "function 'f' ended without returning a value", 3, 1);
}

TEST(RelayInterpreter, StackOverflowAtTheFunctionName) {
  int32_t saved = kiln_rt_max_depth;
  kiln_rt_max_depth = 50;
  int32_t depth = kiln_rt_depth;
  const char *source = "fn f(n) -> number {\n  if n == 0 { return 0 }\n"
                       "  return f(n - 1) + 1 }\nprint(f(%d))\n";
  char text[160];
  snprintf(text, sizeof text, source, 49); // 50 calls active: allowed
  EXPECT_EQ(output(text), "49\n");
  snprintf(text, sizeof text, source, 50);
  expectError(text, "stack overflow: call depth exceeded 50", 1, 4);
  EXPECT_EQ(kiln_rt_depth, depth);
  kiln_rt_max_depth = saved;
}

TEST(RelayInterpreter, TimeoutAtLoopIterationsAndFunctionEntries) {
  char message[128];
  kiln_rt_timeout_message(message, sizeof message);
  kiln_rt_interrupted = 1;
  expectError("while true { }\n", message, 0, 0);
  expectError("fn f() { }\nf()\n", message, 0, 0);
  expectError("for x in [1] { }\n", message, 0, 0);
  Outcome o = run("print(1)\n");
  kiln_rt_interrupted = 0;
  EXPECT_TRUE(o.ok) << "straight-line top-level code is not polled";
}

/// The fuzzer's budget: a fixed count of function entries and loop
/// iterations, so an endless program stops at the same point every time.
TEST(RelayInterpreter, StepLimitCountsEntriesAndIterations) {
  const std::string message =
      "step limit exceeded: more than 10 function entries and loop iterations";
  for (const char *source :
       {"while true { }\n", "fn f() { f() }\nf()\n", "for i in 0..11 { }\n"}) {
    ArenaScope arena;
    auto program = compile(source);
    Interpreter interp(*program);
    interp.setStepLimit(10);
    Outcome o = runCaptured(interp);
    EXPECT_FALSE(o.ok) << source;
    EXPECT_EQ(o.error.message, message) << source;
    EXPECT_EQ(o.error.loc.line, 0u) << source;
  }
  ArenaScope arena;
  auto program = compile("for i in 0..10 { }\nprint(1)\n");
  Interpreter interp(*program);
  interp.setStepLimit(10);
  Outcome o = runCaptured(interp);
  EXPECT_TRUE(o.ok) << o.error.message;
  EXPECT_EQ(o.out, "1\n");
}

TEST(RelayInterpreter, DeepRecursionWithinTheDefaultLimit) {
  EXPECT_EQ(output("fn f(n) -> number { if n == 0 { return 0 }\n"
                   "  let a = [n]; return f(n - 1) + a[0] - n + 1 }\n"
                   "print(f(5000))\n"),
            "5000\n");
}

// ---- Lowering to bytecode (Compiler.h)
// ---------------------------------------------

/// A destination is written only by an expression's last instruction, so a
/// right-hand side reads the old value of the variable it assigns.
TEST(RelayInterpreter, AssignmentReadsTheOldValueThroughout) {
  EXPECT_EQ(output("let x = 3\nx = (1 + x) * x - x\nprint(x)\n"), "9\n");
  EXPECT_EQ(output("let b = true\nb = false || b\nprint(b)\n"
                   "let c = false\nc = !c && !c\nprint(c)\n"),
            "true\ntrue\n");
  EXPECT_EQ(output("let a = [5]\na = [a[0] + 1, a[0]]\nprint(a)\n"),
            "[6, 5]\n");
  EXPECT_EQ(output("fn f(a, b, c) { return a * 100 + b * 10 + c }\n"
                   "let x = 1\nx = f(x, f(2, x, 4), x + 4)\nprint(x)\n"),
            "2245\n");
}

/// Fused compare-and-branch jumps when the comparison is false, which for
/// NaN is not the opposite comparison.
TEST(RelayInterpreter, ConditionsOnNaNTakeTheFalseArm) {
  EXPECT_EQ(output("let n = 0 / 0\n"
                   "if n < 1 { print(1) } else { print(2) }\n"
                   "if n >= 1 { print(3) } else { print(4) }\n"
                   "if n != n { print(5) }\nif 1 == n { print(6) }\n"
                   "while n > 0 { print(7) }\n"
                   "if n < 1 && true { print(8) } else { print(9) }\n"
                   "print(n < 1, n >= 1, n != n, n == n)\n"),
            "2\n4\n5\n9\nfalse false true false\n");
}

TEST(RelayInterpreter, ConstantsOnEitherSideOfAnOperator) {
  EXPECT_EQ(
      output("let x = 3\n"
             "print(2 - 1 - 3, 10 / 4, 7 % 3, 2 - x, 2 * x - 1, 1 / x < 2)\n"
             "print(1 < x, x <= 3, 4 > x, 3 >= x, x == 3, 3 != x)\n"
             "print((true == false) == false, (1 < 2) == true, -x,"
             " !(x > 1), true != (x < 1))\n"),
      "-2 2.5 1 -1 5 true\ntrue true true true true false\n"
      "true true -3 false true\n");
}

/// 100,000-term chains (as the parser accepts them) lower in loops.
TEST(RelayInterpreter, LongChainsRunWithoutDeepRecursion) {
  std::string sum = "let x = 0", all = "let t = true", ands = "if 0 < 1";
  for (int i = 0; i < 100000; ++i) {
    sum += " + 1";
    all += " && true";
    ands += " && 0 < 1";
  }
  EXPECT_EQ(output(sum + "\n" + all + "\n" + ands +
                   " { print(x, t) } else { print(0) }\n"),
            "100000 true\n");
}

/// Each level of loop nesting has its own hidden state, per call.
TEST(RelayInterpreter, NestedLoopsInRecursiveCalls) {
  EXPECT_EQ(output("fn f(d) -> number { let s = 0\n"
                   "  for i in 0..2 { for x in [1, 2] { let j = 0\n"
                   "    while j < 2 { j = j + 1\n"
                   "      if d > 0 { s = s + f(d - 1) } else { s = s + x } }\n"
                   "    if i == 1 { continue } } }\n"
                   "  return s }\nprint(f(0), f(1), f(2))\n"),
            "12 96 768\n");
}

/// Calls and prints with more than kMaxRegisterArgs arguments go through
/// the argument stack: order, strings, nesting and an error in the middle.
TEST(RelayInterpreter, LongArgumentListsKeepTheirOrder) {
  const char *Source =
      "fn g(a, b, c, d, e, f, h, i, j) {\n"
      "  return a - b + c - d + e - f + h - i + j * 100 }\n"
      "fn r(n) { if n <= 0 { return 1 }\n"
      "  return g(n, r(n - 1), 3, 4, 5, 6, 7, 8, g(1, 2, 3, 4, 5, 6, 7, 8, n)) "
      "}\n"
      "print(\"a\", 1, 2, 3, 4, 5, 6, 7, r(2), \"b\", true, [1, 2])\n"
      "let a = [1]\n"
      "print(1, 2, 3, 4, 5, 6, 7, 8, r(1), a[2])\n";
  Outcome o = run(Source);
  EXPECT_EQ(o.out, "a 1 2 3 4 5 6 7 10002 b true [1, 2]\n");
  EXPECT_EQ(o.error.message, "array index 2 out of range (length 1)");
  EXPECT_EQ(o.error.loc.line, 7u);
  EXPECT_EQ(o.error.loc.col, 38u);
}

/// A frame reserves its temporaries for the whole call: a long print must
/// not make each of 9,000 recursive calls one slot per argument big (a
/// 30,000-argument one took 2.3 GB; calls now stop at kMaxArguments, 256).
TEST(RelayInterpreter, LongArgumentListsDoNotWidenTheFrame) {
  std::string args = "n";
  for (int i = 1; i < 256; ++i)
    args += ", n";
  std::string source = "fn f(n) { if n > 0 { return f(n - 1) }\n  print(" +
                       args + ")\n  return 7 }\nprint(f(9000))\n";
  ArenaScope arena;
  auto program = compile(source);
  const FuncDecl &f = *program->functions[indexOf(*program, "f")];
  EXPECT_LT(interp::compile(f)->frameSize, 16u);
  Interpreter interp(*program);
  Outcome o = runCaptured(interp);
  EXPECT_TRUE(o.ok) << o.error.message;
  std::string zeros = "0";
  for (int i = 1; i < 256; ++i)
    zeros += " 0";
  EXPECT_EQ(o.out, zeros + "\n7\n");
}

/// Calls nested in arguments stop taking temporaries once 32 are in use:
/// 36 levels of 8-argument calls (252 arguments held, within the parser's
/// bound) keep a frame under 200 slots (288 in temporaries otherwise), and
/// the innermost value still comes out.
TEST(RelayInterpreter, NestedArgumentListsDoNotWidenTheFrame) {
  std::string e = "n"; // 252 arguments held at once: within kMaxArguments
  for (int i = 0; i < 36; ++i)
    e = "g(1, 2, 3, 4, 5, 6, 7, " + e + ")";
  std::string source = "fn g(a, b, c, d, e, f, h, i) { return i - a + 1 }\n"
                       "fn f(n) { if n > 0 { return f(n - 1) + 1 }\n"
                       "  return " +
                       e + " }\nprint(f(100))\n";
  ArenaScope arena;
  auto program = compile(source);
  const FuncDecl &f = *program->functions[indexOf(*program, "f")];
  EXPECT_LT(interp::compile(f)->frameSize, 200u);
  EXPECT_EQ(output(source), "100\n");
}

// ---- Entry points and router hooks
// --------------------------------------------

const char *const Functions = "fn twice(x: number) -> number { return 2 * x }\n"
                              "fn sum(n: number) -> number { let s = 0\n"
                              "  for i in 0..n { s = s + twice(i) }\n"
                              "  return s }\n"
                              "fn bad(a: array) -> number { return a[5] }\n"
                              "print(sum(4))\n";

TEST(RelayInterpreter, CallRunsOneFunction) {
  ArenaScope arena;
  auto program = compile(Functions);
  Interpreter interp(*program);
  Slot arg{.number = 21}, ret{.number = 0};
  RuntimeError error;
  ASSERT_TRUE(interp.call(indexOf(*program, "twice"), &arg, &ret, error));
  EXPECT_EQ(ret.number, 42);
  Slot array{.array = kiln_rt_array_new(2)};
  int32_t depth = kiln_rt_depth;
  EXPECT_FALSE(interp.call(indexOf(*program, "bad"), &array, &ret, error));
  EXPECT_EQ(error.message, "array index 5 out of range (length 2)");
  EXPECT_EQ(error.loc.line, 5u);
  EXPECT_EQ(kiln_rt_depth, depth);
  EXPECT_FALSE(interp.call(99, nullptr, nullptr, error));
}

TEST(RelayInterpreter, ProfileCountsCallsAndLoopIterations) {
  ArenaScope arena;
  auto program = compile(Functions);
  Interpreter interp(*program);
  std::vector<std::string> seen;
  uint64_t sumLoops = 0;
  interp.onProfile = [&](const FuncDecl &fn, uint64_t calls, uint64_t loops) {
    seen.push_back(fn.name + ":" + std::to_string(calls));
    if (fn.name == "sum")
      sumLoops = loops;
  };
  Outcome o = runCaptured(interp);
  EXPECT_EQ(o.out, "12\n");
  EXPECT_EQ(seen, (std::vector<std::string>{"twice:1", "twice:2", "twice:3",
                                            "twice:4", "sum:1"}));
  EXPECT_EQ(sumLoops, 4u);
  EXPECT_EQ(interp.interpretedCalls(indexOf(*program, "twice")), 4u);
  EXPECT_EQ(interp.nativeCalls(indexOf(*program, "twice")), 0u);
}

void nativeTwice(const Slot *args, Slot *ret) {
  ret->number = 2 * args[0].number + 1000; // distinguishable from Relay's
}

void nativeTrap(const Slot *, Slot *) {
  kiln_rt_depth += 3; // frames that never return; the guard restores it
  kiln_rt_trap("native trouble", "test.relay", 7, 9);
}

TEST(RelayInterpreter, NativeEntriesReplaceInterpretedCalls) {
  ArenaScope arena;
  auto program = compile(Functions);
  Interpreter interp(*program);
  int twice = indexOf(*program, "twice");
  interp.setNativeEntry(twice, nativeTwice);
  Outcome o = runCaptured(interp);
  EXPECT_TRUE(o.ok);
  EXPECT_EQ(o.out, "4012\n");
  EXPECT_EQ(interp.nativeCalls(twice), 4u);
  EXPECT_EQ(interp.interpretedCalls(twice), 0u);
  interp.setNativeEntry(twice, nullptr); // back to interpreting
  EXPECT_EQ(runCaptured(interp).out, "12\n");
  EXPECT_EQ(interp.interpretedCalls(twice), 4u);
}

TEST(RelayInterpreter, TrapsInNativeCodeBecomeRuntimeErrors) {
  ArenaScope arena;
  auto program = compile(Functions);
  Interpreter interp(*program);
  interp.setNativeEntry(indexOf(*program, "twice"), nativeTrap);
  int32_t depth = kiln_rt_depth;
  Outcome o = runCaptured(interp);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error.message, "native trouble");
  EXPECT_EQ(o.error.loc.line, 7u);
  EXPECT_EQ(o.error.loc.col, 9u);
  EXPECT_EQ(kiln_rt_depth, depth);
}

/// Native code that calls back into the interpreter, as compiled code calls
/// a function that is still interpreted.
Interpreter *callbackTarget;
int callbackIndex;
void nativeCallingBack(const Slot *args, Slot *ret) {
  // Static: the trap unwinds this frame without running destructors.
  static RuntimeError error;
  if (!callbackTarget->call(callbackIndex, args, ret, error))
    kiln_rt_trap(error.message.c_str(), "test.relay",
                 static_cast<int32_t>(error.loc.line),
                 static_cast<int32_t>(error.loc.col));
}

TEST(RelayInterpreter, NativeCodeCallsBackIntoTheInterpreter) {
  ArenaScope arena;
  auto program = compile("fn inner(x: number) -> number { let a = [1]\n"
                         "  return a[x] }\n"
                         "fn outer(x: number) -> number { return inner(x) }\n"
                         "print(outer(0))\nprint(outer(3))\n");
  Interpreter interp(*program);
  callbackTarget = &interp;
  callbackIndex = indexOf(*program, "inner");
  interp.setNativeEntry(indexOf(*program, "outer"), nativeCallingBack);
  Outcome o = runCaptured(interp);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.out, "1\n");
  EXPECT_EQ(o.error.message, "array index 3 out of range (length 1)");
  EXPECT_EQ(o.error.loc.line, 2u);
  EXPECT_EQ(o.error.loc.col, 11u);
  EXPECT_EQ(interp.interpretedCalls(callbackIndex), 2u);
}

} // namespace
} // namespace kiln::relay
