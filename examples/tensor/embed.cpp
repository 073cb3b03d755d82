// embed: using Kiln's tensor kernels from a C++ program — one kernel from
// source text, one built with the expression builder, both JIT-compiled to
// fused loops and called on the program's own arrays (docs/tensor.md).
// Errors come back as kiln::Diagnostics; kiln::render turns them into the
// `file:line:col: error: ...` text a terminal shows.
#include "kiln/tensor/Builder.h"
#include "kiln/tensor/Tensor.h"

#include <cmath>
#include <cstdio>
#include <vector>

using namespace kiln::tensor;

/// Prints why a step failed, as a terminal shows it; returns main's status.
static int fail(const kiln::Diagnostics &diags) {
  std::fprintf(stderr, "%s\n", kiln::render(diags).c_str());
  return 1;
}

int main() {
  auto engine = Engine::create(); // O3, all cores, cache on
  if (!engine)
    return fail(engine.diagnostics());

  // From text.
  auto text =
      compile(**engine, "kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)",
              {"dot.tk"});
  if (!text)
    return fail(text.diagnostics());

  // From C++: relu(alpha * a * b + c) without any source text.
  KernelBuilder b;
  Val a = b.array("a", DType::F32), x = b.array("b", DType::F32);
  Val c = b.array("c", DType::F32), alpha = b.scalar("alpha", DType::F32);
  auto built = compile(**engine, b.kernel("fma_relu", relu(alpha * a * x + c)));
  if (!built)
    return fail(built.diagnostics());

  const int64_t n = 1 << 20;
  std::vector<float> fa(n), fb(n), fc(n), out(n);
  std::vector<double> da(n), db(n);
  for (int64_t i = 0; i < n; ++i) {
    fa[i] = float(i % 10) - 4.5f;
    fb[i] = 0.5f;
    fc[i] = float(i % 3);
    da[i] = 1.0 / double(i + 1);
    db[i] = double(i + 1);
  }
  auto view = [n](auto &v, DType t) {
    return ArrayView::contiguous(v.data(), t, {n});
  };
  ArrayView o = view(out, DType::F32);
  kiln::Status ran = (*built)->run(
      {Arg::of(view(fa, DType::F32)), Arg::of(view(fb, DType::F32)),
       Arg::of(view(fc, DType::F32)), Arg::of(Scalar::f32(2.0f))},
      &o, nullptr);
  Scalar dot;
  if (ran)
    ran = text->find("dot")->run(
        {Arg::of(view(da, DType::F64)), Arg::of(view(db, DType::F64))}, nullptr,
        &dot);
  if (!ran) // a bad call: ErrorKind::InvalidArgument, no location
    return fail(ran.diagnostics());
  int wrong = 0;
  for (int64_t i = 0; i < n; ++i)
    wrong += out[i] != std::fmax(2.0f * fa[i] * fb[i] + fc[i], 0.0f);
  std::printf("fma_relu: out[0..4] = %g %g %g %g %g, %d wrong of %lld\n",
              out[0], out[1], out[2], out[3], out[4], wrong, (long long)n);
  std::printf("dot = %.1f (expected %lld)\n", dot.f, (long long)n);
  return wrong == 0 && std::fabs(dot.f - double(n)) < 1e-6 * double(n) ? 0 : 1;
}
