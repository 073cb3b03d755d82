// Staged: an axis-reduction kernel's passes compiled by the engine and run
// by the C runner on the engine's pool. See Staged.h.
#include "Staged.h"
#include "StagedLower.h"

#include "kiln/tensor/Syntax.h"

#include <new>

namespace kiln::tensor {
namespace {

struct PoolHook {
  exec::ThreadPool *pool;
  unsigned threads;
};

void hookRun(void *hook, int64_t ntasks, kt_task_fn fn, void *arg) {
  auto *h = static_cast<PoolHook *>(hook);
  h->pool->run(ntasks, h->threads, fn, arg);
}

kt_view viewOf(const ArrayView &a) {
  kt_view v{};
  v.data = a.data;
  v.dtype = int32_t(a.dtype);
  v.rank = a.rank;
  for (int d = 0; d < kMaxRank; ++d)
    v.shape[d] = a.shape[d], v.strides[d] = a.strides[d];
  return v;
}

/// The runner's failure as run()'s answer: the strided loop's own error
/// for the pass kernel that could not compile it, else out of memory.
Status failure(const CompiledKernel::Impl &impl, int rc,
               const kt_kernel_fns *failed) {
  if (rc == 3)
    for (const auto &k : impl.Staged->kernels)
      if (&k->impl().Fns == failed)
        return k->impl().StridedError;
  Diagnostic d = errorDiagnostic(
      "out of memory for the temporaries of an axis reduction in kernel '" +
      impl.Signature.name + "'");
  d.kind = ErrorKind::Runtime;
  return d;
}

Status runStaged(const CompiledKernel::Impl &impl, const Arg *args,
                 size_t count, ArrayView *out, Scalar *result,
                 unsigned threads) {
  std::vector<Arg> all(args, args + count);
  if (Status call = checkCall(impl.Signature, all, out); !call)
    return call;
  try {
    std::vector<kt_view> views(count);
    std::vector<int64_t> bits(count);
    for (size_t i = 0; i < count; ++i)
      if (args[i].isArray)
        views[i] = viewOf(args[i].array);
      else
        bits[i] = scalarBits(args[i].scalar);
    kt_view outView = out ? viewOf(*out) : kt_view{};
    Engine::Impl &engine = *impl.Owner;
    PoolHook hook{engine.Pool.get(), threads ? threads : engine.Pool->size()};
    kt_parallel par{hookRun, &hook, hook.threads,
                    engine.Options.parallelThreshold};
    alignas(8) unsigned char bytes[8] = {0};
    const kt_kernel_fns *failed = nullptr;
    int rc = kt_staged_run(&impl.Staged->plan, views.data(), bits.data(),
                           out ? &outView : nullptr, bytes, &par, &failed);
    if (rc)
      return failure(impl, rc, failed);
    if (!impl.Signature.resultIsArray)
      *result = scalarFrom(impl.Signature.resultType, bytes);
    return {};
  } catch (const std::bad_alloc &) {
    return failure(impl, 2, nullptr);
  }
}

/// Compiles `k` and keeps it in `staged`; its fns, or null on error.
const kt_kernel_fns *keep(StagedKernel &staged, const Kernel &k,
                          const CompileOne &compileOne, Diagnostics &error) {
  auto compiled = compileOne(k);
  if (!compiled) {
    error = compiled.takeDiagnostics();
    return nullptr;
  }
  staged.kernels.push_back(std::move(*compiled));
  return &staged.kernels.back()->impl().Fns;
}

/// Pass `p`'s C table entry (its kernels compiled into `staged`).
Status addPass(StagedKernel &staged, const LoweredPass &p,
               const CompileOne &compileOne) {
  kt_staged_pass pass{};
  Diagnostics error;
  if (!(pass.kernel = keep(staged, p.kernel, compileOne, error)))
    return error;
  if (p.row && !(pass.rowKernel = keep(staged, *p.row, compileOne, error)))
    return error;
  if (p.column &&
      !(pass.columnKernel = keep(staged, *p.column, compileOne, error)))
    return error;
  if (p.scale && !(pass.scaleKernel = keep(staged, *p.scale, compileOne, error)))
    return error;
  staged.sources.emplace_back(p.sources.begin(), p.sources.end());
  staged.asScalar.emplace_back(p.asScalar.begin(), p.asScalar.end());
  pass.sources = staged.sources.back().data();
  pass.asScalar = staged.asScalar.back().data();
  pass.nsources = int32_t(p.sources.size());
  pass.op = p.op;
  pass.naxes = int32_t(p.axes.size());
  for (size_t a = 0; a < p.axes.size() && a < 4; ++a)
    pass.axes[a] = p.axes[a];
  pass.keepdims = p.keepdims;
  pass.dtype = int32_t(p.dtype);
  pass.argDtype = int32_t(p.argDtype);
  staged.passes.push_back(pass);
  return {};
}

} // namespace

Expected<std::shared_ptr<CompiledKernel>>
compileStaged(Engine::Impl &engine, const Kernel &kernel,
              const CompileOne &compileOne) {
  auto lowered = lowerStaged(kernel);
  if (!lowered)
    return lowered.takeDiagnostics();
  auto staged = std::make_shared<StagedKernel>();
  staged->sources.reserve(lowered->size()); // pointers into them stay valid
  staged->asScalar.reserve(lowered->size());
  for (const LoweredPass &p : *lowered)
    if (Status added = addPass(*staged, p, compileOne); !added)
      return added.takeDiagnostics();
  staged->plan.npasses = int32_t(staged->passes.size());
  staged->plan.passes = staged->passes.data();
  staged->plan.resultIsArray = kernel.resultIsArray;
  auto impl = std::make_unique<CompiledKernel::Impl>();
  impl->Signature = kernel;
  impl->Owner = &engine;
  impl->Staged = std::move(staged);
  impl->Plan.run = runStaged;
  return std::make_shared<CompiledKernel>(std::move(impl));
}

} // namespace kiln::tensor
