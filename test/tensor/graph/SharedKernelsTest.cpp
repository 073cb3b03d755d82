// SharedKernelsTest: steps whose fused kernels differ only in names share
// one kernel (graph/Plan.cpp), in the JIT's plans and in the static plan
// that AOT libraries carry.
//
// A graph of repeated statements and its backward pass once compiled one
// kernel per statement (a 3000-statement chain took minutes to build); the
// shared kernel must still read each step's own values, so these chains
// alternate the order of their parameters inside identical texts.
#include "kiln/tensor/Graph.h"
#include "kiln/tensor/Tensor.h"
#include "tensor/graph/Nodes.h"
#include "tensor/graph/StaticPlan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace kiln;
using namespace kiln::tensor;

namespace {

/// `n` statements, each reading the previous value twice (so each is kept
/// and is a kernel of its own); odd ones `v * a + b`, even ones `v * b + a`:
/// the same text with the parameters in the other order. With `grad`, the
/// gradient of the last value's sum by x as well.
std::string chain(int n, bool grad) {
  std::string s = "graph g(x: f64[], a: f64[], b: f64[]) {\n  v0 = x;\n";
  for (int i = 1; i <= n; ++i) {
    std::string v = "v" + std::to_string(i - 1);
    std::string ab = i % 2 ? " * a + b" : " * b + a";
    s += "  v" + std::to_string(i) + " = (" + v + ab + ") * 0.5 + " + v +
         " * 0.25;\n";
  }
  std::string last = "v" + std::to_string(n);
  if (!grad)
    return s + "  return " + last + "\n}\n";
  return s + "  loss = sum(" + last + ");\n  dx = grad(loss, [x]);\n" +
         "  return " + last + ", dx\n}\n";
}

/// The chain's value and d(value)/dx at one element, in plain C++.
void reference(int n, double x, double a, double b, double &v, double &d) {
  v = x, d = 1;
  for (int i = 1; i <= n; ++i) {
    double m = i % 2 ? a : b, c = i % 2 ? b : a;
    v = (v * m + c) * 0.5 + v * 0.25;
    d = d * (m * 0.5 + 0.25);
  }
}

TEST(TensorGraphSharedKernels, StepsShareKernelsAndReadTheirOwnValues) {
  const int n = 400;
  auto engine = Engine::create();
  ASSERT_TRUE(engine);
  auto g = compileGraph(**engine, chain(n, true), "g");
  ASSERT_TRUE(g) << render(g.diagnostics(), false);
  std::vector<double> x = {0.5, -1, 2}, a = {0.9, 1.1, 0.7},
                      b = {0.1, -0.2, 0.3};
  auto view = [](std::vector<double> &v) {
    return Arg::of(ArrayView::contiguous(v.data(), DType::F64, {3}));
  };
  std::vector<Arg> out;
  auto r = (*g)->run({view(x), view(a), view(b)}, out);
  ASSERT_TRUE(r.ok()) << render(r.diagnostics(), false);
  for (size_t i = 0; i < 3; ++i) {
    double v, d;
    reference(n, x[i], a[i], b[i], v, d);
    EXPECT_NEAR(static_cast<const double *>(out[0].array.data)[i], v,
                1e-12 * (1 + std::fabs(v)));
    EXPECT_NEAR(static_cast<const double *>(out[1].array.data)[i], d,
                1e-12 * (1 + std::fabs(d)));
  }
  // The listing keeps one kernel per step, each with its own names.
  auto listed = (*g)->plannedKernels();
  EXPECT_GE(listed.size(), size_t(n));
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()).size(),
            listed.size());
}

TEST(TensorGraphSharedKernels, TheStaticPlanCarriesEachKernelOnce) {
  auto parsed = parseGraphProgram(chain(600, true));
  ASSERT_TRUE(parsed.ok());
  const Graph &graph = parsed.program.graphs.at(0);
  auto nodes = graph::buildNodes(graph);
  ASSERT_TRUE(nodes);
  std::vector<unsigned> outputs;
  for (unsigned v : graph.results)
    outputs.push_back(nodes->valueNode[v]);
  auto sp = graph::planWithoutShapes(*nodes, outputs, "t");
  ASSERT_TRUE(sp);
  // Forward: two texts (the first statement reads x once more); backward:
  // a few. Before sharing: one kernel per step, over 1200.
  EXPECT_LE(sp->kernels.size(), 12u);
  EXPECT_GE(sp->stepKernels.size(), 1200u);
  size_t at = 0;
  for (const graph::Step &st : sp->plan->steps) {
    if (st.kind != graph::StepKind::Kernel)
      continue;
    ASSERT_LT(at, sp->stepKernels.size());
    size_t k = sp->stepKernels[at++];
    ASSERT_LT(k, sp->kernels.size());
    EXPECT_EQ(sp->kernels[k].params.size(), st.params.size());
  }
  EXPECT_EQ(at, sp->stepKernels.size());
}

} // namespace
