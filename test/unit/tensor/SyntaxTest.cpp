// SyntaxTest: the tensor language's parser and sema — every operator parses
// to the expected tree, type errors carry pinned messages and locations,
// diagnostics render with caret, and the builder makes the same kernels.
#include "kiln/tensor/Syntax.h"
#include "DiagText.h"
#include "kiln/tensor/Array.h"
#include "kiln/tensor/Builder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace kiln::tensor;
using kiln::tensor::test::message;
using kiln::tensor::test::renderDiags;

namespace {

/// The canonical text of the only kernel of `source` (fails on errors).
std::string printed(const std::string &source) {
  ParseResult r = parseProgram(source);
  EXPECT_TRUE(r.ok()) << renderDiags(r.errors, "t.tk", source);
  return r.ok() ? printKernel(r.program.kernels.at(0)) : "";
}

/// The rendered diagnostics of `source`.
std::string errors(const std::string &source) {
  ParseResult r = parseProgram(source);
  EXPECT_FALSE(r.ok()) << "expected an error in: " << source;
  return renderDiags(r.errors, "t.tk", source);
}

const char *F32Header = "kernel k(a: f32[], b: f32[], s: f32) -> ";

TEST(TensorSyntax, EveryOperatorParsesWithPrecedence) {
  std::string h = F32Header;
  EXPECT_EQ(printed(h + "f32[] = a + b * s - a / b % s"),
            "kernel k(a: f32[], b: f32[], s: f32) -> f32[] = "
            "((a + (b * s)) - ((a / b) % s))");
  EXPECT_EQ(printed(h + "bool[] = a < b && b <= s || !(a > s) && a >= b"),
            "kernel k(a: f32[], b: f32[], s: f32) -> bool[] = "
            "(((a < b) && (b <= s)) || ((!(a > s)) && (a >= b)))");
  EXPECT_EQ(printed(h + "bool[] = a == b || a != s"),
            "kernel k(a: f32[], b: f32[], s: f32) -> bool[] = "
            "((a == b) || (a != s))");
  EXPECT_EQ(printed(h + "f32[] = -a + where(a > b, a, 2)"),
            "kernel k(a: f32[], b: f32[], s: f32) -> f32[] = "
            "((-a) + where((a > b), a, 2))");
}

TEST(TensorSyntax, EveryBuiltinCastAndReductionParses) {
  std::string h = F32Header;
  for (const char *call :
       {"abs(a)", "min(a, b)", "max(a, b)", "sqrt(a)", "exp(a)", "log(a)",
        "sin(a)", "cos(a)", "tanh(a)", "sigmoid(a)", "relu(a)", "pow(a, b)",
        "floor(a)", "ceil(a)", "clamp(a, 0, s)", "f32(i32(a))"})
    EXPECT_NE(printed(h + "f32[] = " + call), "") << call;
  for (const char *red : {"sum(a)", "prod(a)", "min(a)", "max(a)", "mean(a)"})
    EXPECT_NE(printed(h + "f32 = " + red + " + s"), "") << red;
}

TEST(TensorSyntax, LiteralsAdaptToTheOtherOperand) {
  ParseResult r = parseProgram(
      "kernel k(a: i32[], x: f32[]) -> f32[] = f32(a * 2 - -3) + x * 0.5");
  ASSERT_TRUE(r.ok()) << renderDiags(r.errors, "t.tk", "");
  const Expr &sum = *r.program.kernels[0].body;
  const Expr &intPart = *sum.children[0]->children[0]; // a * 2 - -3
  EXPECT_EQ(intPart.type, DType::I32);
  EXPECT_EQ(intPart.children[1]->type, DType::I32);
  EXPECT_EQ(intPart.children[1]->number, -3);
  EXPECT_EQ(sum.children[1]->children[1]->type, DType::F32);
  EXPECT_TRUE(sum.isArray);
}

TEST(TensorSyntax, DtypeMixIsAnErrorAtTheOperator) {
  EXPECT_EQ(errors("kernel k(a: f32[], b: f64[]) -> f64[] = a + b"),
            "t.tk:1:43: error: cannot mix f32 and f64 in '+'; cast one side, "
            "e.g. f64(x)\n"
            "kernel k(a: f32[], b: f64[]) -> f64[] = a + b\n"
            "                                          ^");
  EXPECT_EQ(errors("kernel k(a: i32[]) -> i32[] = a * 2.5"),
            "t.tk:1:35: error: cannot mix the float literal 2.5 with i32 in "
            "'*'; write an integer or cast, e.g. f64(x)\n"
            "kernel k(a: i32[]) -> i32[] = a * 2.5\n"
            "                                  ^");
}

TEST(TensorSyntax, PinnedTypeErrors) {
  auto first = [](const std::string &src) {
    std::string all = errors(src);
    return all.substr(0, all.find('\n'));
  };
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32[] = foo(a)"),
            "t.tk:1:31: error: unknown function 'foo'");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32[] = a + q"),
            "t.tk:1:35: error: unknown name 'q'");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32[] = clamp(a, 1)"),
            "t.tk:1:31: error: 'clamp' takes 3 arguments, got 2");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32[] = sqrt(a, a)"),
            "t.tk:1:31: error: 'sqrt' takes 1 argument, got 2");
  EXPECT_EQ(first("kernel k(a: i32[]) -> i32[] = sqrt(a)"),
            "t.tk:1:31: error: 'sqrt' takes f32 or f64, got i32; cast it, "
            "e.g. f64(x)");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32[] = a + sum(a)"),
            "t.tk:1:35: error: a reduction cannot be mixed with elementwise "
            "array values in one kernel; compute it in a separate kernel");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32 = sum(a * sum(a))"),
            "t.tk:1:37: error: reductions cannot be nested; 'sum' is inside "
            "another reduction");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32 = a * 2"),
            "t.tk:1:31: error: kernel 'k' returns a scalar but its body is "
            "elementwise; reduce it, e.g. sum(...)");
  EXPECT_EQ(first("kernel k(a: bool[]) -> bool = sum(a)"),
            "t.tk:1:31: error: 'sum' cannot reduce bool; cast it first, e.g. "
            "i64(x)");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f64[] = a"),
            "t.tk:1:31: error: kernel 'k' is declared to return f64[] but its "
            "body has type f32[]");
  EXPECT_EQ(first("kernel k(a: bool[]) -> bool[] = a + a"),
            "t.tk:1:35: error: cannot use bool in '+'; cast it first, e.g. "
            "i32(x)");
  EXPECT_EQ(first("kernel k(a: f32[]) -> bool[] = a && a"),
            "t.tk:1:34: error: '&&' takes bool operands, got f32; compare it, "
            "e.g. x != 0");
  EXPECT_EQ(first("kernel k(a: f32[]) -> f32[] = where(a, a, a)"),
            "t.tk:1:31: error: 'where' needs a bool condition, got f32");
}

TEST(TensorSyntax, PinnedSyntaxErrors) {
  EXPECT_EQ(errors("kernel k(a: f32[]) -> f32[] = a +"),
            "t.tk:1:34: error: expected an expression, found end of file\n"
            "kernel k(a: f32[]) -> f32[] = a +\n"
            "                                 ^");
  EXPECT_EQ(errors("kernel k(a: f33[]) -> f32[] = a"),
            "t.tk:1:13: error: expected a dtype (bool, i32, i64, f32, f64) for "
            "the parameter, found 'f33'\n"
            "kernel k(a: f33[]) -> f32[] = a\n"
            "            ^");
  EXPECT_EQ(errors("kernel k(a: f32[]) -> f32[] = a $ a"),
            "t.tk:1:33: error: expected an operator or the next 'kernel', "
            "found unexpected character '$'\n"
            "kernel k(a: f32[]) -> f32[] = a $ a\n"
            "                                ^");
}

TEST(TensorSyntax, SeveralErrorsInOneRunInSourceOrder) {
  std::string src = "kernel a(x: f32[]) -> f32[] = x +\n"
                    "kernel b(x: f32[], y: f64[]) -> f32[] = x * y\n"
                    "kernel c(x: f32[]) -> f32[] = bad(x)\n";
  ParseResult r = parseProgram(src);
  ASSERT_EQ(r.errors.size(), 3u) << renderDiags(r.errors, "t.tk", src);
  EXPECT_EQ(
      renderDiags({r.errors[0]}, "t.tk", src).substr(0, 64),
      "t.tk:2:1: error: expected an expression, found 'kernel'\nkernel b");
  EXPECT_EQ(r.errors[1].loc.line, 2u);
  EXPECT_EQ(r.errors[2].loc.line, 3u);
}

TEST(TensorSyntax, BuilderMakesTheSameKernelAsText) {
  KernelBuilder b;
  Val a = b.array("a", DType::F32), x = b.array("b", DType::F32),
      c = b.array("c", DType::F32), alpha = b.scalar("alpha", DType::F32);
  Kernel built = b.kernel("fma_relu", relu(alpha * a * x + c));
  EXPECT_TRUE(built.resultIsArray);
  EXPECT_EQ(built.resultType, DType::F32);
  ASSERT_TRUE(typeCheck(built).empty());
  EXPECT_EQ(printKernel(built),
            printed("kernel fma_relu(a: f32[], b: f32[], c: f32[], alpha: f32)"
                    " -> f32[] = relu(alpha * a * b + c)"));

  Val p = b.array("a", DType::F64), q = b.array("b", DType::F64);
  Kernel dot = b.kernel("dot", sum(p * q) / 2);
  EXPECT_FALSE(dot.resultIsArray);
  EXPECT_EQ(dot.resultType, DType::F64);
  ASSERT_TRUE(typeCheck(dot).empty());
  EXPECT_EQ(printKernel(dot),
            printed("kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b) / 2"));
}

TEST(TensorSyntax, BuilderTypeErrorsHaveNoLocation) {
  KernelBuilder b;
  Val a = b.array("a", DType::F32), d = b.array("d", DType::F64);
  Kernel k = b.kernel("mix", a + d);
  auto errs = typeCheck(k);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(renderDiags(errs, "kernel 'mix'", ""),
            "kernel 'mix': error: cannot mix f32 and f64 in '+'; cast one "
            "side, e.g. f64(x)");
}

/// `count` copies of `s`.
std::string repeat(const std::string &s, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i)
    out += s;
  return out;
}

/// The first line of the rendered diagnostics of `source`.
std::string firstError(const std::string &source) {
  std::string all = errors(source);
  return all.substr(0, all.find('\n'));
}

// Issue 15: 10k parentheses or a 20k-term sum overflowed the stack. The
// parser stops at 1000 levels (tensor/syntax/Limits.h) with a located error.
TEST(TensorSyntax, NestingTooDeepIsALocatedError) {
  const std::string h = "kernel f(a: f32[]) -> f32[] = "; // 30 columns
  const std::string deep = ": error: expression nesting too deep: more than "
                           "1000 levels (each operator of a chain like a + b "
                           "+ c counts as one)";
  EXPECT_EQ(firstError(h + repeat("(", 10000) + "a" + repeat(")", 10000)),
            "t.tk:1:1031" + deep);
  std::string sum = h + "a" + repeat("+a", 19999);
  EXPECT_EQ(firstError(sum), "t.tk:1:2030" + deep);
  // The 40,030-column line shows 120 columns around the caret.
  EXPECT_EQ(errors(sum).substr(firstError(sum).size()),
            "\n..." + sum.substr(1969, 120) + "...\n" + repeat(" ", 63) + "^");
  EXPECT_EQ(firstError(h + repeat("abs(", 10000) + "a" + repeat(")", 10000)),
            "t.tk:1:4031" + deep);
  EXPECT_EQ(firstError(
                "kernel f(a: bool[]) -> bool[] = " + repeat("!", 100000) + "a"),
            "t.tk:1:1033" + deep);
  // Within the limit: 999 parentheses, a 1000-term sum.
  EXPECT_TRUE(parseProgram(h + repeat("(", 999) + "a" + repeat(")", 999)).ok());
  EXPECT_TRUE(parseProgram(h + "a" + repeat("+a", 999)).ok());
  // The next kernel is still parsed and checked.
  ParseResult r =
      parseProgram(h + repeat("(", 2000) + "\nkernel g(a: f32[]) -> i32[] = a");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[1].loc.line, 2u);
}

TEST(TensorSyntax, BuiltKernelsAreBoundedTooWithoutRecursion) {
  for (bool dag : {false, true}) {
    KernelBuilder b;
    Val a = b.array("a", DType::F32), body = a;
    for (int i = 0; i < 5000; ++i) // a DAG: 5000 nodes, 2^5000 paths
      body = body + (dag ? body : a);
    Kernel k = b.kernel("deep", body);
    auto errs = typeCheck(k);
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_EQ(errs[0].message.substr(0, 29), "expression nesting too deep: ");
  }
}

// Issue 15: the limit was reported by the engine without a location.
TEST(TensorSyntax, TooManyParametersIsLocatedAtTheFirstOneTooMany) {
  std::string src = "kernel f(";
  for (int i = 0; i < 61; ++i)
    src += (i ? ", p" : "p") + std::to_string(i) + ": f32[]";
  src += ") -> f32[] = p0";
  size_t col = src.find("p60") + 1;
  EXPECT_EQ(firstError(src), "t.tk:1:" + std::to_string(col) +
                                 ": error: kernel 'f' has more than 60 "
                                 "parameters");
  src.replace(src.find(", p60: f32[]"), 12, "");
  EXPECT_TRUE(parseProgram(src).ok());
}

TEST(TensorSyntax, ShapesBeyondTwoToTheSixtyAreRefused) {
  ParseResult r = parseProgram("kernel f(a: f32[], b: f32[]) -> f32 = "
                               "sum(a + b)");
  ASSERT_TRUE(r.ok());
  const Kernel &k = r.program.kernels[0];
  float x = 0;
  ArrayView big =
      ArrayView::contiguous(&x, DType::F32, {4294967296, 4294967296});
  ArrayView col = ArrayView::contiguous(&x, DType::F32, {2147483648, 1});
  ArrayView row = ArrayView::contiguous(&x, DType::F32, {1, 2147483648});
  EXPECT_EQ(message(checkCall(k, {Arg::of(big), Arg::of(big)}, nullptr)),
            "argument 'a': shape [4294967296, 4294967296] has too many "
            "elements (the limit is 2^60)");
  EXPECT_EQ(message(checkCall(k, {Arg::of(col), Arg::of(row)}, nullptr)),
            "the broadcast shape [2147483648, 2147483648] has too many "
            "elements (the limit is 2^60)");
  ArrayView empty = ArrayView::contiguous(&x, DType::F32, {0, 1LL << 62, 8});
  EXPECT_EQ(message(checkCall(k, {Arg::of(empty), Arg::of(empty)}, nullptr)),
            "");
  ArrayView strided = ArrayView::contiguous(&x, DType::F32, {3});
  strided.strides[0] = int64_t(1) << 62;
  EXPECT_EQ(
      message(checkCall(k, {Arg::of(strided), Arg::of(strided)}, nullptr)),
      "argument 'a': strides reach beyond the address space");
}

TEST(TensorSyntax, PrintedKernelsParseBackToThemselves) {
  for (const char *src :
       {"kernel k(a: f64[], s: f64) -> f64 = mean(a) * -2.5e-3 + s",
        "kernel k(a: i64[]) -> i64[] = where(a % 2 == 0, a / -2, abs(a))",
        "kernel k(a: f32[]) -> bool = max(a > 0.5) && !min(a < 1)"}) {
    std::string once = printed(src);
    EXPECT_EQ(printed(once), once);
  }
}

// Found by the tensor fuzz target: 554 `!` in a row printed as 554 nested
// parenthesis pairs, twice the levels, and the text no longer parsed (the
// nesting limit is 1000). A run of unary operators prints in one pair.
TEST(TensorSyntax, LongUnaryRunsPrintWithinTheNestingLimit) {
  std::string src = "kernel w(c: bool[], x: i64[]) -> i64[] = where(" +
                    std::string(554, '!') + "c, x, -(-(-x)))";
  std::string once = printed(src);
  EXPECT_EQ(printed(once), once);
  EXPECT_NE(once.find("(- - -x)"), std::string::npos) << once;
}

// A UTF-8 byte order mark at the start is skipped, as Relay skips it, and
// columns count from the character after it (the error named byte 0xef).
TEST(TensorSyntax, ByteOrderMarkIsSkipped) {
  EXPECT_EQ(printed("\xEF\xBB\xBFkernel k(a: f32[]) -> f32[] = a"),
            "kernel k(a: f32[]) -> f32[] = a");
  std::string src = "\xEF\xBB\xBFkernel k(a: f32[]) -> f32[] = b";
  EXPECT_EQ(errors(src), "t.tk:1:31: error: unknown name 'b'\n"
                         "kernel k(a: f32[]) -> f32[] = b\n"
                         "                              ^");
}

// Builtins.def is the one list: every row parses with its arity, sema
// applies its operand rule, and docs/tensor.md shows the same rows.
TEST(TensorSyntax, EveryBuiltinParsesWithItsArityAndOperands) {
  for (unsigned i = 0; i < kBuiltinCount; ++i) {
    auto fn = static_cast<Builtin>(i);
    std::string args = "a";
    for (unsigned k = 1; k < builtinArity(fn); ++k)
      args += ", a";
    std::string call = std::string(builtinName(fn)) + "(" + args + ")";
    EXPECT_EQ(printed("kernel k(a: f64[]) -> f64[] = " + call),
              "kernel k(a: f64[]) -> f64[] = " + call);
    ParseResult ints = parseProgram("kernel k(a: i32[]) -> i32[] = " + call);
    EXPECT_EQ(ints.ok(), !builtinTakesFloatOnly(fn)) << call;
    EXPECT_EQ(std::string(builtinLibm(fn)).empty(),
              fn == Builtin::Abs || fn == Builtin::Min || fn == Builtin::Max ||
                  fn == Builtin::Sigmoid || fn == Builtin::Relu ||
                  fn == Builtin::Clamp)
        << call;
  }
}

TEST(TensorSyntax, DocsListEveryBuiltin) {
  std::ifstream in(KILN_TENSOR_DOCS);
  std::stringstream docs;
  docs << in.rdbuf();
  ASSERT_FALSE(docs.str().empty()) << KILN_TENSOR_DOCS;
  for (unsigned i = 0; i < kBuiltinCount; ++i) {
    auto fn = static_cast<Builtin>(i);
    std::string libm = builtinLibm(fn);
    std::string row = std::string("| `") + builtinName(fn) + "` | " +
                      std::to_string(builtinArity(fn)) + " | " +
                      (builtinTakesFloatOnly(fn) ? "f32, f64" : "any number") +
                      " | " + (libm.empty() ? "—" : "`" + libm + "`") + " | " +
                      builtinDoc(fn) + " |\n";
    EXPECT_NE(docs.str().find(row), std::string::npos) << "missing: " << row;
  }
}

} // namespace
