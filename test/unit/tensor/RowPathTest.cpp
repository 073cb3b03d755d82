// RowPathTest: broadcasts along the innermost dimension (a[N,M] * s[N,1],
// a[N,M] + b[M], size-1 arrays next to vectors) take the vectorized flat
// loop row by row (Driver.c's row path) — checked on the driver with mock
// loops (which loop runs, on which pointers) and end to end on the JIT
// against values computed here, for every dtype, reductions and threads.
#include "TestEngine.h"
#include "tensor/irgen/KernelAbi.h"

#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

using namespace kiln::tensor;
using test::message;

namespace {

// ---- The driver with mock loops: out = a * s (f32), or sum(a * s) (f64).

struct Calls {
  int flat = 0, strided = 0;
  int64_t longest = 0; ///< the longest flat call
} calls;

float *slotF32(const int64_t *ctx, int s) {
  return reinterpret_cast<float *>(ctx[KT_CTX_SLOTS + s * KT_SLOT_WORDS]);
}

/// The flat-loop contract: element i of every slot at data + i.
void mockFlat(const int64_t *ctx, int64_t begin, int64_t end, void *partial) {
  ++calls.flat;
  calls.longest = std::max(calls.longest, end - begin);
  float *a = slotF32(ctx, 0), *s = slotF32(ctx, 1), *out = slotF32(ctx, 2);
  double sum = 0;
  for (int64_t i = begin; i < end; ++i) {
    if (out)
      out[i] = a[i] * s[i];
    sum += double(a[i]) * double(s[i]);
  }
  if (partial)
    std::memcpy(partial, &sum, sizeof sum);
}

void mockStrided(const int64_t *, int64_t, int64_t, void *) { ++calls.strided; }

void mockCombine(void *acc, const void *part) {
  double a, p;
  std::memcpy(&a, acc, 8);
  std::memcpy(&p, part, 8);
  a += p;
  std::memcpy(acc, &a, 8);
}

void mockFinish(const int64_t *, const void *acc, void *result) {
  std::memcpy(result, acc, 8);
}

/// Runs the mock kernel on shape [n, m] with per-slot strides {row, column}
/// (a, s, out; out null for the reduction); returns the driver's code.
int runMock(int64_t n, int64_t m, float *a, float *s, float *out,
            const int64_t (&strides)[3][2], double *sum = nullptr) {
  static const unsigned char sizes[] = {4, 4, 4}, sizesRed[] = {4, 4, 0};
  kt_kernel_fns k{};
  k.flat = mockFlat;
  k.strided = mockStrided;
  k.nslots = 3;
  k.elemSize = out ? sizes : sizesRed;
  if (!out) {
    k.combine = mockCombine;
    k.finish = mockFinish;
    k.nreductions = 1;
  }
  std::vector<int64_t> ctx(KT_CTX_WORDS(3), 0);
  int64_t shape[4] = {1, 1, n, m};
  std::memcpy(ctx.data() + KT_CTX_SHAPE, shape, sizeof shape);
  float *data[3] = {a, s, out};
  for (int slot = 0; slot < 3; ++slot) {
    int64_t *w = ctx.data() + KT_CTX_SLOTS + slot * KT_SLOT_WORDS;
    w[KT_SLOT_DATA] = reinterpret_cast<int64_t>(data[slot]);
    w[KT_SLOT_STRIDES + 2] = strides[slot][0];
    w[KT_SLOT_STRIDES + 3] = strides[slot][1];
  }
  calls = {};
  double result = 0;
  int rc = kt_execute(&k, ctx.data(), &result, nullptr);
  if (sum)
    *sum = result;
  return rc;
}

TEST(TensorRowPath, ColumnBroadcastRunsTheFlatLoopPerTile) {
  const int64_t n = 3, m = KT_ROW_TILE * 2 + 5;
  std::vector<float> a(n * m), s = {2, 3, 4}, out(n * m, -1);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float(i % 17);
  ASSERT_EQ(
      runMock(n, m, a.data(), s.data(), out.data(), {{m, 1}, {1, 0}, {m, 1}}),
      0);
  EXPECT_EQ(calls.strided, 0);
  EXPECT_EQ(calls.flat, 3 * n); // two whole tiles and the rest, per row
  EXPECT_EQ(calls.longest, KT_ROW_TILE);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      ASSERT_EQ(out[i * m + j], a[i * m + j] * s[i]) << i << "," << j;
  // The reduction: tile partials combined in order within the chunk.
  double sum = 0, want = 0;
  ASSERT_EQ(runMock(n, m, a.data(), s.data(), nullptr, {{m, 1}, {1, 0}, {0, 0}},
                    &sum),
            0);
  for (int64_t i = 0; i < n * m; ++i)
    want += double(a[i]) * s[i / m];
  EXPECT_EQ(sum, want);
  EXPECT_EQ(calls.strided, 0);
}

TEST(TensorRowPath, RowBroadcastTakesWholeRows) {
  const int64_t n = 4, m = KT_ROW_TILE * 3;
  std::vector<float> a(n * m, 1.5f), b(m), out(n * m, -1);
  for (int64_t j = 0; j < m; ++j)
    b[j] = float(j);
  ASSERT_EQ(
      runMock(n, m, a.data(), b.data(), out.data(), {{m, 1}, {0, 1}, {m, 1}}),
      0);
  EXPECT_EQ(calls.strided, 0);
  EXPECT_EQ(calls.flat, n);
  for (int64_t i = 0; i < n * m; ++i)
    ASSERT_EQ(out[i], 1.5f * b[i % m]) << i;
}

TEST(TensorRowPath, ColumnMajorOperandsAndOutputTakeTheFlatLoop) {
  // Every slot column-major (a transposed output of transposed inputs):
  // walked in the output's memory order, one contiguous run.
  const int64_t n = KT_ROW_MIN + 4, m = 300;
  std::vector<float> a(n * m), b(n * m), out(n * m, -1);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float(i), b[i] = 0.5f;
  ASSERT_EQ(
      runMock(n, m, a.data(), b.data(), out.data(), {{1, n}, {1, n}, {1, n}}),
      0);
  EXPECT_EQ(calls.strided, 0);
  EXPECT_EQ(calls.flat, 1);
  for (size_t i = 0; i < out.size(); ++i)
    ASSERT_EQ(out[i], a[i] * 0.5f) << i;
  // A column-major output with a column broadcast: rows of the output's
  // memory order, the broadcast [n, 1] operand now varies along them.
  std::vector<float> s(n);
  for (int64_t i = 0; i < n; ++i)
    s[i] = float(i + 1);
  ASSERT_EQ(
      runMock(n, m, a.data(), s.data(), out.data(), {{1, n}, {1, 0}, {1, n}}),
      0);
  EXPECT_EQ(calls.strided, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      ASSERT_EQ(out[j * n + i], a[j * n + i] * s[i]) << i << "," << j;
}

TEST(TensorRowPath, OtherLayoutsTakeTheStridedLoop) {
  const int64_t n = 4, m = 64;
  std::vector<float> a(2 * n * m), s(n), out(2 * n * m);
  // A step-2 operand, a stride-0 output, rows shorter than KT_ROW_MIN.
  EXPECT_EQ(runMock(n, m, a.data(), s.data(), out.data(),
                    {{2 * m, 2}, {1, 0}, {m, 1}}),
            0);
  EXPECT_EQ(calls.strided, 1);
  EXPECT_EQ(
      runMock(n, m, a.data(), s.data(), out.data(), {{m, 1}, {1, 0}, {1, 0}}),
      0);
  EXPECT_EQ(calls.strided, 1);
  EXPECT_EQ(runMock(n, KT_ROW_MIN - 1, a.data(), s.data(), out.data(),
                    {{KT_ROW_MIN - 1, 1}, {1, 0}, {KT_ROW_MIN - 1, 1}}),
            0);
  EXPECT_EQ(calls.strided, 1);
  EXPECT_EQ(calls.flat, 0);
}

// ---- End to end on the JIT.

/// One engine per test binary: compiling is the slow part.
Engine &engine() {
  static std::unique_ptr<Engine> e =
      test::makeEngine(4, 1 << 10); // chunks start mid-row
  return *e;
}

std::shared_ptr<CompiledKernel> kernel(const std::string &source) {
  return test::compileFirst(engine(), source);
}

TEST(TensorRowPath, ColumnAndRowBroadcastF32) {
  auto k =
      kernel("kernel cr(a: f32[], s: f32[], b: f32[]) -> f32[] = a * s + b");
  ASSERT_TRUE(k);
  for (int64_t m :
       {int64_t(7), int64_t(8), int64_t(1000), int64_t(KT_ROW_TILE + 1)}) {
    const int64_t n = 37;
    std::vector<float> a(n * m), s(n), b(m), out(n * m, -1);
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = float(i % 101) * 0.25f;
    for (int64_t i = 0; i < n; ++i)
      s[i] = float(i) - 3;
    for (int64_t j = 0; j < m; ++j)
      b[j] = float(j % 13);
    ArrayView A = ArrayView::contiguous(a.data(), DType::F32, {n, m});
    ArrayView S = ArrayView::contiguous(s.data(), DType::F32, {n, 1});
    ArrayView B = ArrayView::contiguous(b.data(), DType::F32, {m});
    ArrayView O = ArrayView::contiguous(out.data(), DType::F32, {n, m});
    for (unsigned threads : {1u, 3u}) {
      std::fill(out.begin(), out.end(), -1.0f);
      ASSERT_EQ(message(k->run({Arg::of(A), Arg::of(S), Arg::of(B)}, &O,
                               nullptr, threads)),
                "");
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < m; ++j)
          ASSERT_EQ(out[i * m + j], a[i * m + j] * s[i] + b[j])
              << "m " << m << " threads " << threads << " at " << i << "," << j;
    }
  }
}

TEST(TensorRowPath, BroadcastBoolI64AndF64Operands) {
  auto k =
      kernel("kernel w(c: bool[], x: i64[], y: i64[], f: f64[]) -> f64[] = "
             "where(c, f64(x), f64(y)) * f");
  ASSERT_TRUE(k);
  const int64_t n = 5, l = 3, m = 300;
  std::vector<uint8_t> c(n);
  std::vector<int64_t> x(n * l * m), y(l);
  std::vector<double> f(m), out(n * l * m, -1);
  for (int64_t i = 0; i < n; ++i)
    c[i] = i % 2;
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = int64_t(i % 1000) - 500;
  for (int64_t i = 0; i < l; ++i)
    y[i] = 1000 + i;
  for (int64_t j = 0; j < m; ++j)
    f[j] = 0.5 * double(j);
  ArrayView C = ArrayView::contiguous(c.data(), DType::Bool, {n, 1, 1});
  ArrayView X = ArrayView::contiguous(x.data(), DType::I64, {n, l, m});
  ArrayView Y = ArrayView::contiguous(y.data(), DType::I64, {l, 1});
  ArrayView F = ArrayView::contiguous(f.data(), DType::F64, {m});
  ArrayView O = ArrayView::contiguous(out.data(), DType::F64, {n, l, m});
  ASSERT_EQ(message(k->run({Arg::of(C), Arg::of(X), Arg::of(Y), Arg::of(F)}, &O,
                           nullptr)),
            "");
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < l; ++r)
      for (int64_t j = 0; j < m; ++j) {
        int64_t at = (i * l + r) * m + j;
        ASSERT_EQ(out[at], double(c[i] ? x[at] : y[r]) * f[j])
            << i << "," << r << "," << j;
      }
}

TEST(TensorRowPath, SizeOneArrayNextToAVectorAndAnAliasedOutput) {
  auto k = kernel("kernel t(a: i32[], one: i32[]) -> i32[] = a * one - 1");
  ASSERT_TRUE(k);
  const int64_t n = 5000;
  std::vector<int32_t> a(n);
  for (int64_t i = 0; i < n; ++i)
    a[i] = int32_t(i);
  int32_t three = 3;
  ArrayView A = ArrayView::contiguous(a.data(), DType::I32, {n});
  ArrayView One = ArrayView::contiguous(&three, DType::I32, {1});
  ASSERT_EQ(message(k->run({Arg::of(A), Arg::of(One)}, &A, nullptr)),
            ""); // out is a
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(a[i], int32_t(i) * 3 - 1) << i;
}

TEST(TensorRowPath, ReductionsOverBroadcastsMatchForEveryThreadCount) {
  auto k =
      kernel("kernel r(a: f64[], s: f64[]) -> f64 = sum(a * s) + max(a * s)");
  ASSERT_TRUE(k);
  const int64_t n = 40, m = 3000; // 120000 elements: several reduction chunks
  std::vector<double> a(n * m), s(n);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = double(i % 64);
  for (int64_t i = 0; i < n; ++i)
    s[i] = double(i % 5);
  double sum = 0, max = 0;
  for (int64_t i = 0; i < n * m; ++i) {
    sum += a[i] * s[i / m]; // small integers: exact in any order
    max = std::max(max, a[i] * s[i / m]);
  }
  ArrayView A = ArrayView::contiguous(a.data(), DType::F64, {n, m});
  ArrayView S = ArrayView::contiguous(s.data(), DType::F64, {n, 1});
  for (unsigned threads : {1u, 2u, 4u}) {
    Scalar r;
    ASSERT_EQ(message(k->run({Arg::of(A), Arg::of(S)}, nullptr, &r, threads)),
              "");
    EXPECT_EQ(r.f, sum + max) << threads << " threads";
  }
}

TEST(TensorRowPath, TransposedOutputAndOperands) {
  auto k =
      kernel("kernel t(a: f32[], b: f32[], c: f32[]) -> f32[] = a * b - c");
  ASSERT_TRUE(k);
  const int64_t n = 20, m = 33;
  std::vector<float> a(n * m), b(n * m), c(m), out(n * m, -1);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float(i % 97), b[i] = float(i % 5);
  for (int64_t j = 0; j < m; ++j)
    c[j] = float(j);
  // [m, n] buffers viewed as their transposes [n, m]; c a row [m].
  auto transposed = [&](std::vector<float> &v) {
    ArrayView t = ArrayView::contiguous(v.data(), DType::F32, {n, m});
    t.strides[0] = 1;
    t.strides[1] = n;
    return t;
  };
  ArrayView O = transposed(out);
  ASSERT_EQ(message(k->run(
                {Arg::of(transposed(a)), Arg::of(transposed(b)),
                 Arg::of(ArrayView::contiguous(c.data(), DType::F32, {m}))},
                &O, nullptr)),
            "");
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      ASSERT_EQ(out[j * n + i], a[j * n + i] * b[j * n + i] - c[j])
          << i << "," << j;
}

TEST(TensorRowPath, ManyBroadcastOperandsStillCorrect) {
  // More than KT_ROW_SPLATS broadcast operands: the strided loop.
  std::string params, body;
  for (int p = 0; p < KT_ROW_SPLATS + 2; ++p) {
    params += "c" + std::to_string(p) + ": f32[], ";
    body += " + c" + std::to_string(p);
  }
  auto k = kernel("kernel many(" + params + "a: f32[]) -> f32[] = a" + body);
  ASSERT_TRUE(k);
  const int64_t n = 6, m = 100;
  std::vector<float> col(n), a(n * m), out(n * m);
  for (int64_t i = 0; i < n; ++i)
    col[i] = float(i);
  for (int64_t i = 0; i < n * m; ++i)
    a[i] = float(i);
  std::vector<Arg> args;
  for (int p = 0; p < KT_ROW_SPLATS + 2; ++p)
    args.push_back(
        Arg::of(ArrayView::contiguous(col.data(), DType::F32, {n, 1})));
  args.push_back(Arg::of(ArrayView::contiguous(a.data(), DType::F32, {n, m})));
  ArrayView O = ArrayView::contiguous(out.data(), DType::F32, {n, m});
  ASSERT_EQ(message(k->run(args, &O, nullptr)), "");
  for (int64_t i = 0; i < n * m; ++i)
    ASSERT_EQ(out[i], a[i] + float(KT_ROW_SPLATS + 2) * col[i / m]) << i;
}

} // namespace
