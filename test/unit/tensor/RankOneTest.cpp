// RankOneTest: the rank-1 check every JIT call tries first (Run.cpp
// rankOneContext, planned by makeRankOnePlan).
//
// Pins that the unrolled checks and the loop agree word for word on the
// context they fill and on what they accept, and end to end that rank-1
// calls of every parameter count give the bits of the same call through
// plainContext (rank 2) and the general path (strided), while wrong calls
// still get checkCall's words and leave the output untouched.
#include "tensor/engine/RankOne.h"
#include "TestEngine.h"
#include "tensor/irgen/KernelAbi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

using namespace kiln::tensor;
using test::expectRejected;
using test::message;

namespace {

// ---- The checks alone.

/// (a: f32[], s: f32, b: f64[], k: i32, on: bool) -> f32[]: arrays and
/// scalars interleaved, every scalar conversion but f64/i64.
Kernel mixedKernel() {
  Kernel k;
  k.name = "mixed";
  auto param = [](const char *name, DType t, bool isArray) {
    Param p;
    p.name = name, p.type = t, p.isArray = isArray;
    return p;
  };
  k.params = {param("a", DType::F32, true), param("s", DType::F32, false),
              param("b", DType::F64, true), param("k", DType::I32, false),
              param("on", DType::Bool, false)};
  k.resultType = DType::F32;
  k.resultIsArray = true;
  return k;
}

struct Call {
  std::vector<float> a = std::vector<float>(7, 1.0f), out = a;
  std::vector<double> b = std::vector<double>(7, 2.0);
  std::vector<Arg> args;
  ArrayView out_;
  Call() {
    out_ = ArrayView::contiguous(out.data(), DType::F32, {7});
    args = {Arg::of(ArrayView::contiguous(a.data(), DType::F32, {7})),
            Arg::of(Scalar::f32(-1.5f)),
            Arg::of(ArrayView::contiguous(b.data(), DType::F64, {7})),
            Arg::of(Scalar::i32(-3)), Arg::of(Scalar::boolean(true))};
  }
};

/// `check` on `call`: its answer, and the context's first 6 slots (the
/// words not written stay -7).
int64_t runCheck(RankOneFn check, const RankOnePlan &plan, Call &call,
                 const ArrayView *out, std::vector<int64_t> &words) {
  std::vector<int64_t> ctx(KT_CTX_WORDS(64), -7);
  int64_t n =
      check(plan, call.args.data(), call.args.size(), out, nullptr, ctx.data());
  words.assign(ctx.begin(), ctx.begin() + KT_CTX_WORDS(6));
  return n;
}

TEST(TensorRankOne, UnrolledAndLoopChecksAgree) {
  RankOnePlan plan = makeRankOnePlan(mixedKernel());
  ASSERT_EQ(plan.check, rankOneCheck(2, 3, true));
  RankOneFn loop = rankOneCheck(5, 0, true); // more than 4 arrays: the loop
  ASSERT_NE(loop, plan.check);
  std::vector<int64_t> seen;
  auto both = [&](Call &c, const ArrayView *out) {
    std::vector<int64_t> w2;
    int64_t n1 = runCheck(plan.check, plan, c, out, seen);
    int64_t n2 = runCheck(loop, plan, c, out, w2);
    EXPECT_EQ(n1, n2);
    EXPECT_EQ(seen, w2);
    return n1;
  };
  Call ok;
  ASSERT_EQ(both(ok, &ok.out_), 7);
  // The words plainContext fills: data pointers, scalar bits (f32 in the
  // low half, i32 zero-extended, bool 0/1), the output's data.
  auto word = [&](int slot, int field) {
    return seen[KT_CTX_SLOTS + slot * KT_SLOT_WORDS + field];
  };
  float s = -1.5f;
  uint32_t sBits;
  std::memcpy(&sBits, &s, 4);
  EXPECT_EQ(word(0, KT_SLOT_DATA), reinterpret_cast<int64_t>(ok.a.data()));
  EXPECT_EQ(word(1, KT_SLOT_SCALAR), int64_t(sBits));
  EXPECT_EQ(word(2, KT_SLOT_DATA), reinterpret_cast<int64_t>(ok.b.data()));
  EXPECT_EQ(word(3, KT_SLOT_SCALAR), int64_t(uint32_t(-3)));
  EXPECT_EQ(word(4, KT_SLOT_SCALAR), 1);
  EXPECT_EQ(word(5, KT_SLOT_DATA), reinterpret_cast<int64_t>(ok.out.data()));
  EXPECT_EQ(word(0, KT_SLOT_STRIDES), -7); // the flat loop reads no strides
  // Length 1 with any stride, and empty with no data, are rank-1 calls.
  Call one;
  for (Arg &a : one.args)
    if (a.isArray)
      a.array.shape[0] = 1, a.array.strides[0] = 9;
  one.out_.shape[0] = 1, one.out_.strides[0] = -4;
  EXPECT_EQ(both(one, &one.out_), 1);
  Call empty;
  for (Arg &a : empty.args)
    if (a.isArray)
      a.array.shape[0] = 0, a.array.data = nullptr;
  empty.out_.shape[0] = 0, empty.out_.data = nullptr;
  EXPECT_EQ(both(empty, &empty.out_), 0);
  // A kernel without arrays never takes it (its broadcast shape is []).
  Kernel scalarsOnly = mixedKernel();
  scalarsOnly.params = {scalarsOnly.params[1]};
  RankOnePlan none = makeRankOnePlan(scalarsOnly);
  Call c;
  c.args = {c.args[1]};
  EXPECT_EQ(runCheck(none.check, none, c, &c.out_, seen), -1);
}

TEST(TensorRankOne, EveryOtherCallIsLeftToPlainContext) {
  RankOnePlan plan = makeRankOnePlan(mixedKernel());
  RankOneFn loop = rankOneCheck(5, 0, true);
  using Change = void (*)(Call &);
  const std::vector<std::pair<const char *, Change>> changes = {
      {"count", [](Call &c) { c.args.pop_back(); }},
      {"out dtype", [](Call &c) { c.out_.dtype = DType::I32; }},
      {"out rank 2",
       [](Call &c) {
         c.out_ = ArrayView::contiguous(c.out.data(), DType::F32, {1, 7});
       }},
      {"out strided", [](Call &c) { c.out_.strides[0] = 2; }},
      {"out negative", [](Call &c) { c.out_.shape[0] = -1; }},
      {"dtype", [](Call &c) { c.args[2].array.dtype = DType::F32; }},
      {"length", [](Call &c) { c.args[2].array.shape[0] = 6; }},
      {"stride", [](Call &c) { c.args[0].array.strides[0] = 0; }},
      {"rank",
       [](Call &c) {
         c.args[0].array =
             ArrayView::contiguous(c.a.data(), DType::F32, {7, 1});
       }},
      {"null data", [](Call &c) { c.args[2].array.data = nullptr; }},
      {"overlap", [](Call &c) { c.args[0].array.data = c.out.data() + 1; }},
      {"same address, other dtype",
       [](Call &c) { c.args[2].array.data = c.out.data(); }},
      {"scalar dtype", [](Call &c) { c.args[3].scalar.dtype = DType::I64; }},
      {"scalar for array",
       [](Call &c) { c.args[0] = Arg::of(Scalar::f32(1)); }},
      {"array for scalar", [](Call &c) { c.args[4] = c.args[0]; }},
  };
  std::vector<int64_t> w;
  for (const auto &[name, change] : changes) {
    Call c;
    change(c);
    EXPECT_EQ(runCheck(plan.check, plan, c, &c.out_, w), -1) << name;
    EXPECT_EQ(runCheck(loop, plan, c, &c.out_, w), -1) << name;
  }
  Call noOut;
  EXPECT_EQ(runCheck(plan.check, plan, noOut, nullptr, w), -1);
  // In place (the identical view) is allowed, as plainContext allows it.
  Call inPlace;
  inPlace.args[0].array = inPlace.out_;
  EXPECT_EQ(runCheck(plan.check, plan, inPlace, &inPlace.out_, w), 7);
}

// ---- End to end on the JIT.

Engine &engine() {
  static std::unique_ptr<Engine> e = test::makeEngine(2, 1 << 12);
  return *e;
}

/// A kernel of `arrays` f32 arrays and `scalars` scalars (f32, i32, bool,
/// f64, cycling); elementwise, or a sum when `reduce`.
std::string kernelText(unsigned arrays, unsigned scalars, bool reduce) {
  static const char *types[] = {"f32", "i32", "bool", "f64"};
  std::string params, body = "a0";
  for (unsigned i = 0; i < arrays; ++i)
    params += (i ? ", a" : "a") + std::to_string(i) + ": f32[]";
  for (unsigned i = 1; i < arrays; ++i)
    body = "(" + body + " * 0.75 + a" + std::to_string(i) + ")";
  for (unsigned i = 0; i < scalars; ++i) {
    std::string s = "s" + std::to_string(i), t = types[i % 4];
    params += ", " + s + ": " + t;
    body = t == "bool" ? "where(" + s + ", " + body + ", -" + body + ")"
                       : "(" + body + " + f32(" + s + "))";
  }
  std::string name = "r1_" + std::to_string(arrays) + "_" +
                     std::to_string(scalars) + (reduce ? "_sum" : "");
  return "kernel " + name + "(" + params + ") -> " +
         (reduce ? "f32 = sum(" + body + ")" : "f32[] = " + body);
}

std::vector<Arg> scalarArgs(unsigned scalars) {
  std::vector<Arg> out;
  for (unsigned i = 0; i < scalars; ++i)
    out.push_back(i % 4 == 0   ? Arg::of(Scalar::f32(0.3f * float(i + 1)))
                  : i % 4 == 1 ? Arg::of(Scalar::i32(-7 * int(i)))
                  : i % 4 == 2 ? Arg::of(Scalar::boolean(i != 6))
                               : Arg::of(Scalar::f64(1.0 / 3)));
  return out;
}

/// One call with every array viewed by `view` (data, length): the output's
/// elements at `pick` positions, or the scalar result.
struct Shape {
  std::function<ArrayView(float *, int64_t)> view;
  int64_t stride;
};

TEST(TensorRankOne, EveryCountGivesTheBitsOfTheOtherPaths) {
  const int64_t n = 38;
  const Shape shapes[] = {
      {[](float *p, int64_t m) {
         return ArrayView::contiguous(p, DType::F32, {m});
       },
       1},
      {[](float *p, int64_t m) {
         return ArrayView::contiguous(p, DType::F32, {2, m / 2});
       },
       1},
      {[](float *p, int64_t m) {
         ArrayView v = ArrayView::contiguous(p, DType::F32, {m});
         v.strides[0] = 2;
         return v;
       },
       2}};
  const std::pair<unsigned, unsigned> counts[] = {
      {1, 0}, {1, 3}, {2, 1}, {3, 2}, {4, 3}, {5, 0}, {2, 4}};
  for (bool reduce : {false, true})
    for (auto [arrays, scalars] : counts) {
      std::string text = kernelText(arrays, scalars, reduce);
      auto k = test::compileFirst(engine(), text);
      ASSERT_TRUE(k) << text;
      std::vector<std::vector<float>> results;
      for (const Shape &sh : shapes) {
        std::vector<std::vector<float>> data(arrays + 1,
                                             std::vector<float>(2 * n, 0.0f));
        std::vector<Arg> args;
        for (unsigned i = 0; i < arrays; ++i) {
          for (int64_t e = 0; e < n; ++e)
            data[i][size_t(e * sh.stride)] =
                float((e * 7919 + i * 31) % 1013) / 97.0f - 5.0f;
          args.push_back(Arg::of(sh.view(data[i].data(), n)));
        }
        for (const Arg &a : scalarArgs(scalars))
          args.push_back(a);
        ArrayView out = sh.view(data[arrays].data(), n);
        Scalar r;
        ASSERT_EQ(message(k->run(args, reduce ? nullptr : &out, &r)), "")
            << text;
        std::vector<float> got;
        if (reduce)
          got.push_back(float(r.f));
        else
          for (int64_t e = 0; e < n; ++e)
            got.push_back(data[arrays][size_t(e * sh.stride)]);
        results.push_back(got);
      }
      EXPECT_EQ(0, std::memcmp(results[0].data(), results[1].data(),
                               results[0].size() * 4))
          << text << " rank 2";
      // A strided reduction sums in another order (the strided loop).
      if (!reduce)
        EXPECT_EQ(0, std::memcmp(results[0].data(), results[2].data(),
                                 results[0].size() * 4))
            << text << " strided";
      else
        EXPECT_NEAR(results[0][0], results[2][0],
                    1e-5 * (1 + std::abs(results[0][0])))
            << text;
    }
}

TEST(TensorRankOne, WrongCallsKeepTheirWordsOnBothChecks) {
  for (unsigned arrays : {2u, 5u}) { // unrolled, and the loop
    auto k = test::compileFirst(engine(), kernelText(arrays, 3, false));
    ASSERT_TRUE(k);
    const int64_t n = 16;
    std::vector<std::vector<float>> data(arrays, std::vector<float>(n, 1.0f));
    std::vector<float> out(n, -7.0f);
    std::vector<double> d(n, 1.0);
    ArrayView o = ArrayView::contiguous(out.data(), DType::F32, {n});
    std::vector<Arg> good;
    for (auto &v : data)
      good.push_back(Arg::of(ArrayView::contiguous(v.data(), DType::F32, {n})));
    for (const Arg &a : scalarArgs(3))
      good.push_back(a);
    auto with = [&](size_t i, Arg a) {
      std::vector<Arg> args = good;
      args[i] = a;
      return args;
    };
    auto arr = [&](void *p, DType t, int64_t m) {
      return Arg::of(ArrayView::contiguous(p, t, {m}));
    };
    std::vector<Arg> shorter(good.begin(), good.end() - 1);
    expectRejected(*k, shorter, &o, out, "arguments");
    expectRejected(*k, with(1, arr(d.data(), DType::F64, n)), &o, out,
                   "argument 'a1': dtype f64");
    expectRejected(*k, with(1, arr(data[1].data(), DType::F32, n - 1)), &o, out,
                   "argument 'a1': shape [15]");
    expectRejected(*k, with(0, arr(nullptr, DType::F32, n)), &o, out,
                   "argument 'a0': data pointer is null");
    expectRejected(*k, with(1, arr(out.data() + 3, DType::F32, n)), &o, out,
                   "output overlaps argument 'a1'");
    expectRejected(*k, with(0, Arg::of(Scalar::f32(1))), &o, out,
                   "argument 'a0'");
    expectRejected(*k, with(arrays, good[0]), &o, out, "argument 's0'");
    expectRejected(*k, with(arrays + 1, Arg::of(Scalar::i64(1))), &o, out,
                   "argument 's1': dtype i64");
    ArrayView asInts = ArrayView::contiguous(out.data(), DType::I32, {n});
    expectRejected(*k, good, &asInts, out, "output: dtype i32");
    expectRejected(*k, good, nullptr, out, "pass an output array");
    ASSERT_EQ(message(k->run(good, &o, nullptr)), "");
    EXPECT_NE(out[0], -7.0f);
  }
}

} // namespace
