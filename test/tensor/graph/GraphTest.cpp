// GraphTest: tensor graphs — parsing and its errors, forward values against
// the eager reference executor, gradients against central finite
// differences in f64 on random shapes (broadcast and size-1 dimensions),
// and plans made once per set of input shapes.
#include "kiln/tensor/Graph.h"
#include "kiln/tensor/Tensor.h"
#include "tensor/reference/Eager.h"
#include "GraphTestUtil.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

/// Every allocation made by the calling thread, counted (the no-allocation
/// test). Per thread: the engine's and the runtime's own threads may allocate
/// at any time (the object cache, a loaded machine's late pool wake-ups), and
/// a graph call's allocations are made on the thread that calls it.
static thread_local uint64_t tNews = 0;
void *operator new(std::size_t n) {
  ++tNews;
  if (void *p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}
void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  ++tNews;
  return std::malloc(n ? n : 1);
}
// Every non-aligned form, so that no allocation made by the sanitizer's own
// operator new is released by the std::free below (std::stable_sort in LLVM
// takes its buffer from the nothrow form).
void *operator new[](std::size_t n) { return operator new(n); }
void *operator new[](std::size_t n, const std::nothrow_t &t) noexcept {
  return operator new(n, t);
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept {
  std::free(p);
}

#include <array>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace kiln::tensor {
namespace {

using test::engine;

/// An f64 array with its own storage.
struct Buf {
  std::vector<double> data;
  std::vector<int64_t> shape;
  Arg arg() {
    return Arg::of(ArrayView::contiguous(data.data(), DType::F64, shape));
  }
};

Buf randomBuf(std::vector<int64_t> shape, std::mt19937 &rng, double lo = -1,
              double hi = 1) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::uniform_real_distribution<double> u(lo, hi);
  Buf b{std::vector<double>(n), shape};
  for (double &x : b.data)
    x = u(rng);
  return b;
}

std::shared_ptr<CompiledGraph> build(Engine &e, const std::string &src,
                                     const std::string &name) {
  auto g = compileGraph(e, src, name, "test.tk");
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : render(g.diagnostics(), false));
  return g.ok() ? *g : nullptr;
}

double scalarOf(const Arg &a) {
  return a.isArray ? *static_cast<const double *>(a.array.data)
                   : a.scalar.asDouble();
}

/// Checks outputs 1..n of `g` (the gradients of output 0, the loss, with
/// respect to the array inputs in `wrt`, in order) against central
/// differences of the loss.
void checkGradients(CompiledGraph &g, std::vector<Buf> &bufs,
                    std::vector<Arg> extra, const std::vector<int> &wrt) {
  auto args = [&] {
    std::vector<Arg> a;
    for (Buf &b : bufs)
      a.push_back(b.arg());
    for (Arg &x : extra)
      a.push_back(x);
    return a;
  };
  std::vector<Arg> out;
  Status first = g.run(args(), out);
  ASSERT_TRUE(first.ok()) << render(first.diagnostics(), false);
  std::vector<std::vector<double>> grads;
  for (size_t k = 1; k < out.size(); ++k) {
    const ArrayView &v = out[k].array;
    ASSERT_TRUE(out[k].isArray);
    grads.emplace_back(static_cast<const double *>(v.data),
                       static_cast<const double *>(v.data) + v.size());
  }
  const double h = 1e-6;
  for (size_t w = 0; w < wrt.size(); ++w) {
    Buf &b = bufs[wrt[w]];
    ASSERT_EQ(grads[w].size(), b.data.size()) << "gradient " << w;
    for (size_t i = 0; i < b.data.size(); ++i) {
      double keep = b.data[i];
      b.data[i] = keep + h;
      ASSERT_TRUE(g.run(args(), out).ok());
      double up = scalarOf(out[0]);
      b.data[i] = keep - h;
      ASSERT_TRUE(g.run(args(), out).ok());
      double down = scalarOf(out[0]);
      b.data[i] = keep;
      double fd = (up - down) / (2 * h);
      EXPECT_NEAR(grads[w][i], fd, 1e-6 * (1 + std::fabs(fd)))
          << "input " << wrt[w] << " element " << i;
    }
  }
}

/// checkGradients with respect to every input, for random inputs of each
/// set of shapes (one shape per input).
void checkEachShape(
    CompiledGraph &g, std::mt19937 &rng,
    const std::vector<std::vector<std::vector<int64_t>>> &shapeSets) {
  for (const auto &shapes : shapeSets) {
    std::vector<Buf> bufs;
    std::vector<int> wrt;
    for (const auto &shape : shapes) {
      wrt.push_back(static_cast<int>(bufs.size()));
      bufs.push_back(randomBuf(shape, rng));
    }
    checkGradients(g, bufs, {}, wrt);
  }
}

const char *kElementwise = R"(
graph g(x: f64[], w: f64[], b: f64[]) {
  h = tanh(x * w + b);
  s = sigmoid(h) * exp(-h) + log(1 + h * h) - sqrt(h * h + 1) / (2 - h);
  loss = mean(pow(s, 2)) + sum(relu(x - b) / (1 + abs(w)));
  dx, dw, db = grad(loss, [x, w, b]);
  return loss, dx, dw, db
}
)";

TEST(TensorGraph, ElementwiseGradientsMatchFiniteDifferences) {
  auto e = engine();
  auto g = build(*e, kElementwise, "g");
  ASSERT_TRUE(g);
  std::mt19937 rng(1);
  checkEachShape(*g, rng,
                 {{{3, 4}, {4}, {3, 1}},
                  {{1, 5}, {5, 1}, {1}},
                  {{2, 1, 3}, {1, 4, 1}, {3}},
                  {{6}, {6}, {6}}});
}

const char *kReductions = R"(
graph g(x: f64[], y: f64[]) {
  m = max(x, axis=1, keepdims);
  e = exp(x - m);
  p = e / sum(e, axis=1, keepdims);
  loss = sum(p * y) + mean(max(x, axis=0)) + max(x * y) - min(x) + sum(mean(x * x, axis=-1));
  dx, dy = grad(loss, [x, y]);
  return loss, dx, dy
}
)";

TEST(TensorGraph, ReductionGradientsMatchFiniteDifferences) {
  auto e = engine();
  auto g = build(*e, kReductions, "g");
  ASSERT_TRUE(g);
  std::mt19937 rng(2);
  for (auto s : std::vector<std::vector<int64_t>>{{3, 4}, {1, 5}, {4, 1}}) {
    std::vector<Buf> bufs = {randomBuf(s, rng), randomBuf(s, rng)};
    checkGradients(*g, bufs, {}, {0, 1});
  }
}

const char *kBuiltins = R"(
graph g(a: f64[], b: f64[], c: f64) {
  u = where(a > b, sin(a) * c, cos(b));
  v = min(a, b) + max(a * c, b) + pow(abs(a) + 1, b) + clamp(a, -0.5, 0.5);
  loss = sum(u * v) / c;
  da, db = grad(loss, [a, b]);
  return loss, da, db
}
)";

TEST(TensorGraph, BuiltinGradientsMatchFiniteDifferences) {
  auto e = engine();
  auto g = build(*e, kBuiltins, "g");
  ASSERT_TRUE(g);
  std::mt19937 rng(3);
  std::vector<Buf> bufs = {randomBuf({4, 3}, rng), randomBuf({3}, rng)};
  checkGradients(*g, bufs, {Arg::of(Scalar::f64(1.7))}, {0, 1});
}

const char *kMlp = R"(
graph g(x: f64[], t: f64[], w1: f64[], b1: f64[], w2: f64[], b2: f64[]) {
  h = tanh(x @ w1 + b1);
  y = h @ w2 + b2;
  loss = mean(pow(y - t, 2)) + sum(max(h, axis=1));
  dx, dw1, db1, dw2, db2 = grad(loss, [x, w1, b1, w2, b2]);
  return loss, dx, dw1, db1, dw2, db2
}
)";

TEST(TensorGraph, MatmulGradientsMatchFiniteDifferences) {
  auto e = engine();
  auto g = build(*e, kMlp, "g");
  ASSERT_TRUE(g);
  std::mt19937 rng(6);
  for (auto [n, i, hid, o] : std::vector<std::array<int64_t, 4>>{
           {5, 3, 4, 2}, {1, 2, 3, 1}, {7, 1, 1, 3}}) {
    std::vector<Buf> bufs = {randomBuf({n, i}, rng),   randomBuf({n, o}, rng),
                             randomBuf({i, hid}, rng), randomBuf({hid}, rng),
                             randomBuf({hid, o}, rng), randomBuf({1, o}, rng)};
    checkGradients(*g, bufs, {}, {0, 2, 3, 4, 5});
  }
}

const char *kVectorProducts = R"(
graph g(a: f64[], v: f64[], u: f64[], b: f64[]) {
  y = tanh(a @ v);
  z = u @ b;
  loss = sum(y * y) + sum(sin(z) * z) + sum(v @ v) * 0.5;
  da, dv, du, db = grad(loss, [a, v, u, b]);
  return loss, da, dv, du, db
}
)";

/// Matrix·vector and vector·matrix products (NumPy's promotion of a 1-D
/// operand): the matrix gets an outer product, the vector a product with
/// the matrix, batched operands sum over their batch; by finite
/// differences, with size-1 dimensions.
TEST(TensorGraph, VectorProductGradientsMatchFiniteDifferences) {
  auto e = engine();
  auto g = build(*e, kVectorProducts, "g");
  ASSERT_TRUE(g);
  std::mt19937 rng(12);
  checkEachShape(*g, rng,
                 {{{3, 4}, {4}, {3}, {3, 2}},
                  {{1, 1}, {1}, {1}, {1, 1}},
                  {{2, 3, 4}, {4}, {3}, {2, 3, 5}},
                  {{5, 1}, {1}, {2}, {1, 2, 3}}});
}

const char *kMore = R"(
graph g(a: f64[], b: f64[], w: f64[]) {
  pb = prod(b + 2);
  p = prod(a * a + 1, axis=0, keepdims) + pb;
  q = sqrt(a * a + 1) / (b * b + 1) + floor(a) - ceil(b);
  r = mean(p * q, axis=-1) + min(a, axis=1);
  sr = sum(r);
  s = logsumexp(a, axis=0, keepdims) @ w + sr;
  loss = sum(s * s);
  da, db, dw = grad(loss, [a, b, w]);
  return loss, da, db, dw
}
)";

/// prod, sqrt, division, floor/ceil (zero), axis mean/min,
/// logsumexp and a vector-matrix product, by finite differences.
TEST(TensorGraph, MoreGradientsMatchFiniteDifferences) {
  auto e = engine();
  auto g = build(*e, kMore, "g");
  ASSERT_TRUE(g);
  std::mt19937 rng(11);
  for (int n : {3, 1}) {
    std::vector<Buf> bufs = {randomBuf({4, n}, rng, 0.1, 0.9),
                             randomBuf({n}, rng, 0.1, 0.9),
                             randomBuf({n, 2}, rng)};
    checkGradients(*g, bufs, {}, {0, 1, 2});
  }
}

TEST(TensorGraph, ForwardMatchesTheEagerReference) {
  const char *src = R"(
kernel k(x: f64[], w: f64[], b: f64[]) -> f64[] =
  sigmoid(tanh(x * w + b)) * exp(-tanh(x * w + b))
graph g(x: f64[], w: f64[], b: f64[]) {
  h = tanh(x * w + b);
  y = sigmoid(h) * exp(-h);
  return y
}
)";
  auto e = engine();
  auto g = build(*e, src, "g");
  ASSERT_TRUE(g);
  auto parsed = parseGraphProgram(src);
  ASSERT_TRUE(parsed.ok());
  std::mt19937 rng(4);
  std::vector<Buf> in = {randomBuf({5, 3}, rng), randomBuf({3}, rng),
                         randomBuf({5, 1}, rng)};
  std::vector<Arg> args = {in[0].arg(), in[1].arg(), in[2].arg()};
  Buf want{std::vector<double>(15), {5, 3}};
  ArrayView wv = ArrayView::contiguous(want.data.data(), DType::F64, {5, 3});
  ASSERT_EQ(evalEager(parsed.program.program.kernels[0], args, &wv, nullptr),
            "");
  std::vector<Arg> out;
  ASSERT_TRUE(g->run(args, out).ok());
  ASSERT_EQ(out[0].array.size(), 15);
  for (int i = 0; i < 15; ++i)
    EXPECT_NEAR(static_cast<const double *>(out[0].array.data)[i], want.data[i],
                1e-13);
}

/// The MLP's and softmax's forward values: graph (fused per plan) against
/// the eager reference evaluating each as one kernel.
TEST(TensorGraph, MatmulAndAxisForwardMatchTheEagerReference) {
  const char *src = R"(
kernel mlp(x: f64[], w1: f64[], b1: f64[], w2: f64[], b2: f64[]) -> f64[] =
  relu(x @ w1 + b1) @ w2 + b2
kernel soft(z: f64[]) -> f64[] =
  exp(z - max(z, axis=1, keepdims)) / sum(exp(z - max(z, axis=1, keepdims)), axis=1, keepdims)
graph g(x: f64[], w1: f64[], b1: f64[], w2: f64[], b2: f64[]) {
  h = relu(x @ w1 + b1);
  y = h @ w2 + b2;
  m = max(y, axis=1, keepdims);
  e = exp(y - m);
  p = e / sum(e, axis=1, keepdims);
  return y, p
}
)";
  auto e = engine();
  auto g = build(*e, src, "g");
  ASSERT_TRUE(g);
  auto parsed = parseGraphProgram(src);
  ASSERT_TRUE(parsed.ok());
  std::mt19937 rng(10);
  std::vector<Buf> in = {randomBuf({6, 4}, rng), randomBuf({4, 5}, rng),
                         randomBuf({5}, rng), randomBuf({5, 3}, rng),
                         randomBuf({3}, rng)};
  std::vector<Arg> args;
  for (Buf &b : in)
    args.push_back(b.arg());
  std::vector<Arg> out;
  ASSERT_TRUE(g->run(args, out).ok());
  std::vector<double> y(18), p(18);
  ArrayView yv = ArrayView::contiguous(y.data(), DType::F64, {6, 3});
  ArrayView pv = ArrayView::contiguous(p.data(), DType::F64, {6, 3});
  const auto &kernels = parsed.program.program.kernels;
  ASSERT_EQ(evalEager(kernels[0], args, &yv, nullptr), "");
  ASSERT_EQ(evalEager(kernels[1], {Arg::of(yv)}, &pv, nullptr), "");
  for (int i = 0; i < 18; ++i) {
    EXPECT_NEAR(static_cast<const double *>(out[0].array.data)[i], y[i], 1e-12);
    EXPECT_NEAR(static_cast<const double *>(out[1].array.data)[i], p[i], 1e-12);
  }
}

TEST(TensorGraph, PlansOncePerShapeAndAllocatesNothingAfter) {
  auto e = engine();
  auto g = build(*e, kElementwise, "g");
  ASSERT_TRUE(g);
  std::mt19937 rng(5);
  std::vector<Buf> in = {randomBuf({8, 4}, rng), randomBuf({4}, rng),
                         randomBuf({8, 1}, rng)};
  std::vector<Arg> args = {in[0].arg(), in[1].arg(), in[2].arg()};
  std::vector<Arg> out;
  ASSERT_TRUE(g->run(args, out).ok());
  GraphStats first = g->stats();
  const void *dx = out[1].array.data;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(g->run(args, out).ok());
  EXPECT_EQ(g->stats().plans, 1u);
  EXPECT_EQ(g->stats().allocations, first.allocations);
  EXPECT_EQ(out[1].array.data, dx);
  in[0] = randomBuf({2, 4}, rng);
  in[2] = randomBuf({2, 1}, rng);
  args = {in[0].arg(), in[1].arg(), in[2].arg()};
  ASSERT_TRUE(g->run(args, out).ok());
  EXPECT_EQ(g->stats().plans, 2u);
  EXPECT_GT(g->stats().allocations, first.allocations);
}

/// After the first call with a shape, calls allocate nothing at all: the
/// graph layer plans once and runs its kernels as bound calls. (Kernels
/// with `@` still allocate their packing buffers inside the engine, whose
/// bound calls do not take them yet, and axis-reduction passes their row
/// temporaries; docs/tensor-graphs.md, Limits.)
TEST(TensorGraph, RepeatedCallsDoNotAllocate) {
  auto e = engine();
  for (const char *src : {kElementwise}) {
    auto g = build(*e, src, "g");
    ASSERT_TRUE(g);
    std::mt19937 rng(9);
    std::vector<Buf> in = {randomBuf({8, 4}, rng), randomBuf({8, 4}, rng),
                           randomBuf({8, 1}, rng)};
    std::vector<Arg> args, out;
    for (Buf &b : in)
      args.push_back(b.arg());
    ASSERT_TRUE(g->run(args, out).ok());
    uint64_t before = tNews;
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(g->run(args, out).ok());
    EXPECT_EQ(tNews - before, 0u) << src;
  }
}

/// Threads calling one graph at once (with different shapes, so plans are
/// made while others run) each get their own correct result.
TEST(TensorGraph, ConcurrentCallsAreSerialised) {
  auto e = engine();
  auto g = build(*e,
                 "graph g(x: f64[]) {\n  l = sum(x * x);\n  d = grad(l, "
                 "[x]);\n  return l, d\n}",
                 "g");
  ASSERT_TRUE(g);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<double> x(3 + t, 1.0 + t);
      for (int i = 0; i < 200; ++i) {
        std::vector<Arg> out;
        auto view = ArrayView::contiguous(x.data(), DType::F64,
                                          {static_cast<int64_t>(x.size())});
        if (!g->run({Arg::of(view)}, out).ok() ||
            out[0].scalar.f != (3 + t) * (1.0 + t) * (1.0 + t))
          ++wrong;
        // the views are the graph's until its next run: only the scalar
        // result is read here
      }
    });
  for (std::thread &th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
}

/// Temporaries whose lifetimes do not overlap share a buffer: a, b and c
/// are each read by the next statement only, d is returned.
TEST(TensorGraph, TemporariesShareBuffersWhenLifetimesDoNotOverlap) {
  auto e = engine();
  auto g = build(*e, R"(graph g(x: f64[]) {
  a = x * 2;
  b = a * a + a;
  c = b * b + b;
  d = c * c + c;
  return d
})",
                 "g");
  ASSERT_TRUE(g);
  std::vector<double> x(1000, 0.5);
  std::vector<Arg> out;
  ASSERT_TRUE(
      g->run({Arg::of(ArrayView::contiguous(x.data(), DType::F64, {1000}))},
             out)
          .ok());
  EXPECT_EQ(g->stats().allocations, 2u); // a and c, then b and d
  EXPECT_EQ(g->stats().bufferBytes, 2u * 8000);
  double a = 1, b = a * a + a, c = b * b + b;
  EXPECT_EQ(static_cast<const double *>(out[0].array.data)[999], c * c + c);
}

TEST(TensorGraph, FusesSingleUseChainsAndKeepsSharedValues) {
  auto e = engine();
  auto g = build(*e, R"(graph g(x: f32[], w: f32[]) {
  y = relu(x * w + 1) * 2;
  return y
})",
                 "g");
  ASSERT_TRUE(g);
  std::vector<float> x(8, 1), w(8, 2);
  std::vector<Arg> out;
  ASSERT_TRUE(
      g->run({Arg::of(ArrayView::contiguous(x.data(), DType::F32, {8})),
              Arg::of(ArrayView::contiguous(w.data(), DType::F32, {8}))},
             out)
          .ok());
  EXPECT_EQ(g->plannedKernels().size(), 1u);
  EXPECT_EQ(static_cast<const float *>(out[0].array.data)[3], 6.0f);
}

/// 1500 chained statements: fused into kernels of bounded depth (the
/// kernel language nests 1000 deep), differentiated, no stack overflow.
TEST(TensorGraph, LongChainsAreCutIntoKernels) {
  std::string src = "graph g(x: f64[]) {\n  s0 = x;\n";
  for (int i = 1; i <= 1500; ++i)
    src += "  s" + std::to_string(i) + " = s" + std::to_string(i - 1) +
           " * 0.999 + 0.001;\n";
  src +=
      "  loss = sum(s1500);\n  dx = grad(loss, [x]);\n  return loss, dx\n}\n";
  auto e = engine();
  auto g = build(*e, src, "g");
  ASSERT_TRUE(g);
  std::vector<double> x = {1, 2, 3};
  std::vector<Arg> out;
  auto r =
      g->run({Arg::of(ArrayView::contiguous(x.data(), DType::F64, {3}))}, out);
  ASSERT_TRUE(r.ok()) << render(r.diagnostics(), false);
  EXPECT_NEAR(static_cast<const double *>(out[1].array.data)[0],
              std::pow(0.999, 1500), 1e-12);
  EXPECT_GT(g->plannedKernels().size(), 7u);
}

/// Two statements of 40 inputs each: fusing them would need 80 kernel
/// parameters (the limit is 60), so the first is kept.
TEST(TensorGraph, WideFusionsAreCutUnderTheParameterLimit) {
  std::string src = "graph g(";
  for (int i = 0; i < 80; ++i)
    src += (i ? ", a" : "a") + std::to_string(i) + ": f64[]";
  src += ") {\n  s = a0";
  for (int i = 1; i < 40; ++i)
    src += " + a" + std::to_string(i);
  src += ";\n  t = s";
  for (int i = 40; i < 80; ++i)
    src += " + a" + std::to_string(i);
  src += ";\n  return t\n}\n";
  auto e = engine();
  auto g = build(*e, src, "g");
  ASSERT_TRUE(g);
  std::vector<double> x(4, 0.5);
  std::vector<Arg> args(
      80, Arg::of(ArrayView::contiguous(x.data(), DType::F64, {4})));
  std::vector<Arg> out;
  auto r = g->run(args, out);
  ASSERT_TRUE(r.ok()) << render(r.diagnostics(), false);
  EXPECT_EQ(static_cast<const double *>(out[0].array.data)[3], 40.0);
  EXPECT_EQ(g->plannedKernels().size(), 2u);
}

/// grad by a statement's value (not only parameters), with the parameter
/// in the same list: dh = 2 h, dx = 2 dh (through h = 2 x).
TEST(TensorGraph, GradientsByIntermediateValues) {
  auto e = engine();
  auto g = build(*e,
                 "graph g(x: f64[]) {\n  h = x * 2;\n  l = sum(h * h);\n  "
                 "dh, dx = grad(l, [h, x]);\n  return dh, dx\n}",
                 "g");
  ASSERT_TRUE(g);
  std::vector<double> x = {1, -2, 3};
  std::vector<Arg> out;
  ASSERT_TRUE(
      g->run({Arg::of(ArrayView::contiguous(x.data(), DType::F64, {3}))}, out)
          .ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(static_cast<const double *>(out[0].array.data)[i], 4 * x[i]);
    EXPECT_EQ(static_cast<const double *>(out[1].array.data)[i], 8 * x[i]);
  }
}

/// A float cast passes the gradient back through the opposite cast:
/// d sum(f64(f32(x)) * x) / dx = 2 f64(f32(x)) exactly.
TEST(TensorGraph, CastsPassGradientsBack) {
  auto e = engine();
  auto g = build(*e,
                 "graph g(x: f64[]) {\n  l = sum(f64(f32(x)) * x);\n  "
                 "d = grad(l, [x]);\n  return d\n}",
                 "g");
  ASSERT_TRUE(g);
  std::vector<double> x = {0.1, 1.0 / 3, -7.7};
  std::vector<Arg> out;
  ASSERT_TRUE(
      g->run({Arg::of(ArrayView::contiguous(x.data(), DType::F64, {3}))}, out)
          .ok());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(static_cast<const double *>(out[0].array.data)[i],
              2 * double(float(x[i])));
}

TEST(TensorGraph, BadInputsAreInvalidArgument) {
  auto e = engine();
  auto g = build(
      *e, "graph g(x: f32[], y: f32[]) {\n  z = x + y;\n  return z\n}", "g");
  ASSERT_TRUE(g);
  std::vector<float> a(3), b(4);
  std::vector<Arg> out;
  auto r = g->run({Arg::of(ArrayView::contiguous(a.data(), DType::F32, {3})),
                   Arg::of(ArrayView::contiguous(b.data(), DType::F32, {4}))},
                  out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].kind, ErrorKind::InvalidArgument);
  EXPECT_EQ(r.diagnostics()[0].message,
            "shapes [3] and [4] do not broadcast (line 2, column 9)");
  r = g->run({Arg::of(Scalar::f32(1))}, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].message, "graph 'g' takes 2 inputs, got 1");
}

std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// docs/tensor-graphs.md shows examples/tensor/graphs.tk and the MLP graph
/// verbatim, and what it says about them holds: dz = (softmax(z) - y) / rows.
TEST(TensorGraph, DocsExamplesRunAsDocumented) {
  std::string root = KILN_SOURCE_DIR;
  std::string docs = slurp(root + "/docs/tensor-graphs.md");
  std::string xent = slurp(root + "/examples/tensor/graphs.tk");
  std::string mlp = slurp(root + "/examples/tensor/mlp/mlp.tk");
  ASSERT_FALSE(xent.empty());
  EXPECT_NE(docs.find(xent), std::string::npos) << "graphs.tk not in the docs";
  size_t from = mlp.find("graph step"), to = mlp.find("\n}\n", from) + 3;
  EXPECT_NE(docs.find(mlp.substr(from, to - from)), std::string::npos)
      << "mlp.tk's graph step not in the docs";
  auto e = engine();
  auto g = build(*e, xent, "xent");
  ASSERT_TRUE(g);
  std::mt19937 rng(8);
  Buf z = randomBuf({4, 5}, rng, -3, 3), y = randomBuf({4, 5}, rng, 0, 1);
  std::vector<Arg> out;
  ASSERT_TRUE(g->run({z.arg(), y.arg()}, out).ok());
  const double *p = static_cast<const double *>(out[1].array.data);
  const double *dz = static_cast<const double *>(out[2].array.data);
  for (int i = 0; i < 20; ++i)
    EXPECT_NEAR(dz[i],
                (p[i] *
                     [&] {
                       double s = 0;
                       for (int j = 0; j < 5; ++j)
                         s += y.data[i / 5 * 5 + j];
                       return s;
                     }() -
                 y.data[i]) /
                    4,
                1e-12);
}

} // namespace
} // namespace kiln::tensor
