// Run: a checked call of a JIT kernel — the context block from the views,
// then the shared C driver with the engine's pool as its parallel hook.
//
// Most calls pass contiguous arrays of the output's shape: those are checked
// with plain compares (plainContext) and run the flat loop with the context on
// the stack — no allocation, no strings. Anything else, and every call that
// is wrong, takes the general path, whose checkCall words the error.
#include "EngineImpl.h"

#include <cstring>

namespace kiln::tensor {

namespace {

/// The scalar's bits in a context word (f32 in the low 4 bytes).
int64_t scalarBits(const Scalar &s) {
  int64_t word = 0;
  switch (s.dtype) {
  case DType::F32: {
    float f = static_cast<float>(s.f);
    std::memcpy(&word, &f, sizeof f);
    break;
  }
  case DType::F64:
    std::memcpy(&word, &s.f, sizeof s.f);
    break;
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
/// contiguous and usable (data present unless empty); else -1.
int64_t plainSize(const ArrayView &v, const ArrayView &ref) {
  if (v.rank != ref.rank || v.rank < 0 || v.rank > kMaxRank)
    return -1;
  int64_t expected = 1;
  for (int d = v.rank - 1; d >= 0; --d) {
    int64_t size = v.shape[d];
    if (size != ref.shape[d] || size < 0 ||
        (size != 1 && v.strides[d] != expected))
      return -1;
    expected *= size;
  }
  return v.data || expected == 0 ? expected : -1;
}

/// Contiguous views of n elements: disjoint, or the same elements as `out`.
bool plainDisjoint(const ArrayView &in, const ArrayView &out, int64_t n) {
  if (n == 0 || (in.data == out.data && in.dtype == out.dtype))
    return true;
  auto lo = reinterpret_cast<uintptr_t>(in.data);
  auto olo = reinterpret_cast<uintptr_t>(out.data);
  return lo + uintptr_t(n) * dtypeSize(in.dtype) <= olo ||
         olo + uintptr_t(n) * dtypeSize(out.dtype) <= lo;
}

/// A slot of a contiguous call: data, strides {0, 0, 0, 1}, scalar bits.
void plainSlot(int64_t *ctx, size_t slot, const ArrayView *view,
               int64_t scalar) {
  int64_t *s = ctx + KT_CTX_SLOTS + slot * KT_SLOT_WORDS;
  s[KT_SLOT_DATA] = view ? reinterpret_cast<int64_t>(view->data) : 0;
  s[KT_SLOT_STRIDES] = s[KT_SLOT_STRIDES + 1] = s[KT_SLOT_STRIDES + 2] = 0;
  s[KT_SLOT_STRIDES + 3] = view ? 1 : 0;
  s[KT_SLOT_SCALAR] = scalar;
}

/// The fast path: checks the call with plain compares while filling `ctx`
/// as a one-dimensional walk of n elements. False for anything but a
/// well-formed call whose arrays (and array output) are all contiguous with
/// one shape; the general path then decides, and words any error.
bool plainContext(const Kernel &k, const Arg *args, size_t count,
                  const ArrayView *out, const Scalar *result, int64_t *ctx) {
  if (count != k.params.size() || count + 1 > 64)
    return false;
  const ArrayView *ref = k.resultIsArray ? out : nullptr;
  int64_t n = 1;
  if (k.resultIsArray ? !out || out->dtype != k.resultType ||
                            (n = plainSize(*out, *out)) < 0
                      : !result)
    return false;
  bool anyArray = false;
  for (size_t s = 0; s < count; ++s) {
    const Arg &a = args[s];
    if (a.isArray != k.params[s].isArray ||
        (a.isArray ? a.array.dtype : a.scalar.dtype) != k.params[s].type)
      return false;
    if (!a.isArray) {
      plainSlot(ctx, s, nullptr, scalarBits(a.scalar));
      continue;
    }
    ref = ref ? ref : &a.array;
    if ((n = plainSize(a.array, *ref)) < 0 ||
        (k.resultIsArray && !plainDisjoint(a.array, *out, n)))
      return false;
    anyArray = true;
    plainSlot(ctx, s, &a.array, 0);
  }
  // No array argument: the broadcast shape is [] (rank 0).
  if (k.resultIsArray && !anyArray && out->rank != 0)
    return false;
  plainSlot(ctx, count, k.resultIsArray ? out : nullptr, 0);
  ctx[KT_CTX_SHAPE] = ctx[KT_CTX_SHAPE + 1] = ctx[KT_CTX_SHAPE + 2] = 1;
  ctx[KT_CTX_SHAPE + 3] = n;
  return true;
}

/// Runs a filled context on the driver (contiguous: the fast entry) and
/// turns its status and scalar result into run()'s answer.
std::string finishCall(const CompiledKernel::Impl &P, int64_t *ctx,
                       Scalar *result, unsigned threads, bool contiguous) {
  Engine::Impl &engine = *P.Owner;
  PoolHook hook{engine.Pool.get(), threads ? threads : engine.Pool->size()};
  kt_parallel par{hookRun, &hook, hook.threads,
                  engine.Options.parallelThreshold};
  alignas(8) unsigned char bytes[8] = {0};
  int rc = contiguous ? kt_execute_contiguous(&P.Fns, ctx, bytes, &par)
                      : kt_execute(&P.Fns, ctx, bytes, &par);
  if (rc == 3)
    return P.StridedError;
  if (rc != 0)
    return "out of memory for the reduction partials of kernel '" +
           P.Signature.name + "'";
  if (!P.Signature.resultIsArray)
    *result = scalarFrom(P.Signature.resultType, bytes);
  return {};
}

/// Any other call: checkCall (the error messages), the broadcast shape and
/// the full context; the driver coalesces and picks the loop.
std::string runGeneral(const CompiledKernel::Impl &P,
                       const std::vector<Arg> &args, ArrayView *out,
                       Scalar *result, unsigned threads) {
  const Kernel &k = P.Signature;
  if (std::string err = checkCall(k, args, out); !err.empty())
    return err;
  if (!k.resultIsArray && !result)
    return "kernel '" + k.name + "' returns a scalar: pass a result";
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
  if (k.resultIsArray)
    fillSlot(ctx.data(), static_cast<int>(args.size()), *out);
  return finishCall(P, ctx.data(), result, threads, false);
}

} // namespace

std::string CompiledKernel::run(const std::vector<Arg> &args, ArrayView *out,
                                Scalar *result, unsigned threads) const {
  int64_t ctx[KT_CTX_WORDS(64)];
  if (plainContext(P->Signature, args.data(), args.size(), out, result, ctx))
    return finishCall(*P, ctx, result, threads, true);
  return runGeneral(*P, args, out, result, threads);
}

std::string CompiledKernel::run(const Arg *args, size_t count, ArrayView *out,
                                Scalar *result, unsigned threads) const {
  int64_t ctx[KT_CTX_WORDS(64)];
  if (plainContext(P->Signature, args, count, out, result, ctx))
    return finishCall(*P, ctx, result, threads, true);
  return runGeneral(*P, std::vector<Arg>(args, args + count), out, result,
                    threads);
}

} // namespace kiln::tensor
