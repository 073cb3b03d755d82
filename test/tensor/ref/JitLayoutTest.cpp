// JitLayoutTest: the JIT against both references over shapes and layouts —
// broadcasting at ranks 0-4, strided input and output views (transposed,
// reversed, step 2, stride 0), sizes around the JIT's thread split and
// reduction chunks, and every reduction at boundary sizes.
//
// Elementwise results must match bit for bit. Float sums/means agree within
// rel * sqrt(n) * sum(|x|) (rel = 1e-5 for f32, 1e-12 for f64) and float
// products within rel * sqrt(n) * |result|; integer and min/max reductions
// exactly; the JIT's 1- and 2-thread results must be bit-identical.
#include "CrossCheck.h"

#include <cmath>

namespace kiln::tensor::test {
namespace {

/// Deterministic pseudo-random values in [lo, hi).
struct Lcg {
  uint64_t s;
  double next(double lo, double hi) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * double(s >> 11) / 9007199254740992.0;
  }
};

template <class T>
Buf<T> random(std::vector<int64_t> shape, uint64_t seed, double lo, double hi) {
  Buf<T> b(std::move(shape));
  Lcg g{seed};
  for (auto &x : b.data)
    x = T(std::is_integral_v<T> ? std::floor(g.next(lo, hi)) : g.next(lo, hi));
  return b;
}

const char *kFmaRelu = "kernel fma_relu(a: f32[], b: f32[], c: f32[], alpha: "
                       "f32) -> f32[] = relu(alpha * a * b + c)";
const char *kMixed =
    "kernel mixed(a: i64[], b: i64[], c: i64[]) -> f64[] = "
    "where(a > b, f64(a - c) * 0.5, sqrt(abs(f64(b))) + f64(c % 3))";

TEST(TensorJitLayout, BroadcastRanks0To4) {
  const std::vector<std::vector<int64_t>> shapes[] = {
      {{}, {}, {}},
      {{5}, {}, {1}},
      {{3, 1}, {1, 4}, {4}},
      {{2, 3, 4}, {4}, {3, 1}},
      {{2, 1, 4, 1}, {1, 3, 1, 5}, {5}},
      {{1}, {2, 2, 2, 2}, {2, 1, 1}},
      {{7, 1, 9}, {1, 1, 1}, {}},
      {{0, 3}, {3}, {1, 1}},
      {{4, 1, 1, 33}, {1, 5, 6, 1}, {33}}};
  uint64_t seed = 1;
  for (const auto &s : shapes) {
    auto out = *broadcastShapes(s);
    SCOPED_TRACE(::testing::Message() << "output rank " << out.size());
    auto a = random<float>(s[0], seed++, -2, 2),
         b = random<float>(s[1], seed++, -2, 2),
         c = random<float>(s[2], seed++, -2, 2);
    crossCheck(kFmaRelu,
               {a.arg(), b.arg(), c.arg(), Arg::of(Scalar::f32(1.5f))}, out);
    auto x = random<int64_t>(s[0], seed++, -50, 50),
         y = random<int64_t>(s[1], seed++, -50, 50),
         z = random<int64_t>(s[2], seed++, -50, 50);
    crossCheck(kMixed, {x.arg(), y.arg(), z.arg()}, out);
  }
}

/// An R x C view with the given memory layout over its own storage:
/// contiguous, transposed, reversed (negative strides), every 2nd element
/// of a 2R x 2C buffer, or one row repeated (stride 0).
struct LayoutView {
  Buf<float> base;
  ArrayView view;
  LayoutView(const std::string &kind, int64_t r, int64_t c, uint64_t seed)
      : base(random<float>({2 * r, 2 * c}, seed, -2, 2)) {
    view = ArrayView::contiguous(base.data.data(), DType::F32, {r, c});
    if (kind == "transposed")
      view.strides[0] = 1, view.strides[1] = r;
    if (kind == "reversed")
      view.data = base.data.data() + r * c - 1, view.strides[0] = -c,
      view.strides[1] = -1;
    if (kind == "step2")
      view.strides[0] = 4 * c, view.strides[1] = 2;
    if (kind == "stride0")
      view.strides[0] = 0;
  }
};

TEST(TensorJitLayout, StridedInputs) {
  const char *kinds[] = {"contiguous", "transposed", "reversed", "step2",
                         "stride0"};
  uint64_t seed = 50;
  for (const char *ka : kinds)
    for (const char *kb : kinds) {
      SCOPED_TRACE(std::string(ka) + " x " + kb);
      LayoutView a(ka, 6, 10, seed++), b(kb, 6, 10, seed++),
          c(kb, 1, 10, seed++);
      crossCheck(kFmaRelu,
                 {Arg::of(a.view), Arg::of(b.view), Arg::of(c.view),
                  Arg::of(Scalar::f32(-0.75f))},
                 {6, 10});
      // Broadcast against a [2, 1, 1] array: a third, outer dimension.
      auto d = random<float>({2, 1, 1}, seed++, -1, 1);
      crossCheck(
          kFmaRelu,
          {Arg::of(a.view), d.arg(), Arg::of(b.view), Arg::of(Scalar::f32(2))},
          {2, 6, 10});
      crossCheck(
          "kernel s(a: f32[], b: f32[]) -> f32 = sum(a * b) + max(a - b)",
          {Arg::of(a.view), Arg::of(b.view)}, {}, {1e-5 * 8, 60 * 4});
    }
}

TEST(TensorJitLayout, StridedOutputs) {
  auto a = random<double>({5, 4}, 21, -3, 3);
  const char *src = "kernel f(a: f64[], s: f64) -> f64[] = a * s - 1 + abs(a)";
  std::vector<Arg> args = {a.arg(), Arg::of(Scalar::f64(2.5))};
  // Every 2nd element of a 5 x 8 buffer; transposed; reversed.
  crossCheckStridedOut(src, args, 40 * 8, [](void *p) {
    ArrayView v = ArrayView::contiguous(p, DType::F64, {5, 4});
    v.strides[0] = 8, v.strides[1] = 2;
    return v;
  });
  crossCheckStridedOut(src, args, 20 * 8, [](void *p) {
    ArrayView v = ArrayView::contiguous(p, DType::F64, {5, 4});
    v.strides[0] = 1, v.strides[1] = 5;
    return v;
  });
  crossCheckStridedOut(src, args, 20 * 8, [](void *p) {
    ArrayView v = ArrayView::contiguous(static_cast<double *>(p) + 19,
                                        DType::F64, {5, 4});
    v.strides[0] = -4, v.strides[1] = -1;
    return v;
  });
}

TEST(TensorJitLayout, SizesAroundThreadSplitAndChunks) {
  const int64_t t = Engines::get().threshold;
  for (int64_t n :
       {int64_t(1), int64_t(7), int64_t(8), int64_t(9), int64_t(1023),
        int64_t(1025), t - 1, t, t + 1, int64_t(16383), int64_t(16384),
        int64_t(16385), int64_t(3 * 16384 + 5), int64_t(100003)}) {
    SCOPED_TRACE(n);
    auto a = random<float>({n}, 31, -2, 2), b = random<float>({n}, 32, -2, 2),
         c = random<float>({n}, 33, -2, 2);
    crossCheck(kFmaRelu,
               {a.arg(), b.arg(), c.arg(), Arg::of(Scalar::f32(0.5f))}, {n});
    auto x = random<int64_t>({n}, 34, -1000, 1000),
         y = random<int64_t>({1}, 35, -5, 5),
         z = random<int64_t>({n}, 36, -1000, 1000);
    crossCheck(kMixed, {x.arg(), y.arg(), z.arg()}, {n});
  }
}

/// sum(|x|) of a buffer, the scale of a float sum's tolerance.
template <class T> double absSum(const Buf<T> &b) {
  double s = 0;
  for (T x : b.data)
    s += std::fabs(double(x));
  return s;
}

template <class T> void reductionsAt(int64_t n, const std::string &T_) {
  const double rel = (std::is_same_v<T, float> ? 1e-5 : 1e-12) *
                     std::max(1.0, std::sqrt(double(n)));
  const bool isF = std::is_floating_point_v<T>;
  auto a = random<T>({n}, uint64_t(n) * 7 + 1, -100, 100);
  const Tolerance sumTol = isF ? Tolerance{rel, absSum(a) + 1} : Tolerance{};
  for (const char *op : {"sum", "min", "max", "mean"}) {
    SCOPED_TRACE(op);
    const std::string r = std::string(op) == "mean" && !isF ? "f64" : T_;
    Tolerance tol = std::string(op) == "min" || std::string(op) == "max"
                        ? Tolerance{}
                        : sumTol;
    if (std::string(op) == "mean" && isF)
      tol.scale = tol.scale / double(std::max<int64_t>(n, 1)) + 1;
    if (std::string(op) == "mean" && !isF)
      tol = {1e-12, 0};
    crossCheck("kernel r(a: " + T_ + "[]) -> " + r + " = " + op + "(a)",
               {a.arg()}, {}, tol);
  }
  // Products: factors near 1 (floats) or in {-1, 1, 2} (integers, wrapping).
  auto p = isF ? random<T>({n}, uint64_t(n) + 3, 0.999, 1.001)
               : random<T>({n}, uint64_t(n) + 3, -1, 3);
  for (auto &x : p.data)
    if (!isF && x == 0)
      x = 1;
  crossCheck("kernel r(a: " + T_ + "[]) -> " + T_ + " = prod(a)", {p.arg()}, {},
             isF ? Tolerance{rel, 0} : Tolerance{});
}

TEST(TensorJitLayout, ReductionsAtBoundarySizes) {
  const int64_t t = Engines::get().threshold;
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(8), int64_t(9),
                    int64_t(1023), int64_t(1024), int64_t(1025), t - 1, t,
                    t + 1, int64_t(16383), int64_t(16384), int64_t(16385),
                    int64_t(2 * 16384 + 1), int64_t(100003)}) {
    SCOPED_TRACE(::testing::Message() << "n = " << n);
    reductionsAt<float>(n, "f32");
    reductionsAt<double>(n, "f64");
    reductionsAt<int32_t>(n, "i32");
    reductionsAt<int64_t>(n, "i64");
    auto flags = random<uint8_t>({n}, uint64_t(n) + 5, 0, 2);
    crossCheck("kernel r(a: bool[]) -> bool = min(a) || !max(a)", {flags.arg()},
               {});
  }
}

TEST(TensorJitLayout, IntegerSumsWrap) {
  Buf<int32_t> a({70000});
  for (auto &x : a.data)
    x = 2147483000;
  crossCheck("kernel r(a: i32[]) -> i32 = sum(a) + prod(a)", {a.arg()}, {});
  Buf<int64_t> b({20000});
  for (size_t k = 0; k < b.data.size(); ++k)
    b.data[k] = int64_t(uint64_t(k) * 922337203685477ull);
  crossCheck("kernel r(a: i64[]) -> i64 = sum(a * a)", {b.arg()}, {});
}

TEST(TensorJitLayout, ReductionsOverBroadcastExpressions) {
  auto a = random<double>({300, 1}, 41, -1, 1),
       b = random<double>({1, 257}, 42, -1, 1);
  crossCheck("kernel d(a: f64[], b: f64[]) -> f64 = sum(a * b) * mean(a - b) + "
             "min(a) * max(b)",
             {a.arg(), b.arg()}, {}, {1e-12 * 280, 300.0 * 257 * 4});
}

} // namespace
} // namespace kiln::tensor::test
