// JitTest: the fused-loop JIT on small hand-checked cases — every dtype,
// broadcasting, strided views, reductions at edge sizes and across the
// thread split, and calls that must be rejected without writing anything.
#include "TestEngine.h"
#include "kiln/tensor/Builder.h"
#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <thread>
#include <vector>

using namespace kiln::tensor;
using test::message;

namespace {

/// One engine per test binary: compiling is the slow part.
Engine &engine() {
  static std::unique_ptr<Engine> e = test::makeEngine(4, 1 << 12);
  return *e;
}

std::shared_ptr<CompiledKernel> kernel(const std::string &source) {
  return test::compileFirst(engine(), source);
}

template <typename T> ArrayView view(std::vector<T> &v, DType t) {
  return ArrayView::contiguous(v.data(), t, {int64_t(v.size())});
}

TEST(TensorJit, FmaReluF32) {
  auto k = kernel("kernel fma_relu(a: f32[], b: f32[], c: f32[], alpha: f32)"
                  " -> f32[] = relu(alpha * a * b + c)");
  ASSERT_TRUE(k);
  std::vector<float> a = {1, 2, 3, -4, 5}, b = {1, 1, 2, 2, -1},
                     c = {0, -5, 1, 1, 0}, out(5, 99);
  ArrayView o = view(out, DType::F32);
  ASSERT_EQ(message(k->run(
                {Arg::of(view(a, DType::F32)), Arg::of(view(b, DType::F32)),
                 Arg::of(view(c, DType::F32)), Arg::of(Scalar::f32(2))},
                &o, nullptr)),
            "");
  EXPECT_EQ(out, (std::vector<float>{2, 0, 13, 0, 0}));
}

TEST(TensorJit, DotF64) {
  auto k = kernel("kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)");
  ASSERT_TRUE(k);
  std::vector<double> a = {1, 2, 3}, b = {4, 5, 6};
  Scalar r;
  ASSERT_EQ(message(k->run(
                {Arg::of(view(a, DType::F64)), Arg::of(view(b, DType::F64))},
                nullptr, &r)),
            "");
  EXPECT_EQ(r.dtype, DType::F64);
  EXPECT_EQ(r.f, 32.0);
}

template <typename T>
std::vector<T> runElementwise(const std::string &src, std::vector<Arg> args,
                              DType out, int64_t n) {
  auto k = kernel(src);
  std::vector<T> result(size_t(n), T(77));
  if (!k)
    return result;
  ArrayView o = ArrayView::contiguous(result.data(), out, {n});
  EXPECT_EQ(message(k->run(args, &o, nullptr)), "");
  return result;
}

TEST(TensorJit, IntegerSemantics) {
  const int32_t MIN = std::numeric_limits<int32_t>::min();
  const int32_t MAX = std::numeric_limits<int32_t>::max();
  std::vector<int32_t> a = {7, -7, 7, MIN, MIN, MAX, 5},
                       b = {2, 2, 0, -1, -1, 1, -3};
  auto A = Arg::of(view(a, DType::I32)), B = Arg::of(view(b, DType::I32));
  EXPECT_EQ(
      runElementwise<int32_t>("kernel d(a: i32[], b: i32[]) -> i32[] = a / b",
                              {A, B}, DType::I32, 7),
      (std::vector<int32_t>{3, -3, 0, MIN, MIN, MAX, -1}));
  EXPECT_EQ(
      runElementwise<int32_t>("kernel r(a: i32[], b: i32[]) -> i32[] = a % b",
                              {A, B}, DType::I32, 7),
      (std::vector<int32_t>{1, -1, 0, 0, 0, 0, 2}));
  EXPECT_EQ(runElementwise<int32_t>(
                "kernel w(a: i32[], b: i32[]) -> i32[] = a + b * 2 - -a",
                {A, B}, DType::I32, 7)[5],
            int32_t(uint32_t(MAX) * 2u + 2u));
  EXPECT_EQ(
      runElementwise<int32_t>("kernel m(a: i32[]) -> i32[] = abs(a) + 0 * -a",
                              {A}, DType::I32, 7),
      (std::vector<int32_t>{7, 7, 7, MIN, MIN, MAX, 5}));
}

TEST(TensorJit, I64AndBoolSemantics) {
  std::vector<int64_t> a = {-9, 4, 0, 12};
  auto A = Arg::of(view(a, DType::I64));
  EXPECT_EQ(
      runElementwise<int64_t>(
          "kernel c(a: i64[], s: i64) -> i64[] = clamp(a, -3, s) * relu(a)",
          {A, Arg::of(Scalar::i64(10))}, DType::I64, 4),
      (std::vector<int64_t>{0, 16, 0, 120}));
  EXPECT_EQ(
      runElementwise<uint8_t>(
          "kernel b(a: i64[]) -> bool[] = (a > 0 && a % 2 == 0) || !(a != -9)",
          {A}, DType::Bool, 4),
      (std::vector<uint8_t>{1, 1, 0, 1}));
}

TEST(TensorJit, FloatSemanticsAndCasts) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> a = {-2.5, 7.5, nan, 1e300}, b = {2, -2, 1, 3};
  auto A = Arg::of(view(a, DType::F64)), B = Arg::of(view(b, DType::F64));
  auto mod = runElementwise<double>(
      "kernel m(a: f64[], b: f64[]) -> f64[] = a % b", {A, B}, DType::F64, 4);
  EXPECT_EQ(mod[0], std::fmod(-2.5, 2.0));
  EXPECT_EQ(mod[1], std::fmod(7.5, -2.0));
  auto mx = runElementwise<double>(
      "kernel x(a: f64[], b: f64[]) -> f64[] = max(a, b) + relu(a) * 0", {A, B},
      DType::F64, 4);
  EXPECT_EQ(mx[0], 2.0);
  EXPECT_TRUE(std::isnan(mx[2])); // NaN propagates through max and relu
  auto ints = runElementwise<int32_t>("kernel t(a: f64[]) -> i32[] = i32(a)",
                                      {A}, DType::I32, 4);
  EXPECT_EQ(ints, (std::vector<int32_t>{-2, 7, 0,
                                        std::numeric_limits<int32_t>::max()}));
  auto bools = runElementwise<uint8_t>("kernel t(a: f64[]) -> bool[] = bool(a)",
                                       {A}, DType::Bool, 4);
  EXPECT_EQ(bools, (std::vector<uint8_t>{1, 1, 1, 1}));
  std::vector<float> f = {0.25f, -1.0f, 3.0f};
  auto fl =
      runElementwise<float>("kernel g(a: f32[]) -> f32[] = sqrt(abs(a)) + "
                            "floor(a) + ceil(a) + pow(a, 2)",
                            {Arg::of(view(f, DType::F32))}, DType::F32, 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_FLOAT_EQ(fl[i], std::sqrt(std::fabs(f[i])) + std::floor(f[i]) +
                               std::ceil(f[i]) + f[i] * f[i]);
}

TEST(TensorJit, TranscendentalsMatchLibm) {
  const int64_t n = 1037; // vector body plus a scalar tail
  std::vector<float> a(n);
  for (int64_t i = 0; i < n; ++i)
    a[i] = -4.0f + 8.0f * float(i) / float(n);
  auto r = runElementwise<float>("kernel t(a: f32[]) -> f32[] = tanh(a) + "
                                 "sigmoid(a) + exp(a) + log(a + 5) "
                                 "+ sin(a) + cos(a)",
                                 {Arg::of(view(a, DType::F32))}, DType::F32, n);
  for (int64_t i = 0; i < n; ++i) {
    double x = a[i];
    double want = std::tanh(x) + 1 / (1 + std::exp(-x)) + std::exp(x) +
                  std::log(x + 5) + std::sin(x) + std::cos(x);
    EXPECT_NEAR(r[i], want, 1e-5 * (1 + std::fabs(want))) << "at " << i;
  }
}

TEST(TensorJit, BroadcastingSizeOneDimsAndScalars) {
  auto k = kernel("kernel outer(col: f64[], row: f64[], s: f64) -> f64[] = col "
                  "* 10 + row + s");
  ASSERT_TRUE(k);
  std::vector<double> col = {1, 2, 3}, row = {1, 2, 3, 4}, out(12, -1);
  ArrayView c = ArrayView::contiguous(col.data(), DType::F64, {3, 1});
  ArrayView r = ArrayView::contiguous(row.data(), DType::F64, {4});
  ArrayView o = ArrayView::contiguous(out.data(), DType::F64, {3, 4});
  ASSERT_EQ(message(k->run({Arg::of(c), Arg::of(r), Arg::of(Scalar::f64(0.5))},
                           &o, nullptr)),
            "");
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      EXPECT_EQ(out[i * 4 + j], col[i] * 10 + row[j] + 0.5);
  // A rank-0 array broadcasts like a scalar; the result may be rank 0 too.
  double zero = 5, one = 0;
  ArrayView z = ArrayView::contiguous(&zero, DType::F64, {});
  ArrayView z2 = ArrayView::contiguous(&one, DType::F64, {});
  ASSERT_EQ(message(k->run({Arg::of(z), Arg::of(z), Arg::of(Scalar::f64(1))},
                           &z2, nullptr)),
            "");
  EXPECT_EQ(one, 56.0);
  // 4-D with size-1 dims in several places.
  std::vector<double> p(2 * 3, 0), q(5 * 1 * 3, 0), big(2 * 5 * 1 * 3, 0);
  for (size_t i = 0; i < p.size(); ++i)
    p[i] = double(i);
  for (size_t i = 0; i < q.size(); ++i)
    q[i] = 100.0 * double(i);
  ArrayView P = ArrayView::contiguous(p.data(), DType::F64, {2, 1, 1, 3});
  ArrayView Q = ArrayView::contiguous(q.data(), DType::F64, {5, 1, 3});
  ArrayView O = ArrayView::contiguous(big.data(), DType::F64, {2, 5, 1, 3});
  ASSERT_EQ(message(k->run({Arg::of(P), Arg::of(Q), Arg::of(Scalar::f64(0))},
                           &O, nullptr)),
            "");
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 5; ++j)
      for (int l = 0; l < 3; ++l)
        EXPECT_EQ(big[(i * 5 + j) * 3 + l], p[i * 3 + l] * 10 + q[j * 3 + l]);
}

TEST(TensorJit, StridedViews) {
  auto k = kernel("kernel sub(a: i32[], b: i32[]) -> i32[] = a - b");
  ASSERT_TRUE(k);
  std::vector<int32_t> m(12), v(10), out(12, 0);
  std::iota(m.begin(), m.end(), 0);
  std::iota(v.begin(), v.end(), 100);
  // Transposed: a 3x4 matrix viewed as 4x3.
  ArrayView t = ArrayView::contiguous(m.data(), DType::I32, {4, 3});
  t.strides[0] = 1;
  t.strides[1] = 4;
  ArrayView zero = ArrayView::contiguous(out.data() + 0, DType::I32, {4, 3});
  std::vector<int32_t> zeros(12, 0);
  ArrayView z = ArrayView::contiguous(zeros.data(), DType::I32, {4, 3});
  ASSERT_EQ(message(k->run({Arg::of(t), Arg::of(z)}, &zero, nullptr)), "");
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(out[i * 3 + j], m[j * 4 + i]);
  // Reversed and step-2 views of one vector.
  ArrayView rev = ArrayView::contiguous(v.data() + 9, DType::I32, {5});
  rev.strides[0] = -1;
  ArrayView step = ArrayView::contiguous(v.data(), DType::I32, {5});
  step.strides[0] = 2;
  ArrayView o = ArrayView::contiguous(out.data(), DType::I32, {5});
  ASSERT_EQ(message(k->run({Arg::of(rev), Arg::of(step)}, &o, nullptr)), "");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(out[i], v[9 - i] - v[2 * i]);
  // A strided output, and an output identical to an input (allowed).
  ArrayView ostep = ArrayView::contiguous(out.data(), DType::I32, {5});
  ostep.strides[0] = 2;
  std::fill(out.begin(), out.end(), -1);
  ASSERT_EQ(message(k->run({Arg::of(step), Arg::of(rev)}, &ostep, nullptr)),
            "");
  EXPECT_EQ(out[2], v[2] - v[8]);
  EXPECT_EQ(out[1], -1);
  ArrayView self = ArrayView::contiguous(v.data(), DType::I32, {10});
  ASSERT_EQ(message(k->run({Arg::of(self), Arg::of(self)}, &self, nullptr)),
            "");
  EXPECT_EQ(v[3], 0);
}

/// Reduction results per size, against values computed here.
TEST(TensorJit, ReductionsAtEdgeSizes) {
  auto k = kernel("kernel r(a: f64[], b: i32[]) -> f64 = "
                  "sum(a) + f64(sum(b)) * 1000 + f64(max(b)) * 1e9");
  auto m = kernel("kernel m(a: f32[]) -> f32 = mean(a) + min(a) - max(a)");
  auto e = kernel(
      "kernel e(a: f64[], b: i64[]) -> bool = "
      "prod(a) == 1 && sum(b) == 0 && min(a) > 1e308 && f64(max(b)) < -9e18 "
      "&& mean(a) != mean(a)");
  ASSERT_TRUE(k && m && e);
  for (int64_t n : {0, 1, 7, 8, 9, 1023, 1024, 1025, 16383, 16384, 16385,
                    (1 << 12) - 1, 1 << 12, 70001}) {
    std::vector<double> a(static_cast<size_t>(n));
    std::vector<int32_t> b(static_cast<size_t>(n));
    std::vector<float> f(static_cast<size_t>(n));
    long double s = 0;
    int64_t si = 0;
    int32_t mx = std::numeric_limits<int32_t>::min();
    for (int64_t i = 0; i < n; ++i) {
      a[i] = 0.5 + double(i % 97) / 97;
      b[i] = int32_t(i % 13) - 6;
      f[i] = float(i % 31);
      s += a[i];
      si += b[i];
      mx = std::max(mx, b[i]);
    }
    Scalar r;
    ASSERT_EQ(message(k->run(
                  {Arg::of(view(a, DType::F64)), Arg::of(view(b, DType::I32))},
                  nullptr, &r)),
              "");
    double want = double(s) + double(int32_t(si)) * 1000 + double(mx) * 1e9;
    EXPECT_NEAR(r.f, want,
                1e-12 * std::sqrt(double(n) + 1) * (std::fabs(want) + 1))
        << "n = " << n;
    ASSERT_EQ(message(m->run({Arg::of(view(f, DType::F32))}, nullptr, &r)), "");
    if (n == 0) {
      EXPECT_TRUE(std::isnan(r.f));
    } else {
      double fs = 0, fmin = 1e9, fmax = -1e9;
      for (float x : f)
        fs += x, fmin = std::min<double>(fmin, x),
                 fmax = std::max<double>(fmax, x);
      EXPECT_NEAR(r.f, fs / double(n) + fmin - fmax,
                  1e-5 * std::sqrt(double(n)) * 31)
          << "n = " << n;
    }
  }
  std::vector<double> none;
  std::vector<int64_t> noneI;
  Scalar r;
  ASSERT_EQ(message(e->run({Arg::of(view(none, DType::F64)),
                            Arg::of(view(noneI, DType::I64))},
                           nullptr, &r)),
            "");
  EXPECT_EQ(r.dtype, DType::Bool);
  EXPECT_EQ(r.i,
            1); // identities: prod 1, sum 0, min +inf, max INT_MIN, mean NaN
}

TEST(TensorJit, ReductionsAreIdenticalForEveryThreadCount) {
  auto k = kernel(
      "kernel s(a: f32[], b: f32[]) -> f32 = sum(a * b) + prod(a) + mean(b)");
  ASSERT_TRUE(k);
  for (int64_t n : {int64_t(4095), int64_t(4096), int64_t(200003)}) {
    std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      a[i] = 1.0f + 1e-6f * float(i % 7);
      b[i] = float(std::sin(double(i)));
    }
    std::vector<float> results;
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
      Scalar r;
      ASSERT_EQ(message(k->run({Arg::of(view(a, DType::F32)),
                                Arg::of(view(b, DType::F32))},
                               nullptr, &r, threads)),
                "");
      results.push_back(float(r.f));
    }
    for (float x : results)
      EXPECT_EQ(std::memcmp(&x, &results[0], sizeof x), 0)
          << "n = " << n << ": " << x << " vs " << results[0];
  }
}

TEST(TensorJit, LargeElementwiseAcrossThreads) {
  auto k = kernel("kernel t(a: f32[], s: f32) -> f32[] = a * s + 1");
  ASSERT_TRUE(k);
  const int64_t n = 300001;
  std::vector<float> a(n), out(n, 0);
  for (int64_t i = 0; i < n; ++i)
    a[i] = float(i % 1000);
  for (unsigned threads : {1u, 3u, 4u}) {
    std::fill(out.begin(), out.end(), 0.0f);
    ArrayView o = view(out, DType::F32);
    ASSERT_EQ(
        message(k->run({Arg::of(view(a, DType::F32)), Arg::of(Scalar::f32(2))},
                       &o, nullptr, threads)),
        "");
    for (int64_t i = 0; i < n; i += 997)
      ASSERT_EQ(out[i], a[i] * 2 + 1) << i;
    EXPECT_EQ(out[n - 1], a[n - 1] * 2 + 1);
  }
}

TEST(TensorJit, EmptyArrays) {
  auto k = kernel("kernel t(a: f32[], b: f32[]) -> f32[] = a + b");
  ASSERT_TRUE(k);
  std::vector<float> none;
  ArrayView e = ArrayView::contiguous(nullptr, DType::F32, {0, 3});
  ArrayView o = ArrayView::contiguous(nullptr, DType::F32, {0, 3});
  EXPECT_EQ(message(k->run({Arg::of(e), Arg::of(e)}, &o, nullptr)), "");
}

/// A bad call is one InvalidArgument diagnostic without file or location.
TEST(TensorJit, BadCallsAreInvalidArgumentsWithoutLocation) {
  auto k = kernel("kernel f(a: f32[], b: f32[], s: f32) -> f32[] = a * b + s");
  ASSERT_TRUE(k);
  std::vector<float> a(4, 1), out(4, -9);
  ArrayView o = view(out, DType::F32);
  kiln::Status s = k->run({Arg::of(view(a, DType::F32))}, &o, nullptr);
  ASSERT_FALSE(s.ok());
  ASSERT_EQ(s.diagnostics().size(), 1u);
  const kiln::Diagnostic &d = s.diagnostics()[0];
  EXPECT_EQ(d.kind, kiln::ErrorKind::InvalidArgument);
  EXPECT_FALSE(d.loc.known());
  EXPECT_EQ(d.file, "");
  EXPECT_EQ(kiln::render(d), "error: kernel 'f' takes 3 arguments, got 1");
  EXPECT_TRUE(k->run({Arg::of(view(a, DType::F32)),
                      Arg::of(view(a, DType::F32)), Arg::of(Scalar::f32(1))},
                     &o, nullptr)
                  .diagnostics()
                  .empty());
}

/// Rejected calls return the checkCall message and write nothing.
TEST(TensorJit, BadCallsLeaveTheOutputUntouched) {
  auto k = kernel("kernel f(a: f32[], b: f32[], s: f32) -> f32[] = a * b + s");
  ASSERT_TRUE(k);
  std::vector<float> a(4, 1), b(3, 1), out(4, -9);
  std::vector<double> d(4, 1);
  ArrayView o = view(out, DType::F32);
  auto A = Arg::of(view(a, DType::F32));
  EXPECT_EQ(
      message(k->run({A, Arg::of(view(b, DType::F32)), Arg::of(Scalar::f32(1))},
                     &o, nullptr)),
      "argument 'b': shape [3] does not broadcast with [4] (the arguments "
      "before it)");
  EXPECT_EQ(
      message(k->run({A, Arg::of(view(d, DType::F64)), Arg::of(Scalar::f32(1))},
                     &o, nullptr)),
      "argument 'b': dtype f64 does not match parameter type f32");
  EXPECT_EQ(message(k->run({A, A, Arg::of(Scalar::f64(1))}, &o, nullptr)),
            "argument 's': dtype f64 does not match parameter type f32");
  EXPECT_EQ(message(k->run({A, A}, &o, nullptr)),
            "kernel 'f' takes 3 arguments, got 2");
  EXPECT_EQ(
      message(k->run({A, Arg::of(Scalar::f32(1)), Arg::of(Scalar::f32(1))}, &o,
                     nullptr)),
      "argument 'b': expected an array (f32[]), got a scalar");
  ArrayView shortOut = ArrayView::contiguous(out.data(), DType::F32, {3});
  EXPECT_EQ(
      message(k->run({A, A, Arg::of(Scalar::f32(1))}, &shortOut, nullptr)),
      "output: shape [3] does not match the broadcast shape [4]");
  EXPECT_EQ(message(k->run({A, A, Arg::of(Scalar::f32(1))}, nullptr, nullptr)),
            "kernel 'f' returns an array: pass an output array");
  ArrayView shifted = ArrayView::contiguous(a.data() + 1, DType::F32, {3});
  ArrayView a3 = ArrayView::contiguous(a.data(), DType::F32, {3});
  EXPECT_EQ(message(k->run({Arg::of(a3), Arg::of(a3), Arg::of(Scalar::f32(1))},
                           &shifted, nullptr)),
            "output overlaps argument 'a' (an output may only alias an "
            "identical input view)");
  EXPECT_EQ(out, std::vector<float>(4, -9));
  EXPECT_EQ(a, std::vector<float>(4, 1));
}

TEST(TensorJit, CompileErrorsAreLocatedDiagnostics) {
  auto r =
      compile(engine(), "kernel k(a: f32[]) -> f32[] = foo(a)", {"bad.tk"});
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics().size(), 1u);
  const kiln::Diagnostic &d = r.diagnostics()[0];
  EXPECT_EQ(d.file, "bad.tk");
  EXPECT_EQ(d.loc.line, 1u);
  EXPECT_EQ(d.loc.col, 31u);
  EXPECT_EQ(d.kind, kiln::ErrorKind::Parse);
  EXPECT_EQ(d.sourceLine, "kernel k(a: f32[]) -> f32[] = foo(a)");
  EXPECT_EQ(kiln::render(r.diagnostics()),
            "bad.tk:1:31: error: unknown function 'foo'\n"
            "kernel k(a: f32[]) -> f32[] = foo(a)\n"
            "                              ^");
}

/// One compile reports every error of the file, in source order, each with
/// its own position, kind and source line.
TEST(TensorJit, CompileReportsSeveralLocatedErrors) {
  auto r = compile(engine(),
                   "kernel a(x: f32[]) -> f32[] = x + y\n"
                   "kernel b(x: f32[], z: f64[]) -> f32[] = x * z\n"
                   "kernel c(x: f32[]) -> f32[] = x +\n",
                   {"three.tk"});
  ASSERT_FALSE(r.ok());
  const kiln::Diagnostics &d = r.diagnostics();
  ASSERT_EQ(d.size(), 3u) << kiln::render(d);
  EXPECT_EQ(d[0].loc.line, 1u);
  EXPECT_EQ(d[0].loc.col, 35u);
  EXPECT_EQ(d[0].kind, kiln::ErrorKind::Parse);
  EXPECT_EQ(d[0].message, "unknown name 'y'");
  EXPECT_EQ(d[1].loc.line, 2u);
  EXPECT_EQ(d[1].kind, kiln::ErrorKind::Type);
  EXPECT_EQ(d[1].sourceLine, "kernel b(x: f32[], z: f64[]) -> f32[] = x * z");
  EXPECT_EQ(d[2].loc.line, 4u);
  EXPECT_EQ(d[2].kind, kiln::ErrorKind::Parse);
  for (const kiln::Diagnostic &e : d)
    EXPECT_EQ(e.file, "three.tk");
}

TEST(TensorJit, BuilderKernelsCompileAndCachedKernelsAreReused) {
  KernelBuilder b;
  Val a = b.array("a", DType::F64), w = b.scalar("w", DType::F64);
  Kernel k = b.kernel("scaled_sum", sum(where(a > 0, a * w, -a)));
  auto r = compile(engine(), k);
  ASSERT_TRUE(r.ok()) << message(r);
  std::vector<double> x = {1, -2, 3};
  Scalar s;
  ASSERT_EQ(message((*r)->run(
                {Arg::of(view(x, DType::F64)), Arg::of(Scalar::f64(10))},
                nullptr, &s)),
            "");
  EXPECT_EQ(s.f, 42.0);
  auto again = compile(engine(), k);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *r);
  // Same name, different body: a different kernel, both usable.
  KernelBuilder b2;
  Val a2 = b2.array("a", DType::F64), w2 = b2.scalar("w", DType::F64);
  auto other = compile(engine(), b2.kernel("scaled_sum", sum(a2 * w2)));
  ASSERT_TRUE(other.ok()) << message(other);
  ASSERT_EQ(message((*other)->run(
                {Arg::of(view(x, DType::F64)), Arg::of(Scalar::f64(10))},
                nullptr, &s)),
            "");
  EXPECT_EQ(s.f, 20.0);
}

TEST(TensorJit, DroppedKernelsFreeTheirCodeBeyondTheKeptOnes) {
  // The engine held every kernel it compiled for good: a host compiling new
  // kernels for hours grew by ~56 KiB per kernel (test/soak). Now only the
  // keptKernels most recent stay alive after their callers drop them.
  EngineOptions eo;
  eo.cache = false;
  eo.threads = 1;
  eo.keptKernels = 2;
  auto made = Engine::create(eo);
  ASSERT_TRUE(made) << message(made);
  Engine *e = made->get();
  auto source = [](int i) {
    return "kernel k(a: f32[]) -> f32[] = a + " + std::to_string(i);
  };
  std::weak_ptr<CompiledKernel> first = compile(*e, source(0))->kernels.at(0);
  ASSERT_FALSE(first.expired()) << "kept: one of the 2 most recent";
  CompiledKernel *raw = first.lock().get();
  EXPECT_EQ(compile(*e, source(0))->kernels.at(0).get(), raw) << "a cache hit";
  for (int i = 1; i <= 2; ++i)
    ASSERT_TRUE(compile(*e, source(i)).ok());
  EXPECT_TRUE(first.expired()) << "neither held nor among the 2 most recent";
  // Held by the caller, a kernel lives however many others are compiled.
  auto held = compile(*e, source(0));
  ASSERT_TRUE(held.ok());
  for (int i = 3; i <= 6; ++i)
    ASSERT_TRUE(compile(*e, source(i)).ok());
  EXPECT_EQ(compile(*e, source(0))->kernels.at(0), held->kernels.at(0));
  std::vector<float> a = {1, 2}, out(2, 0);
  ArrayView o = view(out, DType::F32);
  ASSERT_EQ(message(held->kernels[0]->run({Arg::of(view(a, DType::F32))}, &o,
                                          nullptr)),
            "");
  EXPECT_EQ(out, (std::vector<float>{1, 2}));
}

TEST(TensorJit, ConcurrentCallsShareThePool) {
  auto k = kernel("kernel t(a: f64[], s: f64) -> f64 = sum(a * s)");
  ASSERT_TRUE(k);
  const int64_t n = 100000;
  std::vector<double> a(n, 1.0);
  std::vector<double> results(4, 0);
  std::vector<std::string> errors(4);
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) {
        Scalar r;
        errors[t] += message(
            k->run({Arg::of(view(a, DType::F64)), Arg::of(Scalar::f64(t + 1))},
                   nullptr, &r, 3));
        results[t] = r.f;
      }
    });
  for (auto &c : callers)
    c.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(errors[t], "");
    EXPECT_EQ(results[t], double(n) * (t + 1));
  }
}

// Four threads compile their own kernels on one engine at once, then run
// them on its pool (three threads a call, so calls queue for the pool) while
// the others are still compiling. Runs under ThreadSanitizer.
TEST(TensorJit, ThreadsCompileAndRunOnOneEngineAtOnce) {
  auto shared = test::makeEngine(4, 1 << 12);
  ASSERT_TRUE(shared);
  const int64_t n = 50000;
  std::vector<double> a(n);
  for (int64_t i = 0; i < n; ++i)
    a[i] = double(i % 100);
  std::vector<std::string> errors(4);
  std::vector<int> wrong(4, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::string source = "kernel k" + std::to_string(t) +
                           "(a: f64[], s: f64) -> f64[] = a * s + " +
                           std::to_string(t);
      auto r = compile(*shared, source);
      if (!r.ok()) {
        errors[t] = kiln::render(r.diagnostics());
        return;
      }
      std::vector<double> out(n);
      wrong[t] = 0;
      for (int rep = 0; rep < 10; ++rep) {
        ArrayView o = view(out, DType::F64);
        errors[t] += message(r->kernels[0]->run(
            {Arg::of(view(a, DType::F64)), Arg::of(Scalar::f64(rep))}, &o,
            nullptr, 3));
        for (int64_t i = 0; i < n; ++i)
          wrong[t] += out[i] != a[i] * rep + t;
      }
    });
  for (auto &th : threads)
    th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(errors[t], "") << "thread " << t;
    EXPECT_EQ(wrong[t], 0) << "thread " << t;
  }
}

// The strided loop is compiled on the first call that needs it: four threads
// make that first call at once (a transposed view), so one compiles while the
// others wait for it and read the loop it publishes. Runs under TSan.
TEST(TensorJit, ThreadsMakeTheFirstStridedCallAtOnce) {
  auto shared = test::makeEngine(2, 1 << 12);
  ASSERT_TRUE(shared);
  auto k = test::compileFirst(*shared,
                              "kernel tr(a: i32[], b: i32[]) -> i32[] = a - b");
  ASSERT_TRUE(k);
  std::vector<int32_t> m(12), zeros(12, 0);
  std::iota(m.begin(), m.end(), 0);
  std::atomic<int> ready{0};
  std::vector<std::vector<int32_t>> outs(4, std::vector<int32_t>(12, -1));
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      ArrayView a = ArrayView::contiguous(m.data(), DType::I32, {4, 3});
      a.strides[0] = 1; // a 3x4 matrix viewed transposed
      a.strides[1] = 4;
      ArrayView z = ArrayView::contiguous(zeros.data(), DType::I32, {4, 3});
      ArrayView o = ArrayView::contiguous(outs[t].data(), DType::I32, {4, 3});
      ++ready;
      while (ready.load() < 4)
        std::this_thread::yield();
      errors[t] = message(k->run({Arg::of(a), Arg::of(z)}, &o, nullptr));
    });
  for (auto &th : threads)
    th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(errors[t], "") << "thread " << t;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j)
        EXPECT_EQ(outs[t][i * 3 + j], m[j * 4 + i]) << "thread " << t;
  }
}

TEST(TensorJit, RankAboveFourIsRejected) {
  auto k = kernel("kernel t(a: f32[]) -> f32[] = a");
  ASSERT_TRUE(k);
  std::vector<float> a(32, 1), out(32, 0);
  ArrayView five = ArrayView::contiguous(a.data(), DType::F32, {2, 2, 2, 2, 2});
  ArrayView o = view(out, DType::F32);
  EXPECT_EQ(message(k->run({Arg::of(five)}, &o, nullptr)),
            "argument 'a': rank 5 is out of range (0-4)");
  EXPECT_EQ(out, std::vector<float>(32, 0));
}

} // namespace
