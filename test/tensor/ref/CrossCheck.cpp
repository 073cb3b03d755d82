// CrossCheck: the column runner and comparison behind the JIT-vs-reference
// tests (see CrossCheck.h).
#include "CrossCheck.h"

#include <cmath>
#include <sstream>

namespace kiln::tensor::test {
namespace {

double valueAt(DType t, const uint8_t *p, size_t k) {
  switch (t) {
  case DType::Bool: return p[k] != 0;
  case DType::I32: {
    int32_t v;
    std::memcpy(&v, p + 4 * k, 4);
    return v;
  }
  case DType::I64: {
    int64_t v;
    std::memcpy(&v, p + 8 * k, 8);
    return double(v);
  }
  case DType::F32: {
    float v;
    std::memcpy(&v, p + 4 * k, 4);
    return v;
  }
  case DType::F64: {
    double v;
    std::memcpy(&v, p + 8 * k, 8);
    return v;
  }
  }
  return 0;
}

/// "" when `got` agrees with `want` (n elements of t), else a description.
std::string compare(DType t, const std::vector<uint8_t> &want,
                    const std::vector<uint8_t> &got, Tolerance tol) {
  if (want.size() != got.size())
    return "different sizes";
  const size_t n = want.size() / dtypeSize(t);
  for (size_t k = 0; k < n; ++k) {
    if (!isFloat(t)) {
      const unsigned w = dtypeSize(t);
      if (t == DType::Bool ? (want[k] != 0) != (got[k] != 0)
                           : std::memcmp(&want[k * w], &got[k * w], w) != 0)
        return "element " + std::to_string(k) + ": got " +
               std::to_string(valueAt(t, got.data(), k)) + ", want " +
               std::to_string(valueAt(t, want.data(), k));
      continue;
    }
    const double w = valueAt(t, want.data(), k), g = valueAt(t, got.data(), k);
    bool ok = (std::isnan(w) && std::isnan(g)) || w == g;
    if (!ok && tol.rel > 0 && std::isfinite(w) && std::isfinite(g)) {
      const double tiny =
          t == DType::F32 ? 1.17549435e-38 : 2.2250738585072014e-308;
      const double scale =
          tol.scale > 0 ? tol.scale : std::max(std::fabs(w), std::fabs(g));
      ok = std::fabs(w - g) <= tol.rel * scale + tiny;
    }
    if (!ok) {
      std::ostringstream os;
      os.precision(17);
      os << "element " << k << ": got " << g << ", want " << w;
      return os.str();
    }
  }
  return "";
}

std::vector<uint8_t> scalarBytes(DType t, const Scalar &s) {
  std::vector<uint8_t> b(dtypeSize(t));
  switch (t) {
  case DType::Bool: b[0] = s.i != 0; break;
  case DType::I32: {
    int32_t v = int32_t(s.i);
    std::memcpy(b.data(), &v, 4);
    break;
  }
  case DType::I64: std::memcpy(b.data(), &s.i, 8); break;
  case DType::F32: {
    float v = float(s.f);
    std::memcpy(b.data(), &v, 4);
    break;
  }
  case DType::F64: std::memcpy(b.data(), &s.f, 8); break;
  }
  return b;
}

using Column = std::function<std::string(ArrayView *, Scalar *)>;

/// Runs every column; out views come from makeOut(buffer) over zeroed
/// buffers of `bytes`; returns false after reporting the first mismatch.
bool runColumns(const std::string &source, const std::vector<Arg> &args,
                size_t bytes, const std::function<ArrayView(void *)> &makeOut,
                Tolerance tol) {
  Kernel k = kernelOf(source);
  if (!k.body)
    return false;
  Engines &e = Engines::get();
  auto c0 = compile(*e.o0, source), c3 = compile(*e.o3, source);
  EXPECT_TRUE(c0.ok() && c3.ok()) << source << "\n" << render(c0.diagnostics());
  if (!c0.ok() || !c3.ok())
    return false;
  std::vector<std::pair<std::string, Column>> cols = {
      {"eager",
       [&](ArrayView *o, Scalar *r) { return evalEager(k, args, o, r); }},
      {"blocked",
       [&](ArrayView *o, Scalar *r) { return evalBlocked(k, args, o, r); }},
      {"jit O0",
       [&](ArrayView *o, Scalar *r) {
         return message(c0->kernels[0]->run(args, o, r, 1));
       }},
      {"jit O3 1 thread",
       [&](ArrayView *o, Scalar *r) {
         return message(c3->kernels[0]->run(args, o, r, 1));
       }},
      {"jit O3 2 threads",
       [&](ArrayView *o, Scalar *r) {
         return message(c3->kernels[0]->run(args, o, r, 2));
       }},
  };
  std::vector<std::vector<uint8_t>> results;
  for (auto &[name, run] : cols) {
    std::vector<uint8_t> buf(bytes + 8, 0);
    ArrayView out = makeOut(buf.data());
    Scalar r;
    std::string err = run(k.resultIsArray ? &out : nullptr, &r);
    EXPECT_EQ(err, "") << name << "\n" << source;
    if (!err.empty())
      return false;
    buf.resize(bytes);
    results.push_back(k.resultIsArray ? buf : scalarBytes(k.resultType, r));
    const std::string diff =
        compare(k.resultType, results.front(), results.back(), tol);
    EXPECT_EQ(diff, "") << name << " vs eager\n" << source;
    if (!diff.empty())
      return false;
  }
  // Bit-identical across thread counts: required for reductions, and for
  // elementwise kernels compared exactly (no vector-vs-scalar math routine).
  if (!k.resultIsArray || tol.rel == 0) {
    EXPECT_EQ(results[3], results[4])
        << "JIT results differ between 1 and 2 threads\n"
        << source;
    return results[3] == results[4];
  }
  return true;
}

} // namespace

Engines &Engines::get() {
  // Never destroyed: the engines live until exit (a global root, not a leak).
  static Engines *engines = [] {
    auto *e = new Engines;
    EngineOptions o;
    o.threads = 2;
    o.parallelThreshold = e->threshold = 4096;
    o.cache = false;
    o.optLevel = kiln::OptLevel::O0;
    auto o0 = Engine::create(o);
    o.optLevel = kiln::OptLevel::O3;
    auto o3 = Engine::create(o);
    if (!o0 || !o3)
      ADD_FAILURE() << "cannot create the JIT engines: " << message(o0)
                    << message(o3);
    e->o0 = o0 ? std::move(*o0) : nullptr;
    e->o3 = o3 ? std::move(*o3) : nullptr;
    return e;
  }();
  return *engines;
}

bool crossCheck(const std::string &source, const std::vector<Arg> &args,
                const std::vector<int64_t> &outShape, Tolerance tol) {
  Kernel k = kernelOf(source);
  int64_t n = 1;
  for (int64_t d : outShape)
    n *= d;
  const DType t = k.resultType;
  return runColumns(
      source, args, k.resultIsArray ? size_t(n) * dtypeSize(t) : 0,
      [&](void *p) { return ArrayView::contiguous(p, t, outShape); }, tol);
}

bool crossCheckStridedOut(const std::string &source,
                          const std::vector<Arg> &args, size_t bufferBytes,
                          ArrayView (*makeOut)(void *)) {
  return runColumns(source, args, bufferBytes, makeOut, {});
}

} // namespace kiln::tensor::test
