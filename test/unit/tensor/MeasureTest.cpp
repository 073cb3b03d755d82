// MeasureTest: the harness behind `kiln tensor run` — the generated data
// contract (shared with test/tensor/aot_main.c), shape overrides and their
// broadcast, the footprint refusal, the kernel choice and a measured run's
// checksum, elements and bytes against sums computed here.
#include "Measure.h"
#include "RunArgs.h"
#include "TestEngine.h"
#include "kiln/tensor/Syntax.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace kiln::tensor;
using namespace kiln::tensor::harness;
using test::message;

namespace {

const char *kSource =
    "kernel mix(a: f32[], b: i64[], c: bool[], s: f64) -> f32 = sum(a)\n"
    "kernel triad(a: f32[], b: f32[], s: f32) -> f32[] = a + s * b\n"
    "kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)\n";

Program program() {
  ParseResult parsed = parseProgram(kSource, "m.tk");
  EXPECT_TRUE(parsed.ok());
  return parsed.program;
}

int64_t hash(int64_t i, int64_t p) { return (i * 7919 + p * 104729) % 1000; }

/// Whole decimal numbers only (the tool passes its own, which takes 1e6).
bool digits(const std::string &text, int64_t &out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::stoll(text);
  return true;
}

TEST(TensorMeasure, GeneratedInputsFollowTheDataContract) {
  Program p = program();
  MeasureOptions o;
  o.n = 3;
  Inputs in = generateInputs(*p.find("mix"), o);
  ASSERT_EQ(in.args.size(), 4u);
  const auto *a = reinterpret_cast<const float *>(in.buffers[0].data());
  const auto *b = reinterpret_cast<const int64_t *>(in.buffers[1].data());
  EXPECT_EQ(a[0], 0.5f);
  EXPECT_EQ(a[1], float(0.5 + hash(1, 0) / 1000.0)); // 1.419
  EXPECT_EQ(b[0], 1 + hash(0, 1) % 100);             // 30
  EXPECT_EQ(in.buffers[2][0], hash(0, 2) % 3 != 0);  // true
  EXPECT_EQ(in.buffers[2][1], hash(1, 2) % 3 != 0);
  EXPECT_TRUE(in.buffers[3].empty());
  EXPECT_FALSE(in.args[3].isArray);
  EXPECT_EQ(in.args[3].scalar.f, 1.25);
  EXPECT_EQ(in.args[0].array.shape[0], 3);
}

TEST(TensorMeasure, OverridesShapeParametersAndTheBroadcastOutput) {
  Program p = program();
  const Kernel &triad = *p.find("triad");
  MeasureOptions o;
  o.n = 3;
  o.shapes = {{"a", {2, 3}}};
  EXPECT_EQ(shapeFor(o, triad.params[0]), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(shapeFor(o, triad.params[1]), (std::vector<int64_t>{3}));
  EXPECT_EQ(outputShape(triad, o), (std::vector<int64_t>{2, 3}));
  o.n = 4; // [2, 3] against [4]: no broadcast, the run reports it
  EXPECT_EQ(outputShape(triad, o), (std::vector<int64_t>{4}));
}

TEST(TensorMeasure, RefusesRunsThatCannotBeAllocated) {
  Program p = program();
  const Kernel &triad = *p.find("triad");
  MeasureOptions o;
  o.shapes = {{"a", {int64_t(1) << 31, 1}}, {"b", {1, int64_t(1) << 31}}};
  EXPECT_EQ(message(checkFootprint(triad, o)),
            "the output shape 2147483648x2147483648 has too many elements");
  o.shapes.clear();
  o.n = int64_t(1) << 50; // 12 PiB of floats
  EXPECT_EQ(message(checkFootprint(triad, o)).rfind("the arrays need ", 0), 0u);
  o.n = 1000;
  EXPECT_TRUE(checkFootprint(triad, o));
}

TEST(TensorMeasure, ParsesShapeOverrides) {
  auto ok = parseShapeOverride("x=2x3", digits);
  ASSERT_TRUE(ok) << message(ok);
  EXPECT_EQ(ok->first, "x");
  EXPECT_EQ(ok->second, (std::vector<int64_t>{2, 3}));
  std::string usage = "--shape needs NAME=D0xD1.. (1 to 4 dimensions), got '";
  EXPECT_EQ(message(parseShapeOverride("=2", digits)), usage + "=2'");
  EXPECT_EQ(message(parseShapeOverride("x=1x2x3x4x5", digits)),
            usage + "x=1x2x3x4x5'");
  EXPECT_EQ(message(parseShapeOverride("x=2xq", digits)), usage + "x=2xq'");
  EXPECT_EQ(message(parseShapeOverride("x=1152921504606846977", digits)),
            "--shape x=1152921504606846977 has too many elements");
}

TEST(TensorMeasure, ChoosesTheKernelAndChecksItsShapes) {
  Program p = program();
  auto none = chooseKernel(p, "", "m.tk");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.diagnostics()[0].kind, kiln::ErrorKind::InvalidArgument);
  EXPECT_EQ(none.diagnostics()[0].message,
            "`kiln tensor run` needs --kernel NAME (kernels in 'm.tk': mix, "
            "triad, dot)");
  auto missing = chooseKernel(p, "axpy", "m.tk");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.diagnostics()[0].kind, kiln::ErrorKind::Other);
  auto dot = chooseKernel(p, "dot", "m.tk", {{"b", {4}}});
  ASSERT_TRUE(dot);
  EXPECT_EQ((*dot)->name, "dot");
  auto scalar = chooseKernel(p, "triad", "m.tk", {{"s", {4}}});
  ASSERT_FALSE(scalar);
  EXPECT_EQ(scalar.diagnostics()[0].message,
            "--shape: kernel 'triad' has no array parameter 's'");
}

/// The engine and the first kernel of `source`, compiled (one pool thread).
struct Compiled {
  explicit Compiled(const std::string &source)
      : engine(test::makeEngine(1, 1 << 12)),
        kernel(engine ? test::compileFirst(*engine, source) : nullptr) {}
  std::unique_ptr<Engine> engine;
  std::shared_ptr<CompiledKernel> kernel;
};

TEST(TensorMeasure, MeasuresTheChecksumElementsAndBytes) {
  Compiled triad("kernel triad(a: f32[], b: f32[], s: f32) -> f32[] = "
                 "a + s * b");
  ASSERT_TRUE(triad.kernel);
  MeasureOptions o;
  o.n = 5;
  o.reps = 3;
  auto m = measure(*triad.kernel, o);
  ASSERT_TRUE(m) << message(m);
  double want = 0;
  for (int64_t i = 0; i < 5; ++i)
    want += float(0.5 + hash(i, 0) / 1000.0) +
            1.25f * float(0.5 + hash(i, 1) / 1000.0);
  EXPECT_NEAR(m->checksum, want, 1e-4);
  EXPECT_EQ(m->elements, 5);
  EXPECT_EQ(m->bytes, 3 * 5 * 4);
  EXPECT_GE(m->medianSeconds, 0);
  o.shapes = {{"a", {2}}}; // [2] against [5]: the call's own diagnostic
  auto bad = measure(*triad.kernel, o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.diagnostics()[0].kind, kiln::ErrorKind::InvalidArgument);
}

TEST(TensorMeasure, ReportsAScalarResultAsTheChecksum) {
  Compiled dot("kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)");
  ASSERT_TRUE(dot.kernel);
  auto m = measure(*dot.kernel, {4, {}, 1});
  ASSERT_TRUE(m) << message(m);
  double want = 0;
  for (int64_t i = 0; i < 4; ++i)
    want += (0.5 + hash(i, 0) / 1000.0) * (0.5 + hash(i, 1) / 1000.0);
  EXPECT_NEAR(m->checksum, want, 1e-12);
  EXPECT_EQ(m->bytes, 2 * 4 * 8);
}

} // namespace
