// Run: a checked call of a JIT kernel — the context block from the views,
// then the shared C driver with the engine's pool as its parallel hook.
//
// Most calls pass contiguous arrays of the output's shape: those are checked
// with plain compares (plainContext) and run the flat loop with the context
// on the stack — no allocation, no strings. Anything else, and every call
// that is wrong, takes the general path, whose checkCall words the error.
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

/// The driver's status and scalar result as run()'s answer.
std::string callResult(const CompiledKernel::Impl &P, int rc,
                       const unsigned char *bytes, Scalar *result) {
  if (rc == 3)
    return P.StridedError;
  if (rc != 0)
    return "out of memory for the reduction partials of kernel '" +
           P.Signature.name + "'";
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
  alignas(8) unsigned char bytes[8] = {0};
  return callResult(P, execute(P, ctx.data(), -1, bytes, threads), bytes,
                    result);
}

} // namespace

std::string CompiledKernel::run(const std::vector<Arg> &args, ArrayView *out,
                                Scalar *result, unsigned threads) const {
  return run(args.data(), args.size(), out, result, threads);
}

std::string CompiledKernel::run(const Arg *args, size_t count, ArrayView *out,
                                Scalar *result, unsigned threads) const {
  int64_t ctx[KT_CTX_WORDS(64)];
  int64_t n = plainContext(*P, args, count, out, result, ctx);
  // The common call: elementwise, contiguous, below the thread threshold —
  // one flat loop over [0, n), as kt_execute_contiguous would run it.
  if (n >= 0 && n < P->Threshold && !P->Fns.combine) {
    P->Fns.flat(ctx, 0, n, nullptr);
    return {};
  }
  if (n < 0)
    return runGeneral(*P, std::vector<Arg>(args, args + count), out, result,
                      threads);
  alignas(8) unsigned char bytes[8] = {0};
  return callResult(*P, execute(*P, ctx, n, bytes, threads), bytes, result);
}

} // namespace kiln::tensor
