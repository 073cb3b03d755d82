// Run: a checked call of a JIT kernel — the context block from the views,
// then the shared C driver with the engine's pool as its parallel hook.
//
// Most calls pass rank-1 contiguous arrays of the output's length: the
// kernel's rank-1 check (a RankOnePlan, unrolled for its parameter counts)
// accepts those and runs the flat loop with the context on the stack — no
// allocation, no strings, no per-argument table switch. Other contiguous
// calls of one shape are checked by plainContext; anything else, and every
// call that is wrong, takes the general path, whose checkCall words the
// error. A bound call (CompiledKernel::bind) keeps the checked call's
// context block and reruns it with no check at all.
#include "EngineImpl.h"
#include "tensor/syntax/Limits.h"

#include <algorithm>
#include <cstring>

namespace kiln::tensor {

/// The scalar's bits in a context word (f32 in the low 4 bytes).
int64_t scalarBits(const Scalar &s) {
  int64_t word = 0;
  switch (s.dtype) {
  case DType::F32: {
    float f = static_cast<float>(s.f);
    std::memcpy(&word, &f, sizeof f);
    break;
  }
  case DType::F64: std::memcpy(&word, &s.f, sizeof s.f); break;
  case DType::I32: {
    int32_t i = static_cast<int32_t>(s.i);
    std::memcpy(&word, &i, sizeof i);
    break;
  }
  case DType::I64: word = s.i; break;
  case DType::Bool: word = s.i != 0; break;
  }
  return word;
}

Scalar scalarFrom(DType t, const unsigned char *bytes) {
  switch (t) {
  case DType::F32: {
    float f;
    std::memcpy(&f, bytes, sizeof f);
    return Scalar::f32(f);
  }
  case DType::F64: {
    double d;
    std::memcpy(&d, bytes, sizeof d);
    return Scalar::f64(d);
  }
  case DType::I32: {
    int32_t i;
    std::memcpy(&i, bytes, sizeof i);
    return Scalar::i32(i);
  }
  case DType::I64: {
    int64_t i;
    std::memcpy(&i, bytes, sizeof i);
    return Scalar::i64(i);
  }
  case DType::Bool: return Scalar::boolean(bytes[0] != 0);
  }
  return {};
}

namespace {

/// Writes `view` into slot `slot`, right-aligned to 4 dims; dims of size 1
/// (broadcast) get stride 0.
void fillSlot(int64_t *ctx, int slot, const ArrayView &view) {
  int64_t *s = ctx + KT_CTX_SLOTS + slot * KT_SLOT_WORDS;
  s[KT_SLOT_DATA] = reinterpret_cast<int64_t>(view.data);
  int pad = kMaxRank - view.rank;
  for (int d = 0; d < kMaxRank; ++d) {
    int src = d - pad;
    bool real = src >= 0 && view.shape[src] != 1;
    s[KT_SLOT_STRIDES + d] = real ? view.strides[src] : 0;
  }
}

void poolRun(void *pool, int64_t ntasks, kt_task_fn fn, void *arg,
             unsigned threads) {
  static_cast<exec::ThreadPool *>(pool)->run(ntasks, threads, fn, arg);
}

struct PoolHook {
  exec::ThreadPool *pool;
  unsigned threads;
};

void hookRun(void *hook, int64_t ntasks, kt_task_fn fn, void *arg) {
  auto *h = static_cast<PoolHook *>(hook);
  poolRun(h->pool, ntasks, fn, arg, h->threads);
}

/// The element count of `v` when it has `ref`'s rank (0-4) and shape, is
/// contiguous and usable (data present unless empty, at most kMaxElements
/// elements); else -1.
int64_t plainSize(const ArrayView &v, const ArrayView &ref) {
  if (v.rank != ref.rank || v.rank < 0 || v.rank > kMaxRank)
    return -1;
  int64_t expected = 1;
  for (int d = v.rank - 1; d >= 0; --d) {
    int64_t size = v.shape[d];
    if (size != ref.shape[d] || size < 0 ||
        (size != 1 && v.strides[d] != expected) ||
        __builtin_mul_overflow(expected, size, &expected) ||
        expected > syntax::kMaxElements)
      return -1;
  }
  return v.data || expected == 0 ? expected : -1;
}

/// plainSize(v, ref) == n for a `ref` of n elements already checked, with
/// the common rank-1 case in plain compares.
bool plainLike(const ArrayView &v, const ArrayView &ref, int64_t n) {
  if (v.rank != 1 || ref.rank != 1)
    return plainSize(v, ref) >= 0;
  return v.shape[0] == n && (v.strides[0] == 1 || n == 1) && (v.data || !n);
}

/// Contiguous views of n elements (`size`, `outSize` bytes each): disjoint,
/// or the same elements (same data and dtype: the identical view).
bool plainDisjoint(const ArrayView &in, unsigned size, const ArrayView &out,
                   unsigned outSize, int64_t n) {
  if (n == 0 || (in.data == out.data && in.dtype == out.dtype))
    return true;
  auto lo = reinterpret_cast<uintptr_t>(in.data);
  auto olo = reinterpret_cast<uintptr_t>(out.data);
  return lo + uintptr_t(n) * size <= olo || olo + uintptr_t(n) * outSize <= lo;
}

/// The fast path: checks the call with plain compares (PlainCode, ElemSize)
/// while filling the slots' data and scalar words of `ctx` (all the flat
/// loop reads; the driver fills the rest if it needs it). Returns the
/// element count, or -1 for anything but a well-formed call whose arrays
/// (and array output) are all contiguous with one shape; the general path
/// then decides, and words any error.
int64_t plainContext(const CompiledKernel::Impl &P, const Arg *args,
                     size_t count, const ArrayView *out, const Scalar *result,
                     int64_t *ctx) {
  const Kernel &k = P.Signature;
  const unsigned char *size = P.ElemSize.data();
  if (count + 1 != P.ElemSize.size())
    return -1;
  const ArrayView *ref = nullptr;
  int64_t n = 1;
  if (k.resultIsArray) {
    if (!out || out->dtype != k.resultType || (n = plainSize(*out, *out)) < 0)
      return -1;
    ref = out;
  } else if (!result) {
    return -1;
  }
  bool anyArray = false;
  for (size_t s = 0; s < count; ++s) {
    const Arg &a = args[s];
    int64_t *slot = ctx + KT_CTX_SLOTS + s * KT_SLOT_WORDS;
    if (!a.isArray) {
      if (P.PlainCode[s] != static_cast<unsigned char>(a.scalar.dtype))
        return -1;
      slot[KT_SLOT_SCALAR] = scalarBits(a.scalar);
      continue;
    }
    const ArrayView &v = a.array;
    if (P.PlainCode[s] != (0x80 | static_cast<unsigned char>(v.dtype)))
      return -1;
    if (!ref) {
      if ((n = plainSize(v, v)) < 0)
        return -1;
      ref = &v;
    } else if (!plainLike(v, *ref, n)) {
      return -1;
    }
    if (k.resultIsArray && !plainDisjoint(v, size[s], *out, size[count], n))
      return -1;
    anyArray = true;
    slot[KT_SLOT_DATA] = reinterpret_cast<int64_t>(v.data);
  }
  // No array argument: the broadcast shape is [] (rank 0).
  if (k.resultIsArray && !anyArray && out->rank != 0)
    return -1;
  ctx[KT_CTX_SLOTS + count * KT_SLOT_WORDS + KT_SLOT_DATA] =
      k.resultIsArray ? reinterpret_cast<int64_t>(out->data) : 0;
  return n;
}

/// plainLike's rank-1 case: a view of dtype `t`, n elements, contiguous (a
/// length-1 view may have any stride), data present unless empty.
bool rankOne(const ArrayView &v, DType t, int64_t n) {
  return v.dtype == t && v.rank == 1 && v.shape[0] == n &&
         n <= syntax::kMaxElements && (v.strides[0] == 1 || n == 1) &&
         (v.data || !n);
}

/// plainContext for the most common call, all arrays (and an array output)
/// rank 1, with the kernel's RankOnePlan: NA arrays and NS scalars (0: the
/// plan's counts, a loop), no rank loop, no per-argument table switch.
/// Accepts a subset of what plainContext accepts and fills the same words;
/// -1 for anything else.
template <unsigned NA, unsigned NS, bool OutArray>
[[gnu::always_inline]] inline int64_t
rankOneContext(const RankOnePlan &plan, const Arg *args, size_t count,
               const ArrayView *out, const Scalar *result, int64_t *ctx) {
  const unsigned arrays = NA ? NA : plan.arrays;
  const unsigned scalars = NA ? NS : plan.scalars;
  // No arrays: the broadcast shape is [], never the rank-1 case.
  if (!arrays || count != plan.count || (OutArray ? !out : !result))
    return -1;
  auto argAt = [args](const RankOnePlan::Entry &e) -> const Arg & {
    return *reinterpret_cast<const Arg *>(reinterpret_cast<const char *>(args) +
                                          e.argByte);
  };
  int64_t n = OutArray ? out->shape[0] : argAt(plan.array[0]).array.shape[0];
  if (n < 0 || (OutArray && !rankOne(*out, plan.outType, n)))
    return -1;
  for (unsigned i = 0; i < arrays; ++i) {
    const RankOnePlan::Entry &e = plan.array[i];
    const Arg &a = argAt(e);
    if (!a.isArray || !rankOne(a.array, e.type, n) ||
        (OutArray && !plainDisjoint(a.array, e.size, *out, plan.outSize, n)))
      return -1;
    ctx[e.word] = reinterpret_cast<int64_t>(a.array.data);
  }
  for (unsigned i = 0; i < scalars; ++i) {
    const RankOnePlan::Entry &e = plan.scalar[i];
    const Arg &a = argAt(e);
    if (a.isArray || a.scalar.dtype != e.type)
      return -1;
    ctx[e.word] = scalarBits(a.scalar);
  }
  ctx[KT_CTX_SLOTS + count * KT_SLOT_WORDS + KT_SLOT_DATA] =
      OutArray ? reinterpret_cast<int64_t>(out->data) : 0;
  return n;
}

/// The driver's status and scalar result as run()'s answer.
Status callResult(const CompiledKernel::Impl &P, int rc,
                  const unsigned char *bytes, Scalar *result) {
  if (rc == 3)
    return P.StridedError;
  if (rc != 0) {
    Diagnostic d =
        errorDiagnostic("out of memory for the reduction partials of kernel '" +
                        P.Signature.name + "'");
    d.kind = ErrorKind::Runtime;
    return d;
  }
  if (!P.Signature.resultIsArray)
    *result = scalarFrom(P.Signature.resultType, bytes);
  return {};
}

/// Runs a filled context on the driver, with the pool when the call is
/// large enough for it (the driver decides how to split).
int execute(const CompiledKernel::Impl &P, int64_t *ctx, int64_t n,
            unsigned char *bytes, unsigned threads) {
  Engine::Impl &engine = *P.Owner;
  if (n >= 0 && n < P.Threshold)
    return kt_execute_contiguous(&P.Fns, ctx, n, bytes, nullptr);
  PoolHook hook{engine.Pool.get(), threads ? threads : engine.Pool->size()};
  kt_parallel par{hookRun, &hook, hook.threads,
                  engine.Options.parallelThreshold};
  return n >= 0 ? kt_execute_contiguous(&P.Fns, ctx, n, bytes, &par)
                : kt_execute(&P.Fns, ctx, bytes, &par);
}

/// The full context of a checked call: the broadcast shape, every slot's
/// data, strides and scalar.
std::vector<int64_t> generalContext(const CompiledKernel::Impl &P,
                                    const std::vector<Arg> &args,
                                    const ArrayView *out) {
  std::vector<std::vector<int64_t>> shapes;
  for (const Arg &a : args)
    if (a.isArray)
      shapes.emplace_back(a.array.shape, a.array.shape + a.array.rank);
  std::vector<int64_t> shape = *broadcastShapes(shapes);
  std::vector<int64_t> ctx(KT_CTX_WORDS(P.Fns.nslots), 0);
  int pad = kMaxRank - static_cast<int>(shape.size());
  for (int d = 0; d < kMaxRank; ++d)
    ctx[KT_CTX_SHAPE + d] = d < pad ? 1 : shape[d - pad];
  for (size_t s = 0; s < args.size(); ++s) {
    if (args[s].isArray)
      fillSlot(ctx.data(), static_cast<int>(s), args[s].array);
    else
      ctx[KT_CTX_SLOTS + s * KT_SLOT_WORDS + KT_SLOT_SCALAR] =
          scalarBits(args[s].scalar);
  }
  if (P.Signature.resultIsArray)
    fillSlot(ctx.data(), static_cast<int>(args.size()), *out);
  return ctx;
}

/// Any other call: checkCall (the error messages), then the full context;
/// the driver coalesces and picks the loop.
Status runGeneral(const CompiledKernel::Impl &P, const std::vector<Arg> &args,
                  ArrayView *out, Scalar *result, unsigned threads) {
  const Kernel &k = P.Signature;
  if (Status call = checkCall(k, args, out); !call)
    return call;
  if (!k.resultIsArray && !result)
    return callError("kernel '" + k.name + "' returns a scalar: pass a result");
  std::vector<int64_t> ctx = generalContext(P, args, out);
  alignas(8) unsigned char bytes[8] = {0};
  return callResult(P, execute(P, ctx.data(), -1, bytes, threads), bytes,
                    result);
}

/// The rest of run(): `n` is the rank-1 check's answer; when -1, plainContext
/// decides; then the flat loop, the driver or the general path.
[[gnu::noinline]] Status finishCall(const CompiledKernel::Impl &P,
                                    const Arg *args, size_t count,
                                    ArrayView *out, Scalar *result,
                                    unsigned threads, int64_t *ctx, int64_t n) {
  if (n < 0)
    n = plainContext(P, args, count, out, result, ctx);
  if (n >= 0 && n < P.Threshold && !P.Fns.combine) {
    P.Fns.flat(ctx, 0, n, nullptr);
    return {};
  }
  if (n < 0)
    return runGeneral(P, std::vector<Arg>(args, args + count), out, result,
                      threads);
  alignas(8) unsigned char bytes[8] = {0};
  return callResult(P, execute(P, ctx, n, bytes, threads), bytes, result);
}

/// run() for a kernel of NA arrays and NS scalars (NA 0: the plan's counts,
/// or no arrays): the rank-1 check, then the common call — elementwise below
/// the thread threshold: the flat loop over [0, n); a reduction: its chunks
/// in order, partials on the stack — and anything else to finishCall. The
/// context is sized for the kernel's slots, the most any path writes.
template <unsigned NA, unsigned NS, bool OutArray>
Status runRankOne(const CompiledKernel::Impl &P, const Arg *args, size_t count,
                  ArrayView *out, Scalar *result, unsigned threads) {
  int64_t ctx[KT_CTX_WORDS(NA ? NA + NS + 1 : 64)];
  int64_t n =
      rankOneContext<NA, NS, OutArray>(P.Plan, args, count, out, result, ctx);
  if (n >= 0 && n < P.Threshold) {
    if (OutArray) {
      P.Fns.flat(ctx, 0, n, nullptr);
      return {};
    }
    // (Only a kernel of more than KT_ROW_REDUCTIONS reductions can fail
    // here, out of memory: finishCall then runs it again and words the
    // error; a reduction writes nothing but the result.)
    alignas(8) unsigned char bytes[8] = {0};
    if (kt_execute_contiguous(&P.Fns, ctx, n, bytes, nullptr) == 0) {
      *result = scalarFrom(P.Signature.resultType, bytes);
      return {};
    }
  }
  return finishCall(P, args, count, out, result, threads, ctx, n);
}

/// The check and the runner for NA arrays, NS = 0..3 scalars.
template <unsigned NA>
constexpr RankOneFn kChecks[] = {
    rankOneContext<NA, 0, false>, rankOneContext<NA, 0, true>,
    rankOneContext<NA, 1, false>, rankOneContext<NA, 1, true>,
    rankOneContext<NA, 2, false>, rankOneContext<NA, 2, true>,
    rankOneContext<NA, 3, false>, rankOneContext<NA, 3, true>};
template <unsigned NA>
constexpr RankOneRun kRuns[] = {
    runRankOne<NA, 0, false>, runRankOne<NA, 0, true>,
    runRankOne<NA, 1, false>, runRankOne<NA, 1, true>,
    runRankOne<NA, 2, false>, runRankOne<NA, 2, true>,
    runRankOne<NA, 3, false>, runRankOne<NA, 3, true>};

} // namespace

// Entry::argByte and ::word of slots < 64 fit 16 bits.
static_assert(64 * sizeof(Arg) <= UINT16_MAX && KT_CTX_WORDS(64) <= UINT16_MAX);

RankOnePlan makeRankOnePlan(const Kernel &kernel) {
  RankOnePlan plan;
  for (size_t slot = 0; slot < kernel.params.size(); ++slot) {
    const Param &p = kernel.params[slot];
    RankOnePlan::Entry &e =
        p.isArray ? plan.array[plan.arrays++] : plan.scalar[plan.scalars++];
    e.argByte = static_cast<uint16_t>(slot * sizeof(Arg));
    e.word = static_cast<uint16_t>(KT_CTX_SLOTS + slot * KT_SLOT_WORDS +
                                   (p.isArray ? KT_SLOT_DATA : KT_SLOT_SCALAR));
    e.type = p.type;
    e.size = static_cast<unsigned char>(p.isArray ? dtypeSize(p.type) : 0);
  }
  plan.count = static_cast<unsigned char>(kernel.params.size());
  plan.outType = kernel.resultType;
  plan.outSize = static_cast<unsigned char>(
      kernel.resultIsArray ? dtypeSize(kernel.resultType) : 0);
  bool unrolled = plan.arrays && plan.arrays <= 4 && plan.scalars <= 3;
  unsigned at = plan.scalars * 2 + kernel.resultIsArray;
  static const RankOneRun *const runs[] = {kRuns<1>, kRuns<2>, kRuns<3>,
                                           kRuns<4>};
  plan.check = rankOneCheck(plan.arrays, plan.scalars, kernel.resultIsArray);
  if (unrolled)
    plan.run = runs[plan.arrays - 1][at];
  else if (kernel.resultIsArray)
    plan.run = runRankOne<0, 0, true>;
  else
    plan.run = runRankOne<0, 0, false>;
  return plan;
}

RankOneFn rankOneCheck(unsigned arrays, unsigned scalars, bool outArray) {
  static const RankOneFn *const checks[] = {kChecks<1>, kChecks<2>, kChecks<3>,
                                            kChecks<4>};
  if (arrays && arrays <= 4 && scalars <= 3)
    return checks[arrays - 1][scalars * 2 + outArray];
  return outArray ? rankOneContext<0, 0, true> : rankOneContext<0, 0, false>;
}

Status CompiledKernel::run(const std::vector<Arg> &args, ArrayView *out,
                           Scalar *result, unsigned threads) const {
  return run(args.data(), args.size(), out, result, threads);
}

Status CompiledKernel::run(const Arg *args, size_t count, ArrayView *out,
                           Scalar *result, unsigned threads) const {
  return P->Plan.run(*P, args, count, out, result, threads);
}

// ---- Bound calls: checked once, then the context block is reused.

namespace {

/// BoundCall::run's path for anything but a small elementwise contiguous
/// call: the driver (on a copy of the block when it rewrites it).
[[gnu::noinline]] Status runBound(BoundCall::Impl &b, Scalar *result) {
  const CompiledKernel::Impl &k = *b.Kernel;
  int64_t *ctx = b.Ctx.data();
  if (b.N < 0 || b.N >= k.Threshold) { // coalesced or walked in place
    std::copy(b.Ctx.begin(), b.Ctx.end(), b.Work.begin());
    ctx = b.Work.data();
  }
  Scalar ignored;
  alignas(8) unsigned char bytes[8] = {0};
  return callResult(k, execute(k, ctx, b.N, bytes, b.Threads), bytes,
                    result ? result : &ignored);
}

} // namespace

Expected<BoundCall> CompiledKernel::bind(const Arg *args, size_t count,
                                         const ArrayView *out,
                                         unsigned threads) const {
  std::vector<Arg> all(args, args + count);
  if (Status call = checkCall(P->Signature, all, out); !call)
    return call.takeDiagnostics();
  auto b = std::make_unique<BoundCall::Impl>();
  b->Kernel = P.get();
  b->Threads = threads;
  if (P->Staged || P->Matmul) { // Staged.h, Matmul.h: no one context block
    b->Args = std::move(all);
    b->Out = out ? *out : ArrayView{};
    return BoundCall(std::move(b));
  }
  b->Ctx = generalContext(*P, all, out);
  // The same words again, and the element count when the fast path applies.
  Scalar ignored;
  b->N = plainContext(*P, args, count, out, &ignored, b->Ctx.data());
  if (b->N >= 0)
    b->Ctx[KT_CTX_N] = b->N;
  b->Work.resize(b->Ctx.size());
  return BoundCall(std::move(b));
}

BoundCall::BoundCall(std::unique_ptr<Impl> impl) : P(std::move(impl)) {}
BoundCall::BoundCall(BoundCall &&) noexcept = default;
BoundCall &BoundCall::operator=(BoundCall &&) noexcept = default;
BoundCall::~BoundCall() = default;

Status BoundCall::run(Scalar *result) {
  const CompiledKernel::Impl &k = *P->Kernel;
  if (k.Staged || k.Matmul) { // the plan's runner, checked again (cheap)
    Scalar ignored;
    return k.Plan.run(k, P->Args.data(), P->Args.size(),
                      k.Signature.resultIsArray ? &P->Out : nullptr,
                      result ? result : &ignored, P->Threads);
  }
  if (P->N >= 0 && P->N < k.Threshold && !k.Fns.combine) {
    k.Fns.flat(P->Ctx.data(), 0, P->N, nullptr);
    return {};
  }
  return runBound(*P, result);
}

} // namespace kiln::tensor
