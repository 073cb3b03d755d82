// ReduceLoopTest: a contiguous reduction's interleaved loop (EmitKernel.cpp)
// — every element counted once at every start alignment, extremes found in
// any accumulator, rounded sums that depend on the values and their order
// only (not on the arrays' addresses or the thread count), and the loop
// shape that makes it fast.
#include "TestEngine.h"
#include "kiln/core/Target.h"
#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using namespace kiln::tensor;
using test::message;

namespace {

/// `source`'s first kernel on an engine of 4 threads that splits calls of
/// 4096 elements or more (compiling is the slow part: one engine).
std::shared_ptr<CompiledKernel> kernel(const std::string &source) {
  static std::unique_ptr<Engine> e = test::makeEngine(4, 1 << 12);
  return test::compileFirst(*e, source);
}

/// Sizes around the interleaved body (64 f32), a chunk (16384), the thread
/// split (4096 on this engine) and an uneven last chunk (70001).
const std::vector<int64_t> kSizes = {63,   64,   65,         1000,
                                     1025, 4097, 16384 + 37, 70001};

/// `n` elements of `buf` from element `offset` on: 16 offsets of 4 bytes
/// cover every start alignment within a 64-byte line.
template <typename T>
ArrayView at(std::vector<T> &buf, DType t, size_t offset, int64_t n) {
  return ArrayView::contiguous(buf.data() + offset, t, {n});
}

Scalar call(CompiledKernel &k, std::vector<Arg> args, unsigned threads = 0) {
  Scalar r;
  EXPECT_EQ(message(k.run(args, nullptr, &r, threads)), "");
  return r;
}

// Small integers: every partial sum is exact in f32, so a dropped or doubly
// counted element (an accumulator or a remainder lost) changes the result.
TEST(TensorReduceLoop, EveryStartAlignmentCountsEveryElementOnce) {
  auto dot = kernel("kernel d(a: f32[], b: f32[]) -> f32 = sum(a * b)");
  auto isum = kernel("kernel s(a: i32[]) -> i32 = sum(a)");
  ASSERT_TRUE(dot && isum);
  for (int64_t n : kSizes) {
    std::vector<float> a(size_t(n) + 16), b(size_t(n) + 16);
    std::vector<int32_t> ia(size_t(n) + 16);
    for (size_t o = 0; o < 16; ++o) {
      int64_t want = 0, iwant = 1000;
      for (int64_t i = 0; i < n; ++i) {
        a[o + i] = float((i * 7 + int64_t(o)) % 11 - 5);
        b[o + i] = float(i % 5 - 2);
        ia[o + i] = int32_t(i % 9) - 3 + (i == 0 ? 1000 : 0);
        want += int64_t(a[o + i]) * int64_t(b[o + i]);
        iwant += int64_t(i % 9) - 3;
      }
      Scalar r = call(*dot, {Arg::of(at(a, DType::F32, o, n)),
                             Arg::of(at(b, DType::F32, o, n))});
      EXPECT_EQ(r.f, double(want)) << "n = " << n << ", offset " << o;
      r = call(*isum, {Arg::of(at(ia, DType::I32, o, n))});
      EXPECT_EQ(r.i, iwant) << "n = " << n << ", offset " << o;
    }
  }
}

// The extreme element first, fourth or last: whichever accumulator or
// remainder holds it must reach the result.
TEST(TensorReduceLoop, MinAndMaxSeeEveryAccumulator) {
  auto mx = kernel("kernel m(a: f64[]) -> f64 = max(a)");
  auto mn = kernel("kernel n(a: f32[]) -> f32 = min(a)");
  ASSERT_TRUE(mx && mn);
  for (int64_t n : kSizes)
    for (size_t o = 0; o < 8; o += 3)
      for (int64_t where : {int64_t(0), int64_t(3), n / 2 + 17, n - 1}) {
        if (where >= n)
          continue;
        std::vector<double> d(size_t(n) + 8);
        std::vector<float> f(size_t(n) + 8);
        for (int64_t i = 0; i < n; ++i) {
          d[o + i] = double(i % 17);
          f[o + i] = float(i % 13);
        }
        d[o + size_t(where)] = 1e6;
        f[o + size_t(where)] = -7;
        EXPECT_EQ(call(*mx, {Arg::of(at(d, DType::F64, o, n))}).f, 1e6)
            << "n = " << n << ", offset " << o << ", at " << where;
        EXPECT_EQ(call(*mn, {Arg::of(at(f, DType::F32, o, n))}).f, -7.0)
            << "n = " << n << ", offset " << o << ", at " << where;
      }
}

// Rounded sums of the same values: the same bits at every start alignment
// (lanes are grouped by index, never by address — a peel to an aligned
// start would break this) and on 1-3 threads, within the documented bound.
TEST(TensorReduceLoop, RoundedSumsDependOnlyOnTheValues) {
  auto k = kernel("kernel s(a: f32[], b: f32[]) -> f32 = sum(a * b)");
  ASSERT_TRUE(k);
  for (int64_t n : {int64_t(1000), int64_t(5000), int64_t(70001)}) {
    std::vector<float> a(size_t(n) + 16), b(size_t(n) + 16);
    float first = 0;
    for (size_t o = 0; o < 16; ++o) {
      double exact = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        a[o + i] = float(std::sin(double(i) * 0.37));
        b[o + i] = float(std::cos(double(i) * 0.11));
        exact += double(a[o + i]) * double(b[o + i]);
        mag += std::fabs(double(a[o + i]) * double(b[o + i]));
      }
      std::vector<Arg> args = {Arg::of(at(a, DType::F32, o, n)),
                               Arg::of(at(b, DType::F32, o, n))};
      float one = float(call(*k, args, 1).f);
      EXPECT_NEAR(one, exact, 1e-5 * std::sqrt(double(n)) * mag);
      if (o == 0)
        first = one;
      EXPECT_EQ(std::memcmp(&one, &first, sizeof one), 0)
          << "n = " << n << ", offset " << o << ": " << one << " vs " << first;
      for (unsigned threads : {2u, 3u}) {
        float many = float(call(*k, args, threads).f);
        EXPECT_EQ(std::memcmp(&one, &many, sizeof one), 0)
            << "n = " << n << ", offset " << o << ", " << threads
            << " threads: " << many << " vs " << one;
      }
    }
  }
}

/// The O3 flat loop function of `source`'s first kernel (first in the
/// module).
std::string flatIR(const std::string &source) {
  ParseResult r = parseProgram(source);
  EXPECT_TRUE(r.ok());
  if (!r.ok())
    return "";
  auto text = emitText(r.program.kernels[0], "ll", kiln::OptLevel::O3);
  EXPECT_EQ(message(text), "");
  std::string ll = text ? *text : "";
  return ll.substr(0, ll.find("_strided("));
}

/// The most lines of one vector width `<W x T>` that start with `start`
/// and contain `then` (W: 2, 4, 8 or 16, the commonest).
int mostOfOneWidth(const std::string &ll, const std::string &start,
                   const std::string &then, const std::string &type) {
  int most = 0;
  for (const char *w : {"2", "4", "8", "16"}) {
    std::string vec = then + "<" + w + " x " + type + ">";
    int count = 0;
    for (size_t line = 0, next; line < ll.size(); line = next + 1) {
      next = std::min(ll.find('\n', line), ll.size());
      std::string text = ll.substr(line, next - line);
      count += text.rfind(start, 0) == 0 && text.find(vec) != std::string::npos;
    }
    most = std::max(most, count);
  }
  return most;
}

/// Vector accumulators of the widest loop: its `%vec.phi` phis (the
/// epilogue's narrower loop has its own).
int accumulators(const std::string &ll, const std::string &type) {
  return mostOfOneWidth(ll, "  %vec.phi", " = phi ", type);
}

// One accumulator is bound by the add's latency (~2 cycles per vector on
// Zen 5): `unroll.disable` on the loop kept the vectorizer from
// interleaving until reductions got their own loop shape.
TEST(TensorReduceLoop, ContiguousReductionKeepsSeveralAccumulators) {
  if (kiln::core::hostTarget().features.find("+avx2") == std::string::npos)
    GTEST_SKIP() << "the interleave count is the AVX2 cost model's choice";
  std::string dot = flatIR("kernel k(a: f32[], b: f32[]) -> f32 = sum(a*b)");
  EXPECT_GE(accumulators(dot, "float"), 2) << dot;
  std::string f64 = flatIR("kernel k(a: f64[]) -> f64 = sum(a)");
  EXPECT_GE(accumulators(f64, "double"), 2) << f64;
  std::string ints = flatIR("kernel k(a: i32[]) -> i32 = sum(a)");
  EXPECT_GE(accumulators(ints, "i32"), 2) << ints;
  // Elementwise loops stay one vector per iteration (compile time).
  std::string ew = flatIR("kernel k(a: f32[], b: f32[]) -> f32[] = a * b");
  EXPECT_EQ(mostOfOneWidth(ew, "  store ", "store ", "float"), 1) << ew;
}

} // namespace
