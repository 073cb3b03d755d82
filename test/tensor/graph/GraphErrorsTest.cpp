// GraphErrorsTest: what a tensor graph's author is told — parse and type
// errors located in the source, sentences that speak of graphs (not of the
// synthetic kernels statements are parsed as), and operations without a
// derivative located at the `grad` that needs one.
#include "kiln/tensor/Graph.h"
#include "kiln/tensor/Tensor.h"
#include "GraphTestUtil.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kiln::tensor {
namespace {

using test::engine;

std::string firstError(const std::string &src) {
  auto r = parseGraphProgram(src, "t.tk");
  return r.ok() ? ""
                : std::to_string(r.errors[0].loc.line) + ":" +
                      std::to_string(r.errors[0].loc.col) + ": " +
                      r.errors[0].message;
}

TEST(TensorGraph, ParseErrorsAreLocated) {
  EXPECT_EQ(firstError("graph g(x: f32[]) {\n  y = x + z;\n  return y\n}"),
            "2:11: unknown name 'z'");
  EXPECT_EQ(
      firstError("graph g(x: f32[]) {\n  y = x - mean(x);\n  return y\n}"),
      "2:9: a statement cannot mix a whole-array reduction with array "
      "values; give the reduction its own statement, e.g. m = mean(y); "
      "d = y - m");
  EXPECT_EQ(
      firstError("graph g(x: f32[]) {\n  d = grad(x, [x]);\n  return d\n}"),
      "2:7: 'grad' differentiates a scalar f32 or f64 value; 'x' is "
      "f32[]");
  EXPECT_EQ(
      firstError("graph g(x: f32[]) {\n  y = x;\n  y = x;\n  return y\n}"),
      "3:3: 'y' is already defined in graph 'g'");
  EXPECT_EQ(firstError("graph g(x: f32[]) {\n  y = x * f64(x);\n  return y\n}"),
            "2:9: cannot mix f32 and f64 in '*'; cast one side, e.g. f64(x)");
  EXPECT_EQ(firstError("graph g(x: f32[]) {\n  \xc3\xa9 = x;\n  return x\n}"),
            "2:3: expected a statement name or 'return', found byte 0xc3 "
            "(names and operators are ASCII)");
  EXPECT_EQ(
      firstError("graph g(x: f64[]) {\n  l = sum(x % x);\n  d = grad(l, "
                 "[x]);\n  e = grad(d, [x]);\n  return e\n}"),
      "4:7: 'grad' differentiates a scalar f32 or f64 value; 'd' is f64[]");
  EXPECT_EQ(firstError("graph g(x: f32[]) {\n  return q\n}"),
            "2:10: unknown name 'q' in graph 'g'");
}

/// Where a graph wants a value's name (grad's operands, return), an
/// expression is named as such (grad(sum(x), [x]) once said "unknown name
/// 'sum'"); kernel-parser messages inside a statement speak of statements.
TEST(TensorGraph, ErrorsSpeakOfTheGraph) {
  auto g = [](const std::string &body) {
    return firstError("graph g(x: f64[], y: f64[]) {\n" + body + "\n}");
  };
  EXPECT_EQ(g("  d = grad(sum(x), [x]);\n  return d"),
            "2:12: 'grad' takes the name of the value to differentiate, not "
            "an expression: name 'sum(x)' in a statement first (v = "
            "sum(x);)");
  EXPECT_EQ(g("  l = sum(x);\n  d = grad(l, [x, y * 2]);\n  return d"),
            "3:19: 'grad' differentiates by a value's name, not an "
            "expression: name 'y * 2' in a statement first (v = y * 2;)");
  EXPECT_EQ(g("  return x + 1"),
            "2:10: 'return' takes the names of values, not an expression: "
            "name 'x + 1' in a statement first (v = x + 1;)");
  EXPECT_EQ(g("  z = x[0];\n  return z"),
            "2:8: expected an operator or ';', found '['");
  EXPECT_EQ(g("  z = x + ;\n  return z"),
            "2:11: expected an expression, found ';'");
  EXPECT_EQ(g("  l = sum(x);\n  d = grad(l, [q]);\n  return d"),
            "3:16: unknown name 'q' in graph 'g'");
}

/// Operations without a derivative on the path are located at the grad.
TEST(TensorGraph, UndifferentiableOperationsAreLocated) {
  auto e = engine();
  for (auto [src, want] : std::vector<std::pair<std::string, std::string>>{
           {"graph g(x: f64[], y: f64[]) {\n  l = sum(x % y);\n  d = grad(l, "
            "[y]);\n  return d\n}",
            "t.tk:3:3: error: cannot differentiate '%' by its right operand"},
           {"graph g(x: f64[]) {\n  l = sum(x * x);\n  d = grad(l, [x]);\n  "
            "m = sum(d);\n  e = grad(m, [x]);\n  return e\n}",
            "t.tk:5:3: error: cannot differentiate a gradient again"}}) {
    auto g = compileGraph(*e, src, "g", "t.tk");
    ASSERT_FALSE(g.ok());
    EXPECT_NE(render(g.diagnostics(), false).find(want), std::string::npos)
        << render(g.diagnostics(), false);
  }
}

} // namespace
} // namespace kiln::tensor
