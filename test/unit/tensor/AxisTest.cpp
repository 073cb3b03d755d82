// AxisTest: axis reductions through the C++ API — built with KernelBuilder
// (no text), parsed text printed back with its axis, resultShape, the
// staged JIT against hand-computed values, bound calls and emitted IR.
// NumPy comparisons on random shapes are tensor.numpy.axis.
#include "TestEngine.h"
#include "kiln/tensor/Builder.h"
#include "kiln/tensor/Syntax.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace kiln::tensor;
using namespace kiln::tensor::test;

namespace {

TEST(TensorAxis, BuilderKernelRunsAndKeepsAnArrayResult) {
  auto engine = makeEngine(2, 4);
  KernelBuilder b;
  Val x = b.array("x", DType::F64);
  Kernel k = b.kernel("center", x - reduce(ReduceOp::Max, x, 1, true));
  EXPECT_TRUE(k.resultIsArray);
  EXPECT_EQ(k.resultType, DType::F64);
  auto compiled = compile(*engine, k);
  ASSERT_TRUE(compiled) << message(compiled);
  std::vector<double> in = {1, 5, 2, 7, 3, 4}, out(6, -1);
  ArrayView xv = ArrayView::contiguous(in.data(), DType::F64, {2, 3});
  ArrayView ov = ArrayView::contiguous(out.data(), DType::F64, {2, 3});
  ASSERT_TRUE((*compiled)->run({Arg::of(xv)}, &ov, nullptr));
  EXPECT_EQ(out, (std::vector<double>{-4, 0, -3, 0, -4, -3}));
}

TEST(TensorAxis, BuilderReducesSeveralAxes) {
  auto engine = makeEngine(2, 4);
  KernelBuilder b;
  Val x = b.array("x", DType::F64);
  Kernel k = b.kernel("both", reduce(ReduceOp::Sum, x, {0, -1}, true));
  EXPECT_EQ(printKernel(k),
            "kernel both(x: f64[]) -> f64[] = sum(x, axis=(0, -1), keepdims)");
  auto compiled = compile(*engine, k);
  ASSERT_TRUE(compiled) << message(compiled);
  std::vector<double> in = {1, 2, 3, 4, 5, 6}, out(1, -1);
  ArrayView xv = ArrayView::contiguous(in.data(), DType::F64, {2, 3});
  ArrayView ov = ArrayView::contiguous(out.data(), DType::F64, {1, 1});
  ASSERT_TRUE((*compiled)->run({Arg::of(xv)}, &ov, nullptr));
  EXPECT_EQ(out[0], 21);
  KernelBuilder b2, b3; // a builder's parameters go to its first kernel
  Val y = b2.array("y", DType::F64), z = b3.array("z", DType::F64);
  Kernel arg = b2.kernel("a", reduce(ReduceOp::ArgMax, y, {0, 1}));
  EXPECT_NE(message(compile(*engine, arg))
                .find("'argmax' takes one axis, not a tuple"),
            std::string::npos);
  Kernel five = b3.kernel("f", reduce(ReduceOp::Max, z, {0, 1, 2, 3, -1}));
  EXPECT_NE(message(compile(*engine, five)).find("more than 4 axes"),
            std::string::npos);
  // Reusing the first builder's nodes: an error, not a crash.
  Kernel again = b.kernel("g", x + 1);
  EXPECT_NE(message(compile(*engine, again))
                .find("is not one of the kernel's 0 parameters"),
            std::string::npos);
}

/// `k` on `x` from 3 threads at once, 20 times each: every result equals
/// the 1-thread one.
void expectSameFromThreads(const CompiledKernel &k, const ArrayView &x,
                           int64_t n) {
  std::vector<float> want(size_t(n), 0);
  ArrayView wv = ArrayView::contiguous(want.data(), DType::F32, {n});
  ASSERT_TRUE(k.run({Arg::of(x)}, &wv, nullptr, 1));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      std::vector<float> got(static_cast<size_t>(n), 0.0f);
      ArrayView gv = ArrayView::contiguous(got.data(), DType::F32, {n});
      for (int rep = 0; rep < 20; ++rep)
        if (!k.run({Arg::of(x)}, &gv, nullptr) || got != want)
          ++wrong;
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(TensorAxis, ThreadsShareThePoolForRowsAndTiles) {
  // On a 4-thread pool: short rows split over the pool (the row maxima),
  // long strided rows (the column sums of a tall array), one row of every
  // element split by the driver (axis=(0, 1)), and column tiles. The
  // concurrency label runs this under ThreadSanitizer.
  auto engine = makeEngine(4, 256);
  auto rows = compileFirst(
      *engine, "kernel k(x: f32[]) -> f32[] = sum(x - max(x, axis=-1, "
               "keepdims), axis=0) + sum(x, axis=(0, 1))");
  auto tiles = compileFirst(*engine,
                            "kernel c(y: f32[]) -> f32[] = sum(y, axis=0)");
  ASSERT_TRUE(rows && tiles);
  std::vector<float> x(6000 * 20);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(int(i * 7919 % 1001) - 500) / 64;
  expectSameFromThreads(
      *rows, ArrayView::contiguous(x.data(), DType::F32, {6000, 20}), 20);
  expectSameFromThreads(
      *tiles, ArrayView::contiguous(x.data(), DType::F32, {3, 40000}), 40000);
}

TEST(TensorAxis, PrintedTextKeepsAxisAndKeepdims) {
  ParseResult p = parseProgram(
      "kernel k(x: f32[]) -> i64[] = argmax(x - sum(x, axis=-2, keepdims), "
      "axis=0)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(printKernel(p.program.kernels[0]),
            "kernel k(x: f32[]) -> i64[] = argmax((x - sum(x, axis=-2, "
            "keepdims)), axis=0)");
  EXPECT_TRUE(reducesAlongAxis(p.program.kernels[0]));
  ParseResult t = parseProgram(
      "kernel t(x: f32[]) -> f32[] = mean(x, axis=(0, -1,), keepdims)");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(printKernel(t.program.kernels[0]),
            "kernel t(x: f32[]) -> f32[] = mean(x, axis=(0, -1), keepdims)");
}

TEST(TensorAxis, ResultShapeFollowsTheBody) {
  ParseResult p = parseProgram(
      "kernel k(x: f64[], y: f64[]) -> f64[] = sum(x, axis=1) + y\n"
      "kernel e(x: f64[]) -> f64[] = x * 2");
  ASSERT_TRUE(p.ok());
  double dummy[1];
  auto view = [&](std::vector<int64_t> s) {
    return Arg::of(ArrayView::contiguous(dummy, DType::F64, s));
  };
  auto shape = resultShape(p.program.kernels[0], {view({3, 4}), view({3})});
  ASSERT_TRUE(shape) << message(shape);
  EXPECT_EQ(*shape, (std::vector<int64_t>{3}));
  auto bad = resultShape(p.program.kernels[0], {view({3}), view({3})});
  ASSERT_FALSE(bad);
  EXPECT_EQ(message(bad), "'sum': axis 1 is out of range for an argument of "
                          "shape [3] (rank 1)");
  auto plain = resultShape(p.program.kernels[1], {view({2, 5})});
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, (std::vector<int64_t>{2, 5}));
}

TEST(TensorAxis, ColumnMeansOfIntegersAndEmptyAxes) {
  auto engine = makeEngine(1, 1 << 20);
  auto k = compileFirst(*engine, "kernel m(x: i32[]) -> f64[] = "
                                 "mean(x, axis=0)\nkernel n(x: f64[]) -> "
                                 "f64[] = max(x, axis=0)");
  ASSERT_TRUE(k);
  std::vector<int32_t> in = {1, 2, 4, 7};
  std::vector<double> out(2, -1);
  ArrayView ov = ArrayView::contiguous(out.data(), DType::F64, {2});
  ASSERT_TRUE(
      k->run({Arg::of(ArrayView::contiguous(in.data(), DType::I32, {2, 2}))},
             &ov, nullptr));
  EXPECT_EQ(out, (std::vector<double>{2.5, 4.5}));
  auto max = compile(*engine, "kernel n(x: f64[]) -> f64[] = max(x, axis=0)");
  ASSERT_TRUE(max);
  double none[1];
  ArrayView empty = ArrayView::contiguous(none, DType::F64, {0, 2});
  std::string err =
      message(max->kernels[0]->run({Arg::of(empty)}, &ov, nullptr));
  EXPECT_EQ(err, "'max': axis 0 of the argument's shape [0, 2] is empty, and "
                 "max has no identity");
  EXPECT_EQ(out, (std::vector<double>{2.5, 4.5})); // nothing written
}

TEST(TensorAxis, BoundCallsAndEmittedText) {
  auto engine = makeEngine(1, 1 << 20);
  auto k = compileFirst(*engine, "kernel r(x: f64[]) -> f64[] = "
                                 "sum(x, axis=1)");
  ASSERT_TRUE(k);
  double in[6] = {1, 2, 3, 4, 5, 6}, out[2] = {};
  Arg a = Arg::of(ArrayView::contiguous(in, DType::F64, {2, 3}));
  ArrayView ov = ArrayView::contiguous(out, DType::F64, {2});
  auto bound = k->bind(&a, 1, &ov);
  ASSERT_TRUE(bound) << message(bound);
  ASSERT_TRUE(bound->run());
  EXPECT_EQ(out[0], 6);
  EXPECT_EQ(out[1], 15);
  in[0] = 11; // the same views, new data
  ASSERT_TRUE(bound->run());
  EXPECT_EQ(out[0], 16);
  ArrayView wrong = ArrayView::contiguous(out, DType::F64, {3});
  auto refused = k->bind(&a, 1, &wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(message(refused),
            "output: shape [3] does not match the broadcast shape [2]");
  auto ir = emitText(k->signature(), "ll");
  ASSERT_TRUE(ir) << message(ir);
  EXPECT_NE(ir->find("kiln_tk_r__axis0_flat"), std::string::npos);
}

} // namespace
