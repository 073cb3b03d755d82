// ReferenceSemanticsTest: the eager and blocked references against values
// computed by hand from docs/tensor.md — element semantics (integer wrap and
// division rules, casts, NaN handling of min/max/relu, builtins).
//
// The references are the oracle for the JIT, so they are checked against
// hand-written numbers here, not against each other only.
#include "RefTestUtil.h"

#include <cmath>
#include <limits>

namespace kiln::tensor::test {
namespace {

constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

/// Runs a one-kernel source over `args` with output shape {n}; both
/// executors must succeed and agree byte for byte; returns the values.
template <class R>
std::vector<R> run(const std::string &src, const std::vector<Arg> &args,
                   int64_t n) {
  Kernel k = kernelOf(src);
  Outputs o = runBoth(k, args, {n});
  EXPECT_EQ(o.eagerError, "");
  EXPECT_EQ(o.blockedError, "");
  EXPECT_EQ(o.eager, o.blocked) << src;
  return as<R>(o.eager);
}

TEST(TensorRefSemantics, TriadAndFmaRelu) {
  Buf<float> a({4}, {1, 2, 3, -4}), b({4}, {10, 20, 30, 40}),
      c({4}, {0.5f, -100, 1, 2});
  auto t =
      run<float>("kernel t(a: f32[], s: f32, b: f32[]) -> f32[] = a + s * b",
                 {a.arg(), Arg::of(Scalar::f32(0.5f)), b.arg()}, 4);
  EXPECT_EQ(t, (std::vector<float>{6, 12, 18, 16}));
  auto r = run<float>(
      "kernel k(a: f32[], b: f32[], c: f32[], alpha: f32) -> f32[] = "
      "relu(alpha * a * b + c)",
      {a.arg(), b.arg(), c.arg(), Arg::of(Scalar::f32(2))}, 4);
  EXPECT_EQ(r, (std::vector<float>{20.5f, 0, 181, 0}));
}

TEST(TensorRefSemantics, IntegerWrapDivRem) {
  Buf<int32_t> a({6}, {kMax32, kMin32, 7, -7, 7, kMin32});
  Buf<int32_t> b({6}, {1, -1, 0, 2, -2, -1});
  EXPECT_EQ(run<int32_t>("kernel f(a: i32[], b: i32[]) -> i32[] = a + b",
                         {a.arg(), b.arg()}, 6),
            (std::vector<int32_t>{kMin32, kMax32, 7, -5, 5, kMax32}));
  EXPECT_EQ(run<int32_t>("kernel f(a: i32[], b: i32[]) -> i32[] = a * b",
                         {a.arg(), b.arg()}, 6),
            (std::vector<int32_t>{kMax32, kMin32, 0, -14, -14, kMin32}));
  EXPECT_EQ(run<int32_t>("kernel f(a: i32[], b: i32[]) -> i32[] = a / b",
                         {a.arg(), b.arg()}, 6),
            (std::vector<int32_t>{kMax32, kMin32, 0, -3, -3, kMin32}));
  EXPECT_EQ(run<int32_t>("kernel f(a: i32[], b: i32[]) -> i32[] = a % b",
                         {a.arg(), b.arg()}, 6),
            (std::vector<int32_t>{0, 0, 0, -1, 1, 0}));
  EXPECT_EQ(run<int32_t>("kernel f(a: i32[]) -> i32[] = -a", {a.arg()}, 6),
            (std::vector<int32_t>{-kMax32, kMin32, -7, 7, -7, kMin32}));
  EXPECT_EQ(run<int32_t>("kernel f(a: i32[]) -> i32[] = abs(a)", {a.arg()}, 6),
            (std::vector<int32_t>{kMax32, kMin32, 7, 7, 7, kMin32}));
  Buf<int64_t> c({3}, {kMin64, 5, -9}), d({3}, {-1, 0, 4});
  EXPECT_EQ(
      run<int64_t>("kernel f(a: i64[], b: i64[]) -> i64[] = a / b - a % b",
                   {c.arg(), d.arg()}, 3),
      (std::vector<int64_t>{kMin64, 0, -2 + 1}));
}

TEST(TensorRefSemantics, FloatRemainderIsFmod) {
  Buf<double> a({4}, {5.5, -5.5, 1, 3}), b({4}, {2, 2, 0, kInf});
  auto r = run<double>("kernel f(a: f64[], b: f64[]) -> f64[] = a % b",
                       {a.arg(), b.arg()}, 4);
  EXPECT_EQ(r[0], 1.5);
  EXPECT_EQ(r[1], -1.5);
  EXPECT_TRUE(std::isnan(r[2]));
  EXPECT_EQ(r[3], 3);
}

TEST(TensorRefSemantics, CastsTruncateAndSaturate) {
  Buf<double> a({7},
                {2.9, -2.9, 1e300, -1e300, kNaN, 2147483647.5, -2147483648.9});
  EXPECT_EQ(run<int32_t>("kernel f(a: f64[]) -> i32[] = i32(a)", {a.arg()}, 7),
            (std::vector<int32_t>{2, -2, kMax32, kMin32, 0, kMax32, kMin32}));
  Buf<float> big({3}, {9.3e18f, -9.3e18f, -9.2e18f});
  auto i64 =
      run<int64_t>("kernel f(a: f32[]) -> i64[] = i64(a)", {big.arg()}, 3);
  EXPECT_EQ(i64[0], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64[1], kMin64);
  EXPECT_EQ(i64[2], int64_t(-9.2e18f));
  Buf<double> z({4}, {0.0, -0.0, kNaN, 0.25});
  EXPECT_EQ(
      run<uint8_t>("kernel f(a: f64[]) -> bool[] = bool(a)", {z.arg()}, 4),
      (std::vector<uint8_t>{0, 0, 1, 1}));
  Buf<int64_t> w({3}, {int64_t(1) << 40 | 7, -1, 0});
  EXPECT_EQ(run<int32_t>("kernel f(a: i64[]) -> i32[] = i32(a)", {w.arg()}, 3),
            (std::vector<int32_t>{7, -1, 0}));
  Buf<uint8_t> flags({3}, {0, 1, 7});
  EXPECT_EQ(run<double>("kernel f(a: bool[]) -> f64[] = f64(a) + 0.5",
                        {flags.arg()}, 3),
            (std::vector<double>{0.5, 1.5, 1.5}));
  Buf<double> r({2}, {0.1, 16777217.0});
  EXPECT_EQ(run<float>("kernel f(a: f64[]) -> f32[] = f32(a)", {r.arg()}, 2),
            (std::vector<float>{0.1f, 16777216.0f}));
}

TEST(TensorRefSemantics, MinMaxPropagateNaN) {
  Buf<double> a({5}, {1, kNaN, 3, -0.0, -2}), b({5}, {2, 1, kNaN, 0.0, kNaN});
  auto mn = run<double>("kernel f(a: f64[], b: f64[]) -> f64[] = min(a, b)",
                        {a.arg(), b.arg()}, 5);
  auto mx = run<double>("kernel f(a: f64[], b: f64[]) -> f64[] = max(a, b)",
                        {a.arg(), b.arg()}, 5);
  EXPECT_EQ(mn[0], 1);
  EXPECT_EQ(mx[0], 2);
  for (int k : {1, 2, 4})
    EXPECT_TRUE(std::isnan(mn[k]) && std::isnan(mx[k])) << k;
  EXPECT_TRUE(std::signbit(mn[3]));
  EXPECT_FALSE(std::signbit(mx[3]));
  auto relu =
      run<double>("kernel f(a: f64[]) -> f64[] = relu(a)", {a.arg()}, 5);
  EXPECT_EQ(relu[0], 1);
  EXPECT_TRUE(std::isnan(relu[1]));
  EXPECT_FALSE(std::signbit(relu[3]));
  EXPECT_EQ(relu[4], 0);
  Buf<float> x({4}, {-5, 0.5f, 5, float(kNaN)});
  auto cl =
      run<float>("kernel f(a: f32[]) -> f32[] = clamp(a, -1, 1)", {x.arg()}, 4);
  EXPECT_EQ(cl[0], -1);
  EXPECT_EQ(cl[1], 0.5f);
  EXPECT_EQ(cl[2], 1);
  EXPECT_TRUE(std::isnan(cl[3]));
  Buf<int32_t> i({3}, {-5, 3, kMin32});
  EXPECT_EQ(
      run<int32_t>("kernel f(a: i32[]) -> i32[] = relu(a) + clamp(a, -2, 2)",
                   {i.arg()}, 3),
      (std::vector<int32_t>{-2, 5, -2}));
}

TEST(TensorRefSemantics, Builtins) {
  Buf<double> a({3}, {0.0, 1.0, -2.5});
  auto s =
      run<double>("kernel f(a: f64[]) -> f64[] = sigmoid(a)", {a.arg()}, 3);
  for (int k = 0; k < 3; ++k)
    EXPECT_EQ(s[k], 1.0 / (1.0 + std::exp(-a.data[k])));
  auto t = run<double>(
      "kernel f(a: f64[]) -> f64[] = tanh(a) + exp(a) * sin(a) - cos(a)",
      {a.arg()}, 3);
  for (int k = 0; k < 3; ++k) {
    double x = a.data[k];
    EXPECT_EQ(t[k], std::tanh(x) + std::exp(x) * std::sin(x) - std::cos(x));
  }
  auto f = run<double>("kernel f(a: f64[]) -> f64[] = floor(a) * 10 + ceil(a)",
                       {a.arg()}, 3);
  EXPECT_EQ(f, (std::vector<double>{0, 11, -32}));
  Buf<float> p({3}, {4, 2, 9});
  auto pw =
      run<float>("kernel f(a: f32[]) -> f32[] = pow(a, 0.5) + sqrt(a) + log(a)",
                 {p.arg()}, 3);
  for (int k = 0; k < 3; ++k) {
    float x = p.data[k];
    EXPECT_EQ(pw[k], std::pow(x, 0.5f) + std::sqrt(x) + std::log(x));
  }
}

TEST(TensorRefSemantics, ComparisonsLogicAndWhere) {
  Buf<double> a({4}, {1, 2, kNaN, 4}), b({4}, {2, 2, 1, 3});
  auto w = run<double>("kernel f(a: f64[], b: f64[]) -> f64[] = "
                       "where(a < b || a != a, a, b * 10)",
                       {a.arg(), b.arg()}, 4);
  EXPECT_EQ(w[0], 1);
  EXPECT_EQ(w[1], 20);
  EXPECT_TRUE(std::isnan(w[2]));
  EXPECT_EQ(w[3], 30);
  EXPECT_EQ(run<uint8_t>(
                "kernel f(a: f64[], b: f64[]) -> bool[] = !(a >= b) && a == a",
                {a.arg(), b.arg()}, 4),
            (std::vector<uint8_t>{1, 0, 0, 0}));
  Buf<uint8_t> p({4}, {0, 2, 1, 0}), q({4}, {0, 1, 0, 1});
  EXPECT_EQ(run<uint8_t>("kernel f(p: bool[], q: bool[]) -> bool[] = p == q",
                         {p.arg(), q.arg()}, 4),
            (std::vector<uint8_t>{1, 1, 0, 0}));
}

} // namespace
} // namespace kiln::tensor::test
