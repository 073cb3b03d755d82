// BindTest: CompiledKernel::bind and BoundCall::run — a call checked once and
// rerun with no checks (the C API's kiln_tensor_bind). Pins that a bound call
// gives exactly run()'s results on every path (the flat loop, contiguous
// reductions, broadcasts, strided and reversed views, the pool above the
// threshold), sees new data behind the same views, and that bind rejects
// what run() rejects with checkCall's words and writes nothing.
#include "TestEngine.h"

#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace kiln::tensor;
using test::message;

namespace {

/// Splits calls above 64 elements over 2 threads: tests reach the pool.
Engine &engine() {
  static std::unique_ptr<Engine> e = test::makeEngine(2, 64);
  return *e;
}

std::shared_ptr<CompiledKernel> kernel(const std::string &source) {
  return test::compileFirst(engine(), source);
}

std::vector<double> ramp(int64_t n, double scale) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = std::sin(double(i) * scale) + 0.25 * double(i);
  return v;
}

ArrayView view(std::vector<double> &v, std::vector<int64_t> shape) {
  return ArrayView::contiguous(v.data(), DType::F64, shape);
}

/// Binds `args`/`out` and checks a bound run against run() into a second
/// output of the same layout (`outB`), twice: the second time after
/// `input` changed.
void expectBoundEqualsRun(const CompiledKernel &k, std::vector<Arg> args,
                          ArrayView out, std::vector<double> &outA,
                          ArrayView outRef, std::vector<double> &outB,
                          std::vector<double> &input) {
  auto bound = k.bind(args.data(), args.size(), &out);
  ASSERT_TRUE(bound) << message(bound);
  for (int round = 0; round < 2; ++round) {
    if (round)
      for (double &x : input)
        x = x * 1.5 - 1;
    ASSERT_TRUE(bound->run()) << round;
    ASSERT_TRUE(k.run(args, &outRef, nullptr)) << round;
    EXPECT_EQ(outA, outB) << "round " << round;
  }
}

TEST(TensorBind, ElementwiseContiguousSmallAndLarge) {
  auto k = kernel("kernel f(a: f64[], b: f64[], s: f64) -> f64[] = "
                  "max(a * b + s, 0.5)");
  ASSERT_TRUE(k);
  for (int64_t n : {0, 1, 16, 1000}) { // 1000 > 64: the pool
    auto a = ramp(n, 0.3), b = ramp(n, 0.7);
    std::vector<double> outA(n, -9), outB(n, -7);
    std::vector<Arg> args = {Arg::of(view(a, {n})), Arg::of(view(b, {n})),
                             Arg::of(Scalar::f64(0.125))};
    expectBoundEqualsRun(*k, args, view(outA, {n}), outA, view(outB, {n}), outB,
                         a);
  }
}

TEST(TensorBind, BroadcastStridedAndReversedViews) {
  auto k = kernel("kernel f(a: f64[], b: f64[]) -> f64[] = a - 2 * b");
  ASSERT_TRUE(k);
  auto a = ramp(24, 0.1), b = ramp(4, 0.9);
  // a: [3, 4] read with row stride 8 (every other row of a 6x4 block)
  // reversed in the last dimension; b: [4] broadcast over rows.
  ArrayView va = view(a, {3, 4});
  va.strides[0] = 8, va.strides[1] = -1, va.data = a.data() + 3;
  std::vector<double> outA(12, -9), outB(12, -7);
  expectBoundEqualsRun(*k, {Arg::of(va), Arg::of(view(b, {4}))},
                       view(outA, {3, 4}), outA, view(outB, {3, 4}), outB, a);
  EXPECT_DOUBLE_EQ(outA[0], a[3] - 2 * b[0]);
}

TEST(TensorBind, ReductionsGiveRunsResultBitForBit) {
  auto k = kernel("kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)");
  ASSERT_TRUE(k);
  for (int64_t n : {0, 16, 5000}) {
    auto a = ramp(n, 0.3), b = ramp(n, 0.2);
    std::vector<Arg> args = {Arg::of(view(a, {n})), Arg::of(view(b, {n}))};
    auto bound = k->bind(args.data(), args.size(), nullptr);
    ASSERT_TRUE(bound) << message(bound);
    Scalar viaBind, viaRun;
    ASSERT_TRUE(bound->run(&viaBind));
    ASSERT_TRUE(k->run(args, nullptr, &viaRun));
    EXPECT_EQ(viaBind.dtype, DType::F64);
    EXPECT_EQ(viaBind.f, viaRun.f) << n;
    EXPECT_TRUE(bound->run()); // a dropped result is fine
    // A strided view takes the driver's general path.
    args[0].array.shape[0] = n / 2, args[0].array.strides[0] = 2;
    args[1].array.shape[0] = n / 2;
    auto strided = k->bind(args.data(), args.size(), nullptr);
    ASSERT_TRUE(strided) << message(strided);
    ASSERT_TRUE(strided->run(&viaBind));
    ASSERT_TRUE(k->run(args, nullptr, &viaRun));
    EXPECT_EQ(viaBind.f, viaRun.f) << n;
  }
}

TEST(TensorBind, RejectsWhatRunRejectsAndWritesNothing) {
  auto k = kernel("kernel f(a: f64[], b: f64[]) -> f64[] = a + b");
  ASSERT_TRUE(k);
  std::vector<double> a(4, 1), b(3, 2), out(4, -1);
  std::vector<std::vector<Arg>> bad = {
      {Arg::of(view(a, {4}))},                        // count
      {Arg::of(view(a, {4})), Arg::of(view(b, {3}))}, // shapes
      {Arg::of(view(a, {4})), Arg::of(Scalar::f64(1))}};
  for (auto &args : bad) {
    ArrayView o = view(out, {4});
    auto bound = k->bind(args.data(), args.size(), &o);
    ASSERT_FALSE(bound);
    EXPECT_EQ(message(bound), message(checkCall(k->signature(), args, &o)));
    EXPECT_EQ(bound.diagnostics()[0].kind, kiln::ErrorKind::InvalidArgument);
  }
  std::vector<Arg> good = {Arg::of(view(a, {4})), Arg::of(view(a, {4}))};
  ArrayView shortOut = view(out, {3});
  EXPECT_FALSE(k->bind(good.data(), good.size(), &shortOut));
  EXPECT_FALSE(k->bind(good.data(), good.size(), nullptr));
  EXPECT_EQ(out, std::vector<double>(4, -1));
}

TEST(TensorBind, MovedBoundCallStillRuns) {
  auto k = kernel("kernel twice(a: f64[]) -> f64[] = a * 2");
  ASSERT_TRUE(k);
  std::vector<double> a = {1, 2, 3}, out(3, 0);
  Arg arg = Arg::of(view(a, {3}));
  ArrayView o = view(out, {3});
  auto bound = k->bind(&arg, 1, &o);
  ASSERT_TRUE(bound);
  BoundCall moved = std::move(*bound);
  ASSERT_TRUE(moved.run());
  EXPECT_EQ(out, (std::vector<double>{2, 4, 6}));
}

} // namespace
