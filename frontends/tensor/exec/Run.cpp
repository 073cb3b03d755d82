// Run: a checked call of a JIT kernel — the context block from the views,
// then the shared C driver with the engine's pool as its parallel hook.
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

} // namespace

std::string CompiledKernel::run(const std::vector<Arg> &args, ArrayView *out,
                                Scalar *result, unsigned threads) const {
  const Kernel &k = P->Signature;
  if (std::string err = checkCall(k, args, out); !err.empty())
    return err;
  if (!k.resultIsArray && !result)
    return "kernel '" + k.name + "' returns a scalar: pass a result";
  std::vector<std::vector<int64_t>> shapes;
  for (const Arg &a : args)
    if (a.isArray)
      shapes.emplace_back(a.array.shape, a.array.shape + a.array.rank);
  std::vector<int64_t> shape = *broadcastShapes(shapes);
  std::vector<int64_t> ctx(KT_CTX_WORDS(P->Fns.nslots), 0);
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
  Engine::Impl &engine = *P->Owner;
  PoolHook hook{engine.Pool.get(), threads ? threads : engine.Pool->size()};
  kt_parallel par{hookRun, &hook, hook.threads,
                  engine.Options.parallelThreshold};
  alignas(8) unsigned char bytes[8] = {0};
  int rc = kt_execute(&P->Fns, ctx.data(), bytes, &par);
  if (rc == 3)
    return P->StridedError;
  if (rc != 0)
    return "out of memory for the reduction partials of kernel '" + k.name +
           "'";
  if (!k.resultIsArray)
    *result = scalarFrom(k.resultType, bytes);
  return "";
}

} // namespace kiln::tensor
