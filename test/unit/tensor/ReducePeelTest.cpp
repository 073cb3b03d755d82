// ReducePeelTest: a contiguous reduction's peel to a 64-byte boundary and
// its interleaved main loop (EmitKernel.cpp) — every element counted at
// every start alignment, results still identical for every thread count,
// and the generated loop has the promised shape.
#include "TestEngine.h"
#include "kiln/core/Target.h"
#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

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

/// Sizes around the peel's bounds (1024 elements; 48 KiB of operands: 6144
/// f32 pairs), the thread split (4096 on this engine) and a chunk (16384;
/// 70001 ends in a chunk of 4465 that peels).
const std::vector<int64_t> kSizes = {1000, 1023, 1024,       1040, 4097,
                                     6144, 6145, 16384 + 37, 70001};

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
// counted element (in the peel or at its seam) changes the result.
TEST(TensorReducePeel, EveryStartAlignmentCountsEveryElementOnce) {
  auto dot = kernel("kernel d(a: f32[], b: f32[]) -> f32 = sum(a * b)");
  auto isum = kernel("kernel s(a: i32[]) -> i32 = sum(a)");
  ASSERT_TRUE(dot && isum);
  for (int64_t n : kSizes) {
    std::vector<float> a(size_t(n) + 16), b(size_t(n) + 16);
    std::vector<int32_t> ia(size_t(n) + 16);
    for (size_t o = 0; o < 16; ++o) {
      int64_t want = 0;
      for (int64_t i = 0; i < n; ++i) {
        a[o + i] = float((i * 7 + int64_t(o)) % 11 - 5);
        b[o + i] = float(i % 5 - 2);
        ia[o + i] = int32_t(i % 9) - 3 + (i == 0 ? 1000 : 0);
        want += int64_t(a[o + i]) * int64_t(b[o + i]);
      }
      Scalar r = call(*dot, {Arg::of(at(a, DType::F32, o, n)),
                             Arg::of(at(b, DType::F32, o, n))});
      EXPECT_EQ(r.f, double(want)) << "n = " << n << ", offset " << o;
      int64_t iwant = 1000;
      for (int64_t i = 0; i < n; ++i)
        iwant += int64_t(i % 9) - 3;
      r = call(*isum, {Arg::of(at(ia, DType::I32, o, n))});
      EXPECT_EQ(r.i, iwant) << "n = " << n << ", offset " << o;
    }
  }
}

// The extreme element first (inside the peel when the start is not
// aligned) or last: the peel's accumulator must reach the main loop.
TEST(TensorReducePeel, MinAndMaxSeeThePeeledElements) {
  auto mx = kernel("kernel m(a: f64[]) -> f64 = max(a)");
  auto mn = kernel("kernel n(a: f32[]) -> f32 = min(a)");
  ASSERT_TRUE(mx && mn);
  for (int64_t n : kSizes)
    for (size_t o = 0; o < 8; ++o)
      for (int64_t where : {int64_t(0), int64_t(3), n - 1}) {
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

// Rounded sums: the same bits on 1-3 threads at each alignment (the peel
// is per chunk, and chunks do not depend on the thread count), and within
// the documented bound of the exact sum.
TEST(TensorReducePeel, RoundedSumsAreIdenticalForEveryThreadCount) {
  auto k = kernel("kernel s(a: f32[], b: f32[]) -> f32 = sum(a * b)");
  ASSERT_TRUE(k);
  for (int64_t n : {int64_t(16384 + 37), int64_t(70001)}) {
    std::vector<float> a(size_t(n) + 16), b(size_t(n) + 16);
    for (size_t o = 0; o < 16; ++o) {
      double exact = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        a[o + i] = float(std::sin(double(i) * 0.37 + double(o)));
        b[o + i] = float(std::cos(double(i) * 0.11));
        exact += double(a[o + i]) * double(b[o + i]);
        mag += std::fabs(double(a[o + i]) * double(b[o + i]));
      }
      std::vector<Arg> args = {Arg::of(at(a, DType::F32, o, n)),
                               Arg::of(at(b, DType::F32, o, n))};
      float one = float(call(*k, args, 1).f);
      EXPECT_NEAR(one, exact, 1e-5 * std::sqrt(double(n)) * mag);
      for (unsigned threads : {2u, 3u}) {
        float many = float(call(*k, args, threads).f);
        EXPECT_EQ(std::memcmp(&one, &many, sizeof one), 0)
            << "n = " << n << ", offset " << o << ", " << threads
            << " threads: " << many << " vs " << one;
      }
    }
  }
}

/// The O3 module of `source`'s first kernel.
std::string optimizedIR(const std::string &source) {
  ParseResult r = parseProgram(source);
  EXPECT_TRUE(r.ok());
  if (!r.ok())
    return "";
  auto text = emitText(r.program.kernels[0], "ll", kiln::OptLevel::O3);
  EXPECT_EQ(message(text), "");
  return text ? *text : "";
}

/// The flat loop function only (it comes first in the module).
std::string flatPart(const std::string &ll) {
  return ll.substr(0, ll.find("_strided("));
}

/// Vector accumulators updated in one iteration of the widest loop: the
/// number of `fadd reassoc <W x float> %vec.phi` for the commonest W.
int accumulators(const std::string &ll) {
  int most = 0;
  for (const char *w : {"4", "8", "16"}) {
    std::string needle =
        std::string("fadd reassoc <") + w + " x float> %vec.phi";
    int count = 0;
    for (size_t p = ll.find(needle); p != std::string::npos;
         p = ll.find(needle, p + 1))
      ++count;
    most = std::max(most, count);
  }
  return most;
}

TEST(TensorReducePeel, ContiguousReductionLoopPeelsThenInterleaves) {
  std::string module =
      optimizedIR("kernel k(a: f32[], b: f32[]) -> f32 = sum(a * b)");
  std::string ll = flatPart(module);
  EXPECT_NE(ll.find("\npeel:"), std::string::npos) << ll;
  EXPECT_NE(module.find("\"llvm.loop.vectorize.enable\", i1 false"),
            std::string::npos)
      << module;
  if (kiln::core::hostTarget().features.find("+avx2") != std::string::npos)
    EXPECT_GE(accumulators(ll), 2) << ll;
  // Elementwise loops keep one vector per iteration and no peel.
  std::string ew =
      flatPart(optimizedIR("kernel k(a: f32[], b: f32[]) -> f32[] = a * b"));
  EXPECT_EQ(ew.find("\npeel:"), std::string::npos) << ew;
}

} // namespace
