// tensor_bench: the in-process columns of `scripts/bench tensor` — the JIT
// (1 thread, all threads), the AOT library, the hand-written g++ loops, the
// eager and the blocked references — timed interleaved on the same inputs,
// plus STREAM copy/triad and compile latency. Prints one JSON object.
//
//   tensor_bench run --kernel K --n N --reps R --tk kernels.tk
//                    --native native.so [--aot kernels.so] [--seed S]
//   tensor_bench stream --n N --reps R --native native.so
//   tensor_bench compile --reps R
// Inputs are the counter-hash values numpy_bench.py generates too, so the
// NumPy column can be checked against the eager result's samples.
//
// What each column calls, each inside one std::function, arguments built
// once: the JIT CompiledKernel::run(const Arg *, count, ...) (checks every
// view, then the loop); the AOT library's C entry (checks its
// kiln_tensor_array views, then the loop); the g++ loop its raw pointers
// and count (no checks); the references evalEager/evalBlocked.
#include "TensorBenchUtil.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <malloc.h>

using namespace kiln::tensor;
using namespace kiln::bench;

namespace {

/// Per-kernel description: parameters' seeds and the native/AOT entries.
struct Spec {
  int arrays;   ///< a, b, c: seeds 1, 2, 3
  float scalar; ///< s / alpha (0: none)
  bool reduce;
  int bytesPerElem; ///< read + written
};

const Spec *specOf(const std::string &k) {
  static const std::pair<const char *, Spec> specs[] = {
      {"copy", {1, 0, false, 8}},          {"triad", {2, 1.5f, false, 12}},
      {"fma_relu", {3, 0.75f, false, 16}}, {"tanh_k", {1, 0, false, 8}},
      {"sigmoid_mul", {2, 0, false, 12}},  {"dot", {2, 0, true, 8}}};
  for (auto &[name, s] : specs)
    if (k == name)
      return &s;
  return nullptr;
}

/// The hand-written (and scalar-libm) loop of kernel k, as one callable.
Callable nativeColumn(Library &lib, const std::string &k, const char *prefix,
                      Inputs &in, float *out, float *result) {
  const std::string sym = std::string(prefix) + (k == "tanh_k" ? "tanh" : k);
  void *f = lib.sym(sym);
  if (!f)
    return nullptr;
  const float *a = in.a(), *b = in.b(), *c = in.c();
  const float s = in.scalar;
  const int64_t n = in.n;
  if (k == "copy")
    return [=] {
      reinterpret_cast<void (*)(const float *, float *, int64_t)>(f)(a, out, n);
    };
  if (k == "triad")
    return [=] {
      reinterpret_cast<void (*)(const float *, const float *, float, float *,
                                int64_t)>(f)(a, b, s, out, n);
    };
  if (k == "fma_relu")
    return [=] {
      reinterpret_cast<void (*)(const float *, const float *, const float *,
                                float, float *, int64_t)>(f)(a, b, c, s, out,
                                                             n);
    };
  if (k == "tanh_k")
    return [=] {
      reinterpret_cast<void (*)(const float *, float *, int64_t)>(f)(a, out, n);
    };
  if (k == "sigmoid_mul")
    return [=] {
      reinterpret_cast<void (*)(const float *, const float *, float *,
                                int64_t)>(f)(a, b, out, n);
    };
  return [=] {
    *result =
        reinterpret_cast<float (*)(const float *, const float *, int64_t)>(f)(
            a, b, n);
  };
}

int runMode(const Options &o) {
  const Spec *spec = specOf(o.kernel);
  if (!spec)
    return fail("unknown kernel '" + o.kernel + "'");
  std::string source;
  if (!readText(o.tk, source))
    return fail("cannot read " + o.tk);
  ParseResult parsed = parseProgram(source);
  const Kernel *kernel = parsed.program.find(o.kernel);
  if (!parsed.ok() || !kernel)
    return fail("kernel " + o.kernel + " not in " + o.tk);
  Inputs in(o.n, spec->arrays, spec->scalar);
  std::vector<float> out(size_t(std::max<int64_t>(o.n, 1))), want(out.size());
  ArrayView outView = ArrayView::contiguous(out.data(), DType::F32, {o.n});
  ArrayView wantView = ArrayView::contiguous(want.data(), DType::F32, {o.n});
  std::vector<Arg> args = in.args();
  float result = 0, wantResult = 0;
  Scalar scalar;
  // The eager reference first: every other column is checked against it.
  if (std::string err =
          evalEager(*kernel, args, spec->reduce ? nullptr : &wantView, &scalar);
      !err.empty())
    return fail("eager: " + err);
  wantResult = float(scalar.f);

  EngineOptions eo;
  std::string err;
  auto engine = Engine::create(eo);
  if (!engine)
    return fail("JIT: " + kiln::render(engine.diagnostics()));
  auto cr = compile(**engine, source);
  if (!cr.ok())
    return fail("JIT: " + kiln::render(cr.diagnostics()));
  auto jit = cr->find(o.kernel);
  Library native(o.native), aot(o.aot);
  ArrayView *ov = spec->reduce ? nullptr : &outView;
  std::vector<Column> cols;
  auto kiln = [&](std::string name, std::function<std::string()> call) {
    cols.push_back({std::move(name), [call, &err] { err = call(); }});
  };
  // The JIT columns call run() on the argument array directly (one
  // std::function hop, as the g++ and AOT columns have).
  const Arg *argv = args.data();
  const size_t argc = args.size();
  const CompiledKernel *k = jit.get();
  auto jitColumn = [&, ov, argv, argc, k](unsigned threads) {
    return [&, ov, argv, argc, k, threads] {
      Scalar r;
      if (kiln::Status s = k->run(argv, argc, ov, &r, threads); !s)
        err = s.diagnostics().front().message;
      result = float(r.f);
    };
  };
  cols.push_back({"jit1", jitColumn(1)});
  cols.push_back({"jitN", jitColumn(0)});
  if (Callable c = aotColumn(aot, o.kernel, in, out.data(), &result))
    cols.push_back({"aot", c});
  if (Callable c =
          nativeColumn(native, o.kernel, "native_", in, out.data(), &result))
    cols.push_back({"native", c});
  if (o.kernel == "tanh_k" || o.kernel == "sigmoid_mul")
    if (Callable c =
            nativeColumn(native, o.kernel, "scalar_", in, out.data(), &result))
      cols.push_back({"scalar_libm", c});
  kiln("eager", [&, ov] {
    Scalar r;
    auto e = evalEager(*kernel, args, ov, &r);
    result = float(r.f);
    return e;
  });
  kiln("blocked", [&, ov] {
    Scalar r;
    auto e = evalBlocked(*kernel, args, ov, &r);
    result = float(r.f);
    return e;
  });

  Checker check{spec->reduce, o.n, want.data(), wantResult, in.dotScale()};
  std::vector<std::string> verdicts;
  for (Column &c : cols) {
    std::fill(out.begin(), out.end(), -12345.0f);
    err.clear();
    c.call();
    verdicts.push_back(err.empty() ? check(out.data(), result)
                                   : "error: " + err);
  }
  std::vector<std::vector<double>> times =
      timeInterleaved(cols, o.reps, o.seed);
  printJson(std::cout, o, spec->bytesPerElem, cols, times, verdicts,
            want.data(), wantResult, spec->reduce, check.scale);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  // Reuse freed heap memory between calls, the steady state NumPy's process
  // reaches: with glibc's dynamic mmap threshold, a temporary of the size
  // just freed is mmapped again and its pages faulted in on every call of
  // the eager reference. (Temporaries of >= 32 MB are still mmapped; the
  // eager executor marks those for huge pages, as NumPy does.)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  Options o;
  if (std::string err = parseOptions(argc, argv, o); !err.empty())
    return fail(err);
  if (o.mode == "run")
    return runMode(o);
  if (o.mode == "stream")
    return streamMode(o);
  return compileMode(o);
}
