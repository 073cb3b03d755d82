// ReferenceLayoutTest: broadcasting, strided views, reductions (sizes around
// the 8-lane and block boundaries, empty arrays) and rejected calls of the
// eager and blocked references, against hand-computed values.
#include "RefTestUtil.h"

#include <cmath>
#include <limits>

namespace kiln::tensor::test {
namespace {

TEST(TensorRefLayout, BroadcastRank0To4) {
  Kernel k = kernelOf(
      "kernel f(a: f64[], b: f64[], s: f64) -> f64[] = a * 10 + b + s");
  Buf<double> a({2, 1, 3}, {1, 2, 3, 4, 5, 6}), b({4, 1}, {100, 200, 300, 400});
  Outputs o =
      runBoth(k, {a.arg(), b.arg(), Arg::of(Scalar::f64(0.5))}, {2, 4, 3});
  ASSERT_EQ(o.eagerError, "");
  ASSERT_EQ(o.blockedError, "");
  EXPECT_EQ(o.eager, o.blocked);
  auto v = as<double>(o.eager);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 3; ++l)
        EXPECT_EQ(v[(i * 4 + j) * 3 + l],
                  a.data[i * 3 + l] * 10 + b.data[j] + 0.5);
  Buf<double> r0({}, {7}), r4({1, 2, 1, 2}, {1, 2, 3, 4});
  o = runBoth(k, {r0.arg(), r4.arg(), Arg::of(Scalar::f64(1))}, {1, 2, 1, 2});
  EXPECT_EQ(as<double>(o.eager), (std::vector<double>{72, 73, 74, 75}));
  EXPECT_EQ(o.eager, o.blocked);
  o = runBoth(k, {r0.arg(), r0.arg(), Arg::of(Scalar::f64(1))}, {});
  EXPECT_EQ(as<double>(o.blocked), (std::vector<double>{78}));
  EXPECT_EQ(o.eager, o.blocked);
  Kernel sc = kernelOf("kernel f(s: i32) -> i32[] = s * 3");
  o = runBoth(sc, {Arg::of(Scalar::i32(5))}, {});
  EXPECT_EQ(as<int32_t>(o.eager), (std::vector<int32_t>{15}));
  EXPECT_EQ(o.eager, o.blocked);
}

TEST(TensorRefLayout, StridedViewsInAndOut) {
  Kernel k = kernelOf("kernel f(a: i64[], b: i64[]) -> i64[] = a * 1000 + b");
  std::vector<int64_t> m(12);
  for (int i = 0; i < 12; ++i)
    m[i] = i; // 3x4 row-major
  ArrayView t = ArrayView::contiguous(m.data(), DType::I64, {4, 3});
  t.strides[0] = 1, t.strides[1] = 4; // transposed
  ArrayView rev = ArrayView::contiguous(m.data() + 11, DType::I64, {3});
  rev.strides[0] = -2; // 11, 9, 7
  Outputs o = runBoth(k, {Arg::of(t), Arg::of(rev)}, {4, 3});
  ASSERT_EQ(o.eagerError, "");
  EXPECT_EQ(o.eager, o.blocked);
  auto v = as<int64_t>(o.eager);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(v[i * 3 + j], (j * 4 + i) * 1000 + (11 - 2 * j));
  // A stride-0 (broadcast) view and a step-2 output view.
  ArrayView zero = ArrayView::contiguous(m.data() + 5, DType::I64, {4, 3});
  zero.strides[0] = zero.strides[1] = 0;
  std::vector<int64_t> e(24, -1), b(24, -1);
  for (auto *buf : {&e, &b}) {
    ArrayView out = ArrayView::contiguous(buf->data(), DType::I64, {4, 3});
    out.strides[0] = 6, out.strides[1] = 2;
    std::string err =
        buf == &e
            ? evalEager(k, {Arg::of(zero), Arg::of(rev)}, &out, nullptr)
            : evalBlocked(k, {Arg::of(zero), Arg::of(rev)}, &out, nullptr);
    ASSERT_EQ(err, "");
  }
  EXPECT_EQ(e, b);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(e[i * 6 + j * 2], 5000 + 11 - 2 * j);
      EXPECT_EQ(e[i * 6 + j * 2 + 1], -1); // untouched gaps
    }
}

TEST(TensorRefLayout, InPlaceOverManyBlocks) {
  Kernel k = kernelOf("kernel f(a: f32[]) -> f32[] = a * 2 + 1");
  const int64_t n = 3 * kReferenceBlock + 5;
  for (int which = 0; which < 2; ++which) {
    Buf<float> a({n});
    for (int64_t i = 0; i < n; ++i)
      a.data[i] = float(i);
    ArrayView v = a.view();
    std::string err = which ? evalBlocked(k, {Arg::of(v)}, &v, nullptr)
                            : evalEager(k, {Arg::of(v)}, &v, nullptr);
    ASSERT_EQ(err, "");
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(a.data[i], float(i) * 2 + 1) << i;
  }
}

TEST(TensorRefLayout, LargeTemporaries) {
  // 5.6 MB temporaries: the eager executor's huge-page allocation path.
  Kernel k =
      kernelOf("kernel f(a: f64[], b: f64[]) -> f64[] = (a * 2 + b) * (a - 1)");
  const int64_t n = 700001;
  Buf<double> a({n}), b({1});
  b.data[0] = 0.5;
  for (int64_t i = 0; i < n; ++i)
    a.data[i] = double(i % 1000);
  Outputs o = runBoth(k, {a.arg(), b.arg()}, {n});
  ASSERT_EQ(o.eagerError, "");
  ASSERT_EQ(o.eager, o.blocked);
  auto v = as<double>(o.eager);
  for (int64_t i = 0; i < n; i += 9973)
    EXPECT_EQ(v[i], (a.data[i] * 2 + 0.5) * (a.data[i] - 1)) << i;
}

TEST(TensorRefLayout, ReductionsAtBoundarySizes) {
  Kernel s =
      kernelOf("kernel f(a: i64[]) -> i64 = sum(a * a) + prod(a % 3 + 1) * 0 "
               "+ max(a) * 1000000000 - min(a)");
  Kernel m = kernelOf("kernel f(a: f64[]) -> f64 = mean(a) + sum(a) * 1000");
  const int64_t b = kReferenceBlock;
  for (int64_t n :
       {int64_t(1), int64_t(7), int64_t(8), int64_t(9), int64_t(1023),
        int64_t(1024), int64_t(1025), b - 1, b, b + 1, 3 * b + 17}) {
    Buf<int64_t> a({n});
    Buf<double> d({n});
    for (int64_t i = 0; i < n; ++i)
      a.data[i] = i + 1, d.data[i] = double(i + 1);
    auto [e, bl] = reduceBoth(s, {a.arg()});
    const int64_t squares = n * (n + 1) * (2 * n + 1) / 6;
    EXPECT_EQ(e.i, squares + n * 1000000000 - 1) << n;
    EXPECT_EQ(bl.i, e.i) << n;
    EXPECT_EQ(e.dtype, DType::I64);
    auto [me, mb] = reduceBoth(m, {d.arg()});
    const double want = double(n + 1) / 2 + double(n * (n + 1) / 2) * 1000;
    EXPECT_EQ(me.f, want) << n; // small integers: exact in any order
    EXPECT_EQ(mb.f, want) << n;
  }
}

TEST(TensorRefLayout, ReductionsOverBroadcastSpace) {
  // The iteration space is the broadcast shape of all array arguments, so
  // sum(a) counts a's elements once per row of b.
  Kernel k =
      kernelOf("kernel f(a: i32[], b: i32[]) -> i32 = sum(a) * 100 + sum(b)");
  Buf<int32_t> a({3}, {1, 2, 3}), b({2, 1}, {10, 20});
  auto [e, bl] = reduceBoth(k, {a.arg(), b.arg()});
  EXPECT_EQ(e.i, 12 * 100 + 90);
  EXPECT_EQ(bl.i, e.i);
}

TEST(TensorRefLayout, EmptyReductions) {
  Buf<float> f({0});
  Buf<int32_t> i({2, 0});
  auto [s, s2] = reduceBoth(
      kernelOf("kernel f(a: f32[]) -> f32 = sum(a) + prod(a)"), {f.arg()});
  EXPECT_EQ(s.f, 1);
  EXPECT_EQ(s2.f, 1);
  auto [mn, mn2] =
      reduceBoth(kernelOf("kernel f(a: f32[]) -> f32 = min(a)"), {f.arg()});
  EXPECT_EQ(mn.f, std::numeric_limits<float>::infinity());
  EXPECT_EQ(mn2.f, mn.f);
  auto [mx, mx2] =
      reduceBoth(kernelOf("kernel f(a: f32[]) -> f32 = max(a)"), {f.arg()});
  EXPECT_EQ(mx.f, -std::numeric_limits<float>::infinity());
  EXPECT_EQ(mx2.f, mx.f);
  auto [me, me2] =
      reduceBoth(kernelOf("kernel f(a: i32[]) -> f64 = mean(a)"), {i.arg()});
  EXPECT_TRUE(std::isnan(me.f) && std::isnan(me2.f));
  EXPECT_EQ(me.dtype, DType::F64);
  auto [imin, imin2] =
      reduceBoth(kernelOf("kernel f(a: i32[]) -> i32 = min(a)"), {i.arg()});
  EXPECT_EQ(imin.i, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(imin2.i, imin.i);
  auto [imax, imax2] =
      reduceBoth(kernelOf("kernel f(a: i32[]) -> i32 = max(a)"), {i.arg()});
  EXPECT_EQ(imax.i, std::numeric_limits<int32_t>::min());
  EXPECT_EQ(imax2.i, imax.i);
}

TEST(TensorRefLayout, ReductionSemantics) {
  Buf<int32_t> w({3}, {std::numeric_limits<int32_t>::max(), 1, 5});
  auto [s, s2] =
      reduceBoth(kernelOf("kernel f(a: i32[]) -> i32 = sum(a)"), {w.arg()});
  EXPECT_EQ(s.i, std::numeric_limits<int32_t>::min() + 5); // wraps
  EXPECT_EQ(s2.i, s.i);
  auto [m, m2] =
      reduceBoth(kernelOf("kernel f(a: i32[]) -> f64 = mean(a)"), {w.arg()});
  EXPECT_EQ(m.f, (2147483647.0 + 6) / 3); // integer means do not wrap
  EXPECT_EQ(m2.f, m.f);
  Buf<double> nan({4}, {1, std::nan(""), -3, 2});
  auto [mn, mn2] = reduceBoth(
      kernelOf("kernel f(a: f64[]) -> f64 = min(a) + max(a)"), {nan.arg()});
  EXPECT_TRUE(std::isnan(mn.f) && std::isnan(mn2.f));
  Buf<uint8_t> flags({3}, {0, 4, 1});
  auto [bm, bm2] =
      reduceBoth(kernelOf("kernel f(a: bool[]) -> bool = min(a) || !max(a)"),
                 {flags.arg()});
  EXPECT_EQ(bm.i, 0);
  EXPECT_EQ(bm2.i, 0);
  EXPECT_EQ(bm.dtype, DType::Bool);
}

TEST(TensorRefLayout, RejectedCallsWriteNothing) {
  Kernel k = kernelOf("kernel f(a: f32[], b: f32[]) -> f32[] = a + b");
  Buf<float> a({3}, {1, 2, 3}), b({4}, {1, 2, 3, 4});
  Buf<double> d({3});
  Outputs o = runBoth(k, {a.arg(), b.arg()}, {3});
  EXPECT_NE(o.eagerError.find("does not broadcast"), std::string::npos)
      << o.eagerError;
  EXPECT_EQ(o.eagerError, o.blockedError);
  EXPECT_EQ(o.eager, std::vector<uint8_t>(12, 0xA5));
  EXPECT_EQ(o.blocked, o.eager);
  o = runBoth(k, {a.arg(), d.arg()}, {3});
  EXPECT_EQ(o.eagerError,
            "argument 'b': dtype f64 does not match parameter type f32");
  EXPECT_EQ(o.blockedError, o.eagerError);
  o = runBoth(k, {a.arg(), a.arg()}, {4});
  EXPECT_NE(o.eagerError.find("output: shape [4]"), std::string::npos)
      << o.eagerError;
  EXPECT_EQ(o.blockedError, o.eagerError);
  EXPECT_NE(evalEager(k, {a.arg(), a.arg()}, nullptr, nullptr), "");
  EXPECT_NE(evalBlocked(k, {a.arg(), a.arg()}, nullptr, nullptr), "");
  ArrayView partial = a.view();
  partial.data = a.data.data() + 1, partial.shape[0] = 2;
  ArrayView two = ArrayView::contiguous(a.data.data(), DType::F32, {2});
  EXPECT_NE(evalBlocked(k, {Arg::of(two), Arg::of(two)}, &partial, nullptr)
                .find("overlaps"),
            std::string::npos);
  Kernel r = kernelOf("kernel f(a: f32[]) -> f32 = sum(a)");
  EXPECT_NE(evalEager(r, {a.arg()}, nullptr, nullptr), "");
  EXPECT_NE(evalBlocked(r, {a.arg()}, nullptr, nullptr), "");
}

TEST(TensorRefLayout, UntypedTreeIsAnErrorNotACrash) {
  // A tree built by hand without typeCheck: f32 parameter nodes claim f64.
  Kernel k;
  k.name = "bad";
  k.params = {{"a", DType::F32, true, {}}};
  k.resultType = DType::F64;
  auto p = std::make_shared<Expr>();
  p->kind = ExprKind::Param;
  p->type = DType::F64;
  auto add = std::make_shared<Expr>();
  add->kind = ExprKind::Binary;
  add->children = {p, p};
  k.body = add;
  Buf<float> a({2}, {1, 2});
  Buf<double> out({2});
  ArrayView v = out.view();
  EXPECT_NE(evalEager(k, {a.arg()}, &v, nullptr).find("internal error"),
            std::string::npos);
  EXPECT_NE(evalBlocked(k, {a.arg()}, &v, nullptr).find("internal error"),
            std::string::npos);
  EXPECT_EQ(out.data, (std::vector<double>{0, 0}));
}

} // namespace
} // namespace kiln::tensor::test
