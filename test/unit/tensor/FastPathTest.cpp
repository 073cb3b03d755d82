// FastPathTest: the contiguous fast path of a kernel call — all arrays
// contiguous with the output's shape, checked with plain compares and run on
// the flat loop directly (Run.cpp plainContext, Driver.c
// kt_execute_contiguous). Pins what differs structurally from the general
// path: the driver's chunk order with mock loops, wrong calls of that shape
// still rejected with checkCall's words and nothing written, and results
// equal to the same call taken through the general path (strided views,
// broadcast shapes), bit for bit.
#include "TestEngine.h"
#include "tensor/irgen/KernelAbi.h"

#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

using namespace kiln::tensor;
using test::expectRejected;
using test::message;

namespace {

// ---- The driver's fast entry with mock loops: sum of element indices.

std::vector<std::pair<int64_t, int64_t>> flatCalls;
std::vector<int64_t> combined;
int poolRuns = 0;

void mockFlat(const int64_t *, int64_t begin, int64_t end, void *partial) {
  flatCalls.push_back({begin, end});
  int64_t sum = 0;
  for (int64_t i = begin; i < end; ++i)
    sum += i;
  if (partial)
    std::memcpy(partial, &sum, 8);
}
void mockCombine(void *acc, const void *part) {
  int64_t a, p;
  std::memcpy(&a, acc, 8);
  std::memcpy(&p, part, 8);
  combined.push_back(p);
  a += p;
  std::memcpy(acc, &a, 8);
}
void mockFinish(const int64_t *ctx, const void *acc, void *result) {
  int64_t a;
  std::memcpy(&a, acc, 8);
  a = a * 1000 + ctx[KT_CTX_N]; // finish sees the element count
  std::memcpy(result, &a, 8);
}
void mockPool(void *, int64_t ntasks, kt_task_fn fn, void *arg) {
  ++poolRuns;
  for (int64_t t = 0; t < ntasks; ++t)
    fn(arg, t);
}

/// Runs a one-slot mock (reduction or elementwise) over n elements through
/// kt_execute_contiguous (or kt_execute); returns the scalar result.
int64_t runMock(int64_t n, bool reduce, bool contiguous, unsigned threads,
                int64_t threshold) {
  static const unsigned char sizes[] = {8, 8}, sizesRed[] = {8, 0};
  kt_kernel_fns k{};
  k.flat = mockFlat;
  k.nslots = 2;
  k.elemSize = reduce ? sizesRed : sizes;
  if (reduce)
    k.combine = mockCombine, k.finish = mockFinish, k.nreductions = 1;
  // The fast entry gets only data and scalar words (garbage elsewhere): it
  // must fill the shape and strides itself before handing over to the pool.
  std::vector<int64_t> ctx(KT_CTX_WORDS(2), contiguous ? -7 : 0);
  if (!contiguous) {
    ctx[KT_CTX_SHAPE] = ctx[KT_CTX_SHAPE + 1] = ctx[KT_CTX_SHAPE + 2] = 1;
    ctx[KT_CTX_SHAPE + 3] = n;
    for (int s = 0; s < (reduce ? 1 : 2); ++s)
      ctx[KT_CTX_SLOTS + s * KT_SLOT_WORDS + KT_SLOT_STRIDES + 3] = 1;
  }
  kt_parallel par{mockPool, nullptr, threads, threshold};
  flatCalls.clear(), combined.clear(), poolRuns = 0;
  int64_t result = -1;
  int rc = contiguous ? kt_execute_contiguous(&k, ctx.data(), n, &result, &par)
                      : kt_execute(&k, ctx.data(), &result, &par);
  EXPECT_EQ(rc, 0);
  return result;
}

TEST(TensorFastPath, ElementwiseBelowTheThresholdIsOneFlatCall) {
  runMock(1000, false, true, 4, 1 << 16);
  ASSERT_EQ(flatCalls.size(), 1u);
  EXPECT_EQ(flatCalls[0], std::make_pair(int64_t(0), int64_t(1000)));
  EXPECT_EQ(poolRuns, 0);
  // Above the threshold the pool splits it, as kt_execute does.
  runMock(1000, false, true, 4, 100);
  EXPECT_EQ(poolRuns, 1);
  EXPECT_EQ(flatCalls.size(), 4u);
}

TEST(TensorFastPath, ReductionsKeepTheFixedChunksInOrder) {
  const int64_t n = 3 * KT_REDUCE_CHUNK + 5;
  int64_t fast = runMock(n, true, true, 1, 1 << 30);
  std::vector<std::pair<int64_t, int64_t>> fastCalls = flatCalls;
  std::vector<int64_t> fastCombined = combined;
  int64_t general = runMock(n, true, false, 1, 1 << 30);
  EXPECT_EQ(fast, general);
  EXPECT_EQ(fast, (n * (n - 1) / 2) * 1000 + n);
  EXPECT_EQ(fastCalls, flatCalls);
  EXPECT_EQ(fastCombined, combined);
  ASSERT_EQ(fastCalls.size(), 4u);
  EXPECT_EQ(fastCalls[3], std::make_pair(int64_t(3) * KT_REDUCE_CHUNK, n));
  // Above the threshold the fast entry fills the rest of the block (the
  // mock's is garbage) and hands over to the pool: the same chunks.
  EXPECT_EQ(runMock(n, true, true, 4, 100), general);
  EXPECT_EQ(poolRuns, 1);
  EXPECT_EQ(combined, fastCombined);
  // Empty: one call over [0, 0) gives the identity, as kt_execute.
  EXPECT_EQ(runMock(0, true, true, 1, 1 << 30), 0);
  EXPECT_EQ(flatCalls.size(), 1u);
}

// ---- The JIT end to end.

/// One engine per test binary: compiling is the slow part.
Engine &engine() {
  static std::unique_ptr<Engine> e = test::makeEngine(2, 1 << 12);
  return *e;
}

std::shared_ptr<CompiledKernel> kernel(const std::string &source) {
  return test::compileFirst(engine(), source);
}

ArrayView vec(void *data, DType t, int64_t n, int64_t stride = 1) {
  ArrayView v = ArrayView::contiguous(data, t, {n});
  v.strides[0] = stride;
  return v;
}

/// Values with inexact products and sums (no two alike).
std::vector<float> values(int64_t n, float scale) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    v[size_t(i)] = scale * float((i * 7919) % 1013) / 997.0f - 0.3f;
  return v;
}

TEST(TensorFastPath, ContiguousEqualsStridedAndBroadcastCalls) {
  auto k = kernel("kernel fp_axpy(a: f32[], b: f32[], s: f32) -> f32[] ="
                  " relu(s * a * b + a)");
  ASSERT_TRUE(k);
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(1000), int64_t(5000)}) {
    std::vector<float> a = values(n, 1.7f), b = values(n, -0.9f);
    std::vector<float> out(static_cast<size_t>(n));
    Arg s = Arg::of(Scalar::f32(1.25f));
    ArrayView o = vec(out.data(), DType::F32, n);
    ASSERT_EQ(message(k->run({Arg::of(vec(a.data(), DType::F32, n)),
                              Arg::of(vec(b.data(), DType::F32, n)), s},
                             &o, nullptr)),
              "");
    // The same elements at every other position: the general path.
    std::vector<float> a2(size_t(2 * n + 1)), b2(a2.size()), out2(a2.size());
    for (int64_t i = 0; i < n; ++i)
      a2[size_t(2 * i)] = a[size_t(i)], b2[size_t(2 * i)] = b[size_t(i)];
    ArrayView o2 = vec(out2.data(), DType::F32, n, 2);
    ASSERT_EQ(message(k->run({Arg::of(vec(a2.data(), DType::F32, n, 2)),
                              Arg::of(vec(b2.data(), DType::F32, n, 2)), s},
                             &o2, nullptr)),
              "");
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(out[size_t(i)], out2[size_t(2 * i)]) << n << " " << i;
  }
}

TEST(TensorFastPath, ReductionsMatchTheGeneralPathBitForBit) {
  auto k = kernel("kernel fp_dot(a: f32[], b: f32[]) -> f32 = sum(a * b)"
                  " + f32(mean(a))");
  ASSERT_TRUE(k);
  const int64_t n = 3 * KT_REDUCE_CHUNK + 123;
  std::vector<float> a = values(n, 1.1f), b = values(n, 0.7f);
  for (unsigned threads : {1u, 2u}) {
    Scalar fast, general;
    ASSERT_EQ(message(k->run({Arg::of(vec(a.data(), DType::F32, n)),
                              Arg::of(vec(b.data(), DType::F32, n))},
                             nullptr, &fast, threads)),
              "");
    // a as shape [1, n] next to b as [n]: broadcast, so the general path
    // (which coalesces to the same flat loop and chunks).
    ArrayView a2 = ArrayView::contiguous(a.data(), DType::F32, {1, n});
    ASSERT_EQ(
        message(k->run({Arg::of(a2), Arg::of(vec(b.data(), DType::F32, n))},
                       nullptr, &general, threads)),
        "");
    EXPECT_EQ(fast.dtype, DType::F32);
    EXPECT_EQ(std::memcmp(&fast.f, &general.f, sizeof fast.f), 0)
        << fast.f << " vs " << general.f << " on " << threads << " threads";
  }
}

TEST(TensorFastPath, WrongCallsOfTheFastShapeAreRejectedUntouched) {
  auto k = kernel("kernel fp_mul(a: f32[], b: f32[], s: f32) -> f32[] ="
                  " a * b * s");
  ASSERT_TRUE(k);
  const int64_t n = 64;
  std::vector<float> a = values(n, 1), b = values(n, 2), out(n + 1, -7.0f);
  std::vector<double> d(n, 1.0);
  ArrayView va = vec(a.data(), DType::F32, n);
  ArrayView vb = vec(b.data(), DType::F32, n);
  ArrayView o = vec(out.data(), DType::F32, n);
  Arg s = Arg::of(Scalar::f32(2));
  expectRejected(*k, {Arg::of(va), Arg::of(vb)}, &o, out, "takes 3 arguments");
  expectRejected(*k, {Arg::of(va), Arg::of(vb), Arg::of(Scalar::f64(2))}, &o,
                 out, "argument 's': dtype f64 does not match");
  expectRejected(*k, {Arg::of(va), Arg::of(vec(d.data(), DType::F64, n)), s},
                 &o, out, "argument 'b': dtype f64");
  expectRejected(*k, {Arg::of(va), Arg::of(vec(nullptr, DType::F32, n)), s}, &o,
                 out, "argument 'b': data pointer is null");
  ArrayView shifted = vec(out.data() + 1, DType::F32, n);
  expectRejected(*k, {Arg::of(shifted), Arg::of(vb), s}, &o, out,
                 "output overlaps argument 'a'");
  ArrayView asInts = vec(out.data(), DType::I32, n);
  expectRejected(*k, {Arg::of(va), Arg::of(vb), s}, &asInts, out,
                 "output: dtype i32");
  ArrayView longer = vec(out.data(), DType::F32, n + 1);
  expectRejected(*k, {Arg::of(va), Arg::of(vb), s}, &longer, out,
                 "output: shape [65] does not match the broadcast shape [64]");
  expectRejected(*k, {Arg::of(va), Arg::of(vb), s}, nullptr, out,
                 "pass an output array");
  // In place (the output is the identical view of an input) is allowed.
  std::vector<float> want(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    want[size_t(i)] = a[size_t(i)] * b[size_t(i)] * 2.0f;
  ArrayView inPlace = va;
  ASSERT_EQ(message(k->run({Arg::of(va), Arg::of(vb), s}, &inPlace, nullptr)),
            "");
  EXPECT_EQ(a, want);
}

// Rank-1 calls take plainContext's rank-1 compares, rank-2 ones its
// general loop over the dimensions, strided views the general path: every
// scalar dtype reaches the loop with the same bits on all three (the fast
// path writes only the data and scalar words), and the overlap checks
// reject what checkCall rejects.
TEST(TensorFastPath, RankOneRankTwoAndStridedCallsAgree) {
  auto k = kernel("kernel fp_mix(a: f32[], i: i32[], x: f64, k: i64, j: i32,"
                  " on: bool, s: f32) -> f32[] ="
                  " where(on, a * s + f32(i) + f32(x) + f32(k) + f32(j), -a)");
  ASSERT_TRUE(k);
  const int64_t n = 38;
  std::vector<float> a = values(n, 1.3f);
  std::vector<int32_t> ints(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    ints[size_t(i)] = int32_t(i * 37 % 11) - 5;
  auto scalars = [](bool on) {
    return std::vector<Arg>{
        Arg::of(Scalar::f64(0.1)), Arg::of(Scalar::i64(-2097153)),
        Arg::of(Scalar::i32(-3)), Arg::of(Scalar::boolean(on)),
        Arg::of(Scalar::f32(0.7f))};
  };
  for (bool on : {true, false}) {
    std::vector<float> flat(static_cast<size_t>(n)), square(flat.size()),
        strided(2 * flat.size());
    auto call = [&](const ArrayView &va, const ArrayView &vi, ArrayView o) {
      std::vector<Arg> args = {Arg::of(va), Arg::of(vi)};
      for (const Arg &s : scalars(on))
        args.push_back(s);
      return message(k->run(args, &o, nullptr));
    };
    ASSERT_EQ(call(vec(a.data(), DType::F32, n),
                   vec(ints.data(), DType::I32, n),
                   vec(flat.data(), DType::F32, n)),
              "");
    auto rank2 = [&](void *p, DType t) {
      return ArrayView::contiguous(p, t, {2, n / 2});
    };
    ASSERT_EQ(call(rank2(a.data(), DType::F32), rank2(ints.data(), DType::I32),
                   rank2(square.data(), DType::F32)),
              "");
    std::vector<float> a2(2 * n);
    std::vector<int32_t> i2(2 * n);
    for (int64_t i = 0; i < n; ++i)
      a2[size_t(2 * i)] = a[size_t(i)], i2[size_t(2 * i)] = ints[size_t(i)];
    ASSERT_EQ(call(vec(a2.data(), DType::F32, n, 2),
                   vec(i2.data(), DType::I32, n, 2),
                   vec(strided.data(), DType::F32, n, 2)),
              "");
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(flat[size_t(i)], square[size_t(i)]) << i;
      ASSERT_EQ(flat[size_t(i)], strided[size_t(2 * i)]) << i;
      if (!on)
        ASSERT_EQ(flat[size_t(i)], -a[size_t(i)]) << i;
    }
  }
  // A length-1 view may have any stride; an output over the i32 input's
  // memory (same address, other dtype) is not the identical view; an
  // output ending inside an input overlaps it.
  std::vector<float> out(size_t(n) + 1, -7.0f);
  std::vector<Arg> one = {Arg::of(vec(a.data(), DType::F32, 1, 9)),
                          Arg::of(vec(ints.data(), DType::I32, 1, -4))};
  for (const Arg &s : scalars(true))
    one.push_back(s);
  ArrayView o1 = vec(out.data(), DType::F32, 1, 5);
  ASSERT_EQ(message(k->run(one, &o1, nullptr)), "");
  std::vector<Arg> args = {Arg::of(vec(a.data(), DType::F32, n)),
                           Arg::of(vec(out.data(), DType::I32, n))};
  for (const Arg &s : scalars(true))
    args.push_back(s);
  ArrayView o = vec(out.data(), DType::F32, n);
  expectRejected(*k, args, &o, out, "output overlaps argument 'i'");
  args[1] = Arg::of(vec(ints.data(), DType::I32, n));
  args[0] = Arg::of(vec(out.data() + 1, DType::F32, n));
  ArrayView before = vec(out.data(), DType::F32, n);
  expectRejected(*k, args, &before, out, "output overlaps argument 'a'");
}

TEST(TensorFastPath, ScalarOnlyAndScalarResultCalls) {
  auto fill = kernel("kernel fp_fill(x: f32) -> f32[] = x * 2");
  auto sum = kernel("kernel fp_sum(a: i32[]) -> i32 = sum(a)");
  ASSERT_TRUE(fill && sum);
  // No array argument: the broadcast shape is [], so only a rank-0 output.
  std::vector<float> out(3, -7.0f);
  ArrayView o = vec(out.data(), DType::F32, 3);
  expectRejected(*fill, {Arg::of(Scalar::f32(1.5f))}, &o, out,
                 "output: shape [3] does not match the broadcast shape []");
  ArrayView scalarOut = ArrayView::contiguous(out.data(), DType::F32, {});
  ASSERT_EQ(
      message(fill->run({Arg::of(Scalar::f32(1.5f))}, &scalarOut, nullptr)),
      "");
  EXPECT_EQ(out, (std::vector<float>{3.0f, -7.0f, -7.0f}));
  // A scalar result needs a result; the pointer entry sums as the vector.
  std::vector<int32_t> ints = {1, 2, 3, 4, 5};
  Arg a = Arg::of(vec(ints.data(), DType::I32, 5));
  EXPECT_NE(message(sum->run({a}, nullptr, nullptr)).find("pass a result"),
            std::string::npos);
  Scalar r;
  ASSERT_EQ(message(sum->run(&a, 1, nullptr, &r)), "");
  EXPECT_EQ(r.dtype, DType::I32);
  EXPECT_EQ(r.i, 15);
}

// Issue 15: element counts that overflow (or exceed 2^60) are refused on
// every path, never run as a wrapped count.
TEST(TensorFastPath, HugeShapesAreRefusedNotWrapped) {
  auto add = kernel("kernel fp_huge(a: f32[], b: f32[]) -> f32[] = a + b");
  auto sum = kernel("kernel fp_huge_sum(a: f32[]) -> f32 = sum(a)");
  ASSERT_TRUE(add && sum);
  std::vector<float> out(4, -7.0f);
  const int64_t big = int64_t(1) << 61; // rank 1: the rank-one check
  ArrayView a = vec(out.data(), DType::F32, big);
  expectRejected(*add, {Arg::of(a), Arg::of(a)}, &a, out,
                 "argument 'a': shape [2305843009213693952] has too many "
                 "elements (the limit is 2^60)");
  // 2^32 x 2^32 wraps to 0 in 64 bits: the plain check's product.
  ArrayView square =
      ArrayView::contiguous(out.data(), DType::F32, {4294967296, 4294967296});
  Scalar r;
  EXPECT_EQ(message(sum->run({Arg::of(square)}, nullptr, &r)),
            "argument 'a': shape [4294967296, 4294967296] has too many "
            "elements (the limit is 2^60)");
}

} // namespace
