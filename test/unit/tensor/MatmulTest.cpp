// MatmulTest: `a @ b` through the C++ API — precedence, located type
// errors, call errors, the builder, results against a plain loop for the
// paths a call can take (fused epilogue, an output that aliases an operand,
// a strided output, transposed operands, K = 0, batches), bit-identical
// results on 1 and 2 threads, and the AOT refusal. Random shapes against
// NumPy are tensor.numpy.matmul.
#include "TestEngine.h"
#include "kiln/tensor/Builder.h"
#include "kiln/tensor/Syntax.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tuple>
#include <unistd.h>

using namespace kiln::tensor;
using namespace kiln::tensor::test;

namespace {

std::string printed(const std::string &body) {
  ParseResult p = parseProgram("kernel k(a: f32[], b: f32[], c: f32[]) -> "
                               "f32[] = " +
                               body);
  EXPECT_TRUE(p.ok()) << render(p.errors);
  return p.ok() ? printKernel(p.program.kernels[0]) : "";
}

TEST(TensorMatmul, BindsLikeMultiplication) {
  const std::string head = "kernel k(a: f32[], b: f32[], c: f32[]) -> f32[] = ";
  EXPECT_EQ(printed("a @ b + c"), head + "((a @ b) + c)");
  EXPECT_EQ(printed("c + a @ b"), head + "(c + (a @ b))");
  EXPECT_EQ(printed("a * b @ c"), head + "((a * b) @ c)");
  EXPECT_EQ(printed("a @ b @ c"), head + "((a @ b) @ c)");
  EXPECT_EQ(printed("-a @ b"), head + "((-a) @ b)");
}

/// The first error of `source`, rendered with its caret.
std::string firstError(const std::string &source) {
  ParseResult p = parseProgram(source, "m.tk");
  if (p.ok())
    return "";
  return renderDiags({p.errors.front()}, "m.tk", source);
}

TEST(TensorMatmul, TypeErrorsPointAtTheOperator) {
  EXPECT_EQ(firstError("kernel k(a: f32[]) -> f32[] = a @ 2.0"),
            "m.tk:1:33: error: '@' takes array operands, got a number; scale "
            "with '*' instead\n"
            "kernel k(a: f32[]) -> f32[] = a @ 2.0\n"
            "                                ^");
  EXPECT_NE(firstError("kernel k(a: f32[], s: f32) -> f32[] = s @ a")
                .find("1:41: error: '@' takes array operands, got a scalar"),
            std::string::npos);
  EXPECT_NE(firstError("kernel k(a: i32[]) -> i32[] = a @ a")
                .find("'@' takes f32 or f64 arrays, got i32; cast it"),
            std::string::npos);
  EXPECT_NE(firstError("kernel k(a: f32[], b: f64[]) -> f32[] = a @ b")
                .find("cannot mix f32 and f64 in '@'"),
            std::string::npos);
  EXPECT_NE(firstError("kernel k(a: f32[]) -> f32[] = a @").find("error:"),
            std::string::npos);
}

/// out[i, j] = sum_k a[i, k] * b[k, j] in double, for row-major a, b.
std::vector<double> product(const std::vector<double> &a,
                            const std::vector<double> &b, int64_t m, int64_t k,
                            int64_t n) {
  std::vector<double> out(size_t(m * n), 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t q = 0; q < k; ++q)
        out[size_t(i * n + j)] += a[size_t(i * k + q)] * b[size_t(q * n + j)];
  return out;
}

std::vector<double> values(size_t count, double scale) {
  std::vector<double> v(count);
  for (size_t i = 0; i < count; ++i)
    v[i] = std::sin(double(i) * scale) * 2;
  return v;
}

void expectNear(const std::vector<double> &got, const std::vector<double> &want,
                double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol) << "element " << i;
}

TEST(TensorMatmul, CallErrorsAreOneSentenceAndWriteNothing) {
  auto engine = makeEngine(2, 4);
  auto k =
      compileFirst(*engine, "kernel k(a: f64[], b: f64[]) -> f64[] = a @ b");
  ASSERT_TRUE(k);
  std::vector<double> a(6, 1), b(20, 1), out(10, -7);
  ArrayView av = ArrayView::contiguous(a.data(), DType::F64, {2, 3});
  ArrayView bv = ArrayView::contiguous(b.data(), DType::F64, {4, 5});
  ArrayView ov = ArrayView::contiguous(out.data(), DType::F64, {2, 5});
  kiln::Status s = k->run({Arg::of(av), Arg::of(bv)}, &ov, nullptr);
  EXPECT_EQ(message(s), "'@': inner dimensions differ: [2, 3] @ [4, 5] (3 "
                        "!= 4)");
  EXPECT_EQ(s.diagnostics().front().kind, kiln::ErrorKind::InvalidArgument);
  EXPECT_EQ(out, std::vector<double>(10, -7));
  ArrayView scalar = ArrayView::contiguous(a.data(), DType::F64, {});
  EXPECT_EQ(message(k->run({Arg::of(scalar), Arg::of(bv)}, &ov, nullptr)),
            "'@' needs array operands of at least 1 dimension, got [] @ [4, "
            "5]");
  auto shape = resultShape(k->signature(), {Arg::of(av), Arg::of(av)});
  EXPECT_EQ(message(shape),
            "'@': inner dimensions differ: [2, 3] @ [2, 3] (3 != 2)");
}

TEST(TensorMatmul, VectorsAreRowsOrColumnsAsInNumPy) {
  auto engine = makeEngine(2, 4);
  auto k = compileFirst(*engine,
                        "kernel v(a: f64[], b: f64[]) -> f64[] = a @ b + 1");
  ASSERT_TRUE(k);
  std::vector<double> m = {1, 2, 3, 4, 5, 6}, x = {1, -1, 2}, y = {2, 1};
  auto mv = ArrayView::contiguous(m.data(), DType::F64, {2, 3});
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F64, {3});
  ArrayView yv = ArrayView::contiguous(y.data(), DType::F64, {2});
  std::vector<double> out(3, 0);
  auto o2 = ArrayView::contiguous(out.data(), DType::F64, {2});
  ASSERT_TRUE(k->run({Arg::of(mv), Arg::of(xv)}, &o2, nullptr)); // [2, 3] @ [3]
  EXPECT_EQ(std::vector<double>(out.begin(), out.begin() + 2),
            (std::vector<double>{6, 12}));
  auto o3 = ArrayView::contiguous(out.data(), DType::F64, {3});
  ASSERT_TRUE(k->run({Arg::of(yv), Arg::of(mv)}, &o3, nullptr)); // [2] @ [2, 3]
  EXPECT_EQ(out, (std::vector<double>{7, 10, 13}));
  auto o0 = ArrayView::contiguous(out.data(), DType::F64, {});
  ASSERT_TRUE(k->run({Arg::of(xv), Arg::of(xv)}, &o0, nullptr)); // [3] @ [3]
  EXPECT_EQ(out[0], 7);
  auto shape = resultShape(k->signature(), {Arg::of(xv), Arg::of(mv)});
  EXPECT_EQ(message(shape), "'@': inner dimensions differ: [3] @ [2, 3] (3 "
                            "!= 2)");
}

TEST(TensorMatmul, AProductTooBigForMemoryIsAnError) {
  auto engine = makeEngine(2, 4);
  auto k =
      compileFirst(*engine, "kernel s(a: f32[], b: f32[]) -> f32 = sum(a @ b)");
  ASSERT_TRUE(k);
  std::vector<float> a(4, 1);
  ArrayView col = ArrayView::contiguous(a.data(), DType::F32, {1, 1});
  col.shape[0] = int64_t(1) << 30, col.strides[0] = 0; // [2^30, 1], one value
  ArrayView row = col;
  row.shape[0] = 1, row.shape[1] = int64_t(1) << 30, row.strides[1] = 0;
  Scalar r;
  kiln::Status s = k->run({Arg::of(col), Arg::of(row)}, nullptr, &r);
  EXPECT_EQ(message(s), "out of memory for a matrix product's temporaries");
  EXPECT_EQ(s.diagnostics().front().kind, kiln::ErrorKind::Runtime);
}

TEST(TensorMatmul, FusedEpilogueWithBroadcastBias) {
  auto engine = makeEngine(2, 4);
  auto k = compileFirst(*engine, "kernel layer(x: f64[], w: f64[], b: f64[]) "
                                 "-> f64[] = relu(x @ w + b)");
  ASSERT_TRUE(k);
  const int64_t m = 37, kk = 300, n = 45; // odd sizes, two blocks of k
  std::vector<double> x = values(size_t(m * kk), 0.37),
                      w = values(size_t(kk * n), 0.11),
                      b = values(size_t(n), 1.3), out(size_t(m * n), -1);
  auto xv = ArrayView::contiguous(x.data(), DType::F64, {m, kk});
  auto wv = ArrayView::contiguous(w.data(), DType::F64, {kk, n});
  auto bv = ArrayView::contiguous(b.data(), DType::F64, {n});
  auto ov = ArrayView::contiguous(out.data(), DType::F64, {m, n});
  ASSERT_TRUE(k->run({Arg::of(xv), Arg::of(wv), Arg::of(bv)}, &ov, nullptr));
  std::vector<double> want = product(x, w, m, kk, n);
  for (int64_t i = 0; i < m * n; ++i)
    want[size_t(i)] = std::max(want[size_t(i)] + b[size_t(i % n)], 0.0);
  expectNear(out, want, 1e-9);
}

TEST(TensorMatmul, OutputAliasingTheBiasAndStridedOutputs) {
  auto engine = makeEngine(2, 4);
  auto k = compileFirst(*engine, "kernel acc(x: f64[], w: f64[], c: f64[]) "
                                 "-> f64[] = x @ w + c");
  ASSERT_TRUE(k);
  const int64_t m = 20, kk = 700, n = 19; // k spans several KC blocks
  std::vector<double> x = values(size_t(m * kk), 0.5),
                      w = values(size_t(kk * n), 0.3),
                      c = values(size_t(m * n), 0.9);
  std::vector<double> want = product(x, w, m, kk, n);
  for (size_t i = 0; i < want.size(); ++i)
    want[i] += c[i];
  auto xv = ArrayView::contiguous(x.data(), DType::F64, {m, kk});
  auto wv = ArrayView::contiguous(w.data(), DType::F64, {kk, n});
  auto cv = ArrayView::contiguous(c.data(), DType::F64, {m, n});
  ASSERT_TRUE(k->run({Arg::of(xv), Arg::of(wv), Arg::of(cv)}, &cv, nullptr));
  expectNear(c, want, 1e-9); // c = x @ w + c in place
  std::vector<double> wide(size_t(m * n * 2), -5);
  ArrayView step2 = ArrayView::contiguous(wide.data(), DType::F64, {m, n});
  step2.strides[0] = 2 * n, step2.strides[1] = 2; // every other column
  std::vector<double> fresh = values(size_t(m * n), 0.9);
  std::copy(fresh.begin(), fresh.end(), c.begin()); // cv still points at c
  ASSERT_TRUE(k->run({Arg::of(xv), Arg::of(wv), Arg::of(cv)}, &step2, nullptr));
  for (int64_t i = 0; i < m * n; ++i)
    ASSERT_NEAR(wide[size_t(2 * i)], want[size_t(i)], 1e-9);
  EXPECT_EQ(wide[1], -5);
}

TEST(TensorMatmul, TransposedViewsBatchesAndEmptyK) {
  auto engine = makeEngine(2, 4);
  auto k =
      compileFirst(*engine, "kernel g(a: f32[], b: f32[]) -> f32[] = a @ b");
  ASSERT_TRUE(k);
  // a: 3 batches of [5, 4]; b: one [4, 6] given as the transpose of [6, 4].
  std::vector<float> a(60), bt(24), out(90, -1);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float(int(i % 7) - 3);
  for (size_t i = 0; i < bt.size(); ++i)
    bt[i] = float(int(i % 5) - 2);
  auto av = ArrayView::contiguous(a.data(), DType::F32, {3, 5, 4});
  ArrayView bv = ArrayView::contiguous(bt.data(), DType::F32, {4, 6});
  bv.strides[0] = 1, bv.strides[1] = 4; // b[q, j] = bt[j, q]
  auto ov = ArrayView::contiguous(out.data(), DType::F32, {3, 5, 6});
  ASSERT_TRUE(k->run({Arg::of(av), Arg::of(bv)}, &ov, nullptr));
  for (int p = 0; p < 3; ++p)
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 6; ++j) {
        float want = 0;
        for (int q = 0; q < 4; ++q)
          want += a[size_t(p * 20 + i * 4 + q)] * bt[size_t(j * 4 + q)];
        ASSERT_EQ(out[size_t(p * 30 + i * 6 + j)], want);
      }
  auto empty = ArrayView::contiguous(a.data(), DType::F32, {5, 0});
  auto none = ArrayView::contiguous(bt.data(), DType::F32, {0, 6});
  auto o2 = ArrayView::contiguous(out.data(), DType::F32, {5, 6});
  ASSERT_TRUE(k->run({Arg::of(empty), Arg::of(none)}, &o2, nullptr));
  EXPECT_EQ(std::vector<float>(out.begin(), out.begin() + 30),
            std::vector<float>(30, 0.0f)); // K = 0: zeros
}

TEST(TensorMatmul, OneAndTwoThreadsAgreeBitForBit) {
  auto engine = makeEngine(2, 4);
  auto k = compileFirst(*engine, "kernel t(x: f32[], w: f32[]) -> f32[] = "
                                 "tanh(x @ w)");
  ASSERT_TRUE(k);
  // Cut by columns (M <= N) and by rows (M > N, also the skinny path).
  for (auto [m, kk, n] : {std::tuple<int64_t, int64_t, int64_t>{130, 517, 261},
                          {1030, 300, 37},
                          {20, 900, 700}}) {
    std::vector<float> x(size_t(m * kk)), w(size_t(kk * n));
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = float(std::sin(double(i)));
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(std::cos(double(i) * 0.7)) * 0.05f;
    std::vector<float> one(size_t(m * n)), two(size_t(m * n));
    auto xv = ArrayView::contiguous(x.data(), DType::F32, {m, kk});
    auto wv = ArrayView::contiguous(w.data(), DType::F32, {kk, n});
    auto o1 = ArrayView::contiguous(one.data(), DType::F32, {m, n});
    auto o2 = ArrayView::contiguous(two.data(), DType::F32, {m, n});
    ASSERT_TRUE(k->run({Arg::of(xv), Arg::of(wv)}, &o1, nullptr, 1));
    ASSERT_TRUE(k->run({Arg::of(xv), Arg::of(wv)}, &o2, nullptr, 2));
    EXPECT_EQ(one, two);
    double want = 0; // one element against a plain sum
    for (int64_t q = 0; q < kk; ++q)
      want += double(x[size_t((m - 1) * kk + q)]) * w[size_t(q * n + n - 1)];
    EXPECT_NEAR(one.back(), std::tanh(want), 1e-4);
  }
}

TEST(TensorMatmul, BuilderChainsAndReductions) {
  auto engine = makeEngine(2, 4);
  KernelBuilder kb;
  Val a = kb.array("a", DType::F64), b = kb.array("b", DType::F64);
  Kernel k = kb.kernel("s", sum(matmul(matmul(a, b), b)));
  EXPECT_FALSE(k.resultIsArray);
  auto compiled = compile(*engine, k);
  ASSERT_TRUE(compiled) << message(compiled);
  std::vector<double> av = {1, 2, 3, 4}, bv = {0, 1, 1, 0};
  auto x = ArrayView::contiguous(av.data(), DType::F64, {2, 2});
  auto y = ArrayView::contiguous(bv.data(), DType::F64, {2, 2});
  Scalar r;
  ASSERT_TRUE((*compiled)->run({Arg::of(x), Arg::of(y)}, nullptr, &r));
  EXPECT_EQ(r.f, 10); // (a @ b) @ b = a
}

TEST(TensorMatmul, BoundCallsRunThePlan) {
  auto engine = makeEngine(2, 4);
  auto k = compileFirst(*engine, "kernel l(x: f32[], w: f32[], b: f32[]) -> "
                                 "f32[] = relu(x @ w + b)");
  ASSERT_TRUE(k);
  std::vector<float> x = {1, 2, 3, 4}, w = {1, -1, 2, 0}, b = {0.5f, 1},
                     out(4, -1);
  auto xv = ArrayView::contiguous(x.data(), DType::F32, {2, 2});
  auto wv = ArrayView::contiguous(w.data(), DType::F32, {2, 2});
  auto bv = ArrayView::contiguous(b.data(), DType::F32, {2});
  auto ov = ArrayView::contiguous(out.data(), DType::F32, {2, 2});
  std::vector<Arg> args{Arg::of(xv), Arg::of(wv), Arg::of(bv)};
  auto bound = k->bind(args.data(), args.size(), &ov);
  ASSERT_TRUE(bound) << message(bound);
  ASSERT_TRUE(bound->run());
  EXPECT_EQ(out, (std::vector<float>{5.5f, 0, 11.5f, 0}));
  x[0] = 2; // the data behind the views may change between runs
  ASSERT_TRUE(bound->run());
  EXPECT_EQ(out, (std::vector<float>{6.5f, 0, 11.5f, 0}));
}

// Libraries hold `@` kernels, beside and of axis reductions too
// (test/python/test_tensor_matmul_aot.py runs them); a plan step with more
// than 64 arguments is refused, leaving no files.
TEST(TensorMatmul, AotBuildHoldsMatmulKernelsButNotHugeSteps) {
  auto dir = std::filesystem::temp_directory_path() /
             ("kiln_mm_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ParseResult p = parseProgram(
      "kernel mm(a: f32[], b: f32[]) -> f32[] = a @ b\n"
      "kernel mx(a: f32[], b: f32[]) -> f32[] = (a - max(a, axis=0)) @ b",
      "m.tk");
  ASSERT_TRUE(p.ok());
  kiln::Status s = buildSharedLibrary(p.program, (dir / "m.so").string(),
                                      (dir / "m.h").string());
  EXPECT_TRUE(s) << message(s);
  EXPECT_TRUE(std::filesystem::exists(dir / "m.so"));
  std::string params, terms;
  for (int i = 0; i < 59; ++i) // 60 parameters with z, the most there are
    params += "a" + std::to_string(i) + ": f32[], ",
        terms += " + a" + std::to_string(i);
  p = parseProgram("kernel wide(" + params +
                       "z: f32[]) -> f32[] = (a0 @ a1) + (a2 @ a3) + "
                       "(a4 @ a5) + (a6 @ a7) + (a8 @ a9) + (a10 @ a11)" +
                       terms,
                   "x.tk");
  ASSERT_TRUE(p.ok());
  s = buildSharedLibrary(p.program, (dir / "x.so").string(),
                         (dir / "x.h").string());
  EXPECT_NE(message(s).find("kernel 'wide' has a matrix product step with "
                            "more than 64 arguments"),
            std::string::npos)
      << message(s);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.so"));
  std::filesystem::remove_all(dir);
}

} // namespace
