// MatmulRun: running a matmul plan (see Matmul.h) — each step into a
// per-call temporary, then the fused last product straight into the output
// when the call allows it, else the rest of the body as its own kernel.
#include "Matmul.h"

#include "tensor/syntax/Limits.h"
#include "tensor/syntax/MatmulShape.h"

#include <algorithm>
#include <new>
#include <unistd.h>

namespace kiln::tensor {
namespace {

struct Temp {
  std::vector<uint64_t> words;
  ArrayView view;
};

/// A temporary of `shape`; throws bad_alloc (reported as out of memory)
/// when it exceeds the machine's memory, e.g. the [1e9, 1e9] product inside
/// `sum(a @ b)` (zero-filling it would only end in the OOM killer).
Temp makeTemp(DType type, const std::vector<int64_t> &shape) {
  Temp t;
  const int64_t n = syntax::elementCount(shape.data(), int(shape.size()));
  const double memory =
      double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  if (n < 0 || double(n) * dtypeSize(type) > memory)
    throw std::bad_alloc();
  t.words.assign(size_t(n * dtypeSize(type) + 15) / 8, 0);
  t.view = ArrayView::contiguous(t.words.data(), type, shape);
  return t;
}

std::vector<int64_t> shapeOf(const ArrayView &v) {
  return std::vector<int64_t>(v.shape, v.shape + v.rank);
}

/// The bytes [lo, hi] a non-empty view touches.
std::pair<intptr_t, intptr_t> byteRange(const ArrayView &v) {
  intptr_t lo = reinterpret_cast<intptr_t>(v.data), hi = lo;
  const intptr_t size = dtypeSize(v.dtype);
  for (int d = 0; d < v.rank; ++d) {
    const intptr_t span = intptr_t((v.shape[d] - 1) * v.strides[d]) * size;
    (span < 0 ? lo : hi) += span;
  }
  return {lo, hi + size - 1};
}

bool overlaps(const ArrayView &a, const ArrayView &b) {
  if (a.size() == 0 || b.size() == 0)
    return false;
  auto [alo, ahi] = byteRange(a);
  auto [blo, bhi] = byteRange(b);
  return alo <= bhi && blo <= ahi;
}

struct Runner {
  const MatmulPlan &plan;
  const Arg *args;
  Engine::Impl &engine;
  unsigned threads;
  std::vector<Temp> temps;

  Arg source(const MatmulSource &s) const {
    return s.arg >= 0 ? args[s.arg] : Arg::of(temps[size_t(s.temp)].view);
  }
  std::vector<Arg> sources(const MatmulStep &step) const {
    std::vector<Arg> all;
    for (const MatmulSource &s : step.sources)
      all.push_back(source(s));
    return all;
  }

  /// Step `step` into a new temporary.
  Status runStep(const MatmulStep &step) {
    std::vector<Arg> in = sources(step);
    if (step.kernel) {
      auto shape = resultShape(step.kernel->signature(), in);
      if (!shape)
        return shape.takeDiagnostics();
      temps.push_back(makeTemp(step.kernel->signature().resultType, *shape));
      return step.kernel->run(in, &temps.back().view, nullptr, threads);
    }
    std::vector<int64_t> shape;
    std::string err =
        syntax::matmulShape(shapeOf(in[0].array), shapeOf(in[1].array), shape);
    if (!err.empty())
      return callError(err);
    temps.push_back(makeTemp(step.tile->type, shape));
    std::vector<int64_t> sa = shapeOf(in[0].array), sb = shapeOf(in[1].array);
    syntax::promoteVectors(sa, sb);
    std::vector<int64_t> so;
    syntax::matmulShape(sa, sb, so); // the temporary's memory, 2-D rows
    GemmCall call{
        step.tile.get(),
        promoted(in[0].array, true),
        promoted(in[1].array, false),
        ArrayView::contiguous(temps.back().view.data, step.tile->type, so),
        {}};
    return runGemm(*engine.Pool, threads, call);
  }

  /// A 1-D operand as the [1, K] row (`a`) or [K, 1] column (`b`) NumPy
  /// takes it for; other views as they are.
  static ArrayView promoted(ArrayView v, bool isA) {
    if (v.rank != 1)
      return v;
    const int64_t n = v.shape[0], s = v.strides[0];
    v.rank = 2;
    v.shape[0] = isA ? 1 : n, v.shape[1] = isA ? n : 1;
    v.strides[0] = isA ? 0 : s, v.strides[1] = isA ? s : 0;
    return v;
  }

  /// The fused call when `out` can take the tiles directly: the product's
  /// shape (the epilogue did not broadcast it further), unit last stride,
  /// no overlap with an operand. False (nothing done) when it cannot.
  bool runFused(ArrayView *out, Status &status) {
    const MatmulStep &f = *plan.fused;
    std::vector<Arg> in;
    for (size_t k = 0; k < f.sources.size(); ++k) // the product: not yet
      in.push_back(k == 2 + plan.product ? Arg::of(Scalar{})
                                         : source(f.sources[k]));
    std::vector<int64_t> shape;
    if (!out || in[0].array.rank < 2 || in[1].array.rank < 2 || // 1-D: rest
        !syntax::matmulShape(shapeOf(in[0].array), shapeOf(in[1].array), shape)
             .empty() ||
        shapeOf(*out) != shape ||
        (shape.back() > 1 && out->strides[out->rank - 1] != 1))
      return false;
    for (const Arg &a : in)
      if (a.isArray && overlaps(a.array, *out))
        return false;
    GemmCall call{f.tile.get(), in[0].array, in[1].array, *out,
                  std::vector<Arg>(in.begin() + 2, in.end())};
    status = runGemm(*engine.Pool, threads, call);
    return true;
  }

  Status run(ArrayView *out, Scalar *result) {
    const size_t n = plan.steps.size();
    for (size_t k = 0; k + 1 < n; ++k)
      if (Status s = runStep(plan.steps[k]); !s)
        return s;
    if (Status fused; plan.fused && runFused(out, fused))
      return fused;
    if (Status s = runStep(plan.steps[n - 1]); !s)
      return s;
    std::vector<Arg> in = sources(plan.rest);
    return plan.rest.kernel->run(in, out, result, threads);
  }
};

} // namespace

Status runMatmul(const CompiledKernel::Impl &impl, const Arg *args,
                 size_t count, ArrayView *out, Scalar *result,
                 unsigned threads) {
  std::vector<Arg> all(args, args + count);
  if (Status call = checkCall(impl.Signature, all, out); !call)
    return call;
  Engine::Impl &engine = *impl.Owner;
  Runner runner{
      *impl.Matmul, args, engine, threads ? threads : engine.Pool->size(), {}};
  try {
    return runner.run(out, result);
  } catch (const std::bad_alloc &) {
    Diagnostic d =
        errorDiagnostic("out of memory for a matrix product's temporaries");
    d.kind = ErrorKind::Runtime;
    return d;
  }
}

} // namespace kiln::tensor
