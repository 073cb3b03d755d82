// Engine: the JIT side of the tensor API — compile (with an in-memory cache
// of compiled kernels), and run a checked call on the engine's thread pool.
#include "EngineImpl.h"
#include "Matmul.h"
#include "Staged.h"
#include "tensor/irgen/IRGen.h"
#include "tensor/syntax/AxisShape.h"
#include "tensor/syntax/Limits.h"
#include "tensor/syntax/MatmulShape.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Timing.h"
#include "kiln/tensor/Syntax.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace kiln::tensor {

llvm::Expected<std::unique_ptr<llvm::Module>>
buildKernelModule(llvm::LLVMContext &ctx, const std::vector<Kernel> &kernels,
                  const std::string &suffix, const std::string &name,
                  LoopKind loops) {
  auto module = std::make_unique<llvm::Module>(name, ctx);
  for (const Kernel &k : kernels) {
    if (k.body && syntax::hasMatmul(*k.body)) // the JIT plans them
      return core::makeError("kernel '" + k.name +
                             "' multiplies matrices ('@'): such kernels run "
                             "only in the JIT for now (no AOT library, no "
                             "--emit)");
    if (k.body && syntax::hasAxisReduce(*k.body)) // the JIT stages them
      return core::makeError(
          "kernel '" + k.name +
          "' reduces along an axis: such kernels run "
          "only in the JIT for now (no AOT library, no --emit)");
    irgen::KernelSymbols sym = irgen::symbolsFor(k, suffix);
    if (loops == LoopKind::Flat)
      sym.strided.clear();
    if (loops == LoopKind::Strided)
      sym.flat.clear(), sym.combine.clear(), sym.finish.clear();
    if (auto err = irgen::emitKernel(*module, k, sym))
      return std::move(err);
  }
  return std::move(module);
}

Engine::Engine(std::unique_ptr<Impl> impl) : P(std::move(impl)) {}
Engine::~Engine() {
  if (P)
    P->Recent.clear(); // kernels release their code before the JIT goes
}

/// The most pool threads an engine starts: the pool is made eagerly, so a
/// caller's (unsigned)-1 would otherwise spawn threads until the system
/// refuses, which takes minutes.
constexpr unsigned kMaxThreads = 4096;

Expected<std::unique_ptr<Engine>> Engine::create(const EngineOptions &options) {
  if (options.threads > kMaxThreads) {
    Diagnostic diag =
        errorDiagnostic("a pool of " + std::to_string(options.threads) +
                        " threads is more than the " +
                        std::to_string(kMaxThreads) + " an engine may start");
    diag.kind = ErrorKind::InvalidArgument;
    return Diagnostics{std::move(diag)};
  }
  auto impl = std::make_unique<Impl>();
  impl->Options = options;
  core::JitOptions jo;
  jo.level = options.optLevel;
  jo.vectorLibrary = core::VectorLibrary::Libmvec;
  jo.timings = options.timings;
  if (options.cache)
    jo.cache = std::make_shared<core::CompileCache>(
        core::CompileCache::defaultDirectory());
  auto jit = core::Jit::create(jo);
  if (!jit)
    return core::toDiagnostics(jit.takeError());
  impl->Jit = std::move(*jit);
  unsigned threads =
      options.threads ? options.threads : std::thread::hardware_concurrency();
  impl->Pool = std::make_unique<exec::ThreadPool>(threads ? threads : 1);
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const EngineOptions &Engine::options() const { return P->Options; }
unsigned Engine::threads() const { return P->Pool->size(); }

CompiledKernel::CompiledKernel(std::unique_ptr<Impl> impl)
    : P(std::move(impl)) {}

CompiledKernel::~CompiledKernel() {
  if (P && P->Tracker && P->Owner)
    llvm::consumeError(P->Owner->Jit->remove(P->Tracker));
}

const Kernel &CompiledKernel::signature() const { return P->Signature; }

std::shared_ptr<CompiledKernel>
CompiledProgram::find(std::string_view name) const {
  for (const auto &k : kernels)
    if (k->signature().name == name)
      return k;
  return nullptr;
}

namespace {

template <typename Fn>
llvm::Expected<Fn> lookup(core::Jit &jit, const std::string &name) {
  auto sym = jit.lookup(name);
  if (!sym)
    return sym.takeError();
  return sym->getAddress().template toPtr<Fn>();
}

/// Adds to "link" the time of the JIT lookups in its scope minus what the
/// compile function recorded as optimize and codegen meanwhile.
class LinkPhase {
public:
  explicit LinkPhase(core::PhaseTimings *t)
      : T(t), Before(compileMs()), Start(std::chrono::steady_clock::now()) {}
  ~LinkPhase() {
    if (T)
      T->add("link", std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - Start)
                             .count() -
                         (compileMs() - Before));
  }

private:
  double compileMs() const {
    return T ? T->get("optimize") + T->get("codegen") : 0;
  }
  core::PhaseTimings *T;
  double Before;
  std::chrono::steady_clock::time_point Start;
};

/// kt_kernel_fns::resolveStrided: compiles the strided loop once. Other
/// threads read Fns.strided without the once flag (Driver.c's pickLoop), so
/// it is published with a release store they pair with an acquire load.
kt_loop_fn resolveStrided(void *arg) {
  auto *impl = static_cast<CompiledKernel::Impl *>(arg);
  std::call_once(impl->StridedOnce, [impl] {
    auto fn = lookup<kt_loop_fn>(*impl->Owner->Jit, impl->StridedSymbol);
    if (fn)
      __atomic_store_n(&impl->Fns.strided, *fn, __ATOMIC_RELEASE);
    else
      impl->StridedError = core::toDiagnostics(fn.takeError());
  });
  return impl->Fns.strided;
}

/// Adds the kernel's two modules to its tracker: the flat loop (+
/// combine/finish) compiled at once, the strided loop only when a call needs
/// it (ORC compiles a module on first lookup).
llvm::Error addKernelModules(Engine::Impl &engine, const Kernel &kernel,
                             const std::string &suffix,
                             const core::ResourceTrackerSP &tracker) {
  for (bool strided : {false, true}) {
    core::ScopedPhase phase(engine.Options.timings, "irgen");
    auto ctx = std::make_unique<llvm::LLVMContext>();
    std::string name =
        "kiln_tk_" + kernel.name + suffix + (strided ? "_strided" : "_flat");
    auto module =
        buildKernelModule(*ctx, {kernel}, suffix, name,
                          strided ? LoopKind::Strided : LoopKind::Flat);
    if (!module)
      return module.takeError();
    if (auto err = engine.Jit->addModule(
            llvm::orc::ThreadSafeModule(std::move(*module), std::move(ctx)),
            tracker))
      return err;
  }
  return llvm::Error::success();
}

/// Looks up the flat loop (and a reduction's combine/finish) into `f`.
llvm::Error lookupLoops(Engine::Impl &engine, const Kernel &kernel,
                        const irgen::KernelSymbols &sym, kt_kernel_fns &f) {
  LinkPhase link(engine.Options.timings);
  auto flat = lookup<kt_loop_fn>(*engine.Jit, sym.flat);
  if (!flat)
    return flat.takeError();
  f.flat = *flat;
  if (kernel.resultIsArray)
    return llvm::Error::success();
  auto combine = lookup<kt_combine_fn>(*engine.Jit, sym.combine);
  if (!combine)
    return combine.takeError();
  auto finish = lookup<kt_finish_fn>(*engine.Jit, sym.finish);
  if (!finish)
    return finish.takeError();
  f.combine = *combine;
  f.finish = *finish;
  return llvm::Error::success();
}

/// The call tables run() reads: element sizes, the fast path's codes, the
/// rank-1 plan and the driver's slot counts.
void describeSlots(CompiledKernel::Impl &impl, const Kernel &kernel,
                   int64_t threshold) {
  for (const Param &p : kernel.params) {
    impl.PlainCode[impl.ElemSize.size()] =
        static_cast<unsigned char>(p.type) | (p.isArray ? 0x80 : 0);
    impl.ElemSize.push_back(p.isArray ? dtypeSize(p.type) : 0);
  }
  impl.Plan = makeRankOnePlan(kernel);
  impl.Threshold = threshold;
  impl.ElemSize.push_back(kernel.resultIsArray ? dtypeSize(kernel.resultType)
                                               : 0);
  kt_kernel_fns &f = impl.Fns;
  f.nslots = static_cast<int>(impl.ElemSize.size());
  f.nreductions = static_cast<int>(irgen::reductionsOf(kernel).size());
  f.elemSize = impl.ElemSize.data();
}

/// JIT-compiles one typed kernel (its own modules and resource tracker).
llvm::Expected<std::shared_ptr<CompiledKernel>>
jitKernel(Engine::Impl &engine, const Kernel &kernel) {
  unsigned id = engine.NameCount[kernel.name]++;
  std::string suffix = id ? "_" + std::to_string(id) : "";
  auto impl = std::make_unique<CompiledKernel::Impl>();
  impl->Signature = kernel;
  impl->Owner = &engine;
  impl->Tracker = engine.Jit->createTracker();
  if (auto err = addKernelModules(engine, kernel, suffix, impl->Tracker))
    return std::move(err);
  irgen::KernelSymbols sym = irgen::symbolsFor(kernel, suffix);
  if (auto err = lookupLoops(engine, kernel, sym, impl->Fns))
    return std::move(err);
  impl->StridedSymbol = sym.strided;
  impl->Fns.resolveStrided = resolveStrided;
  impl->Fns.resolveArg = impl.get();
  describeSlots(*impl, kernel, engine.Options.parallelThreshold);
  return std::make_shared<CompiledKernel>(std::move(impl));
}

/// Makes `kernel` the newest of the engine's kept kernels; the oldest past
/// keptKernels move to `released` (destroyed by the caller after unlocking).
void keepRecent(Engine::Impl &e, const std::shared_ptr<CompiledKernel> &kernel,
                std::vector<std::shared_ptr<CompiledKernel>> &released) {
  auto pos = std::find(e.Recent.begin(), e.Recent.end(), kernel);
  if (pos != e.Recent.end())
    e.Recent.erase(pos);
  e.Recent.push_back(kernel);
  while (e.Recent.size() > e.Options.keptKernels) {
    released.push_back(std::move(e.Recent.front()));
    e.Recent.pop_front();
  }
}

/// Erases the entries of kernels that no one holds any more, when the table
/// has doubled since the last sweep (amortised O(1) per compile).
void sweepExpired(Engine::Impl &e) {
  if (e.Compiled.size() < e.SweepAt)
    return;
  std::erase_if(e.Compiled,
                [](const auto &entry) { return entry.second.expired(); });
  e.SweepAt = std::max<size_t>(64, 2 * e.Compiled.size());
}

/// A compile error of kernel `name`: each of core's diagnostics, its message
/// prefixed with which kernel failed.
Diagnostics compileError(const std::string &name, llvm::Error err) {
  Diagnostics diags = core::toDiagnostics(std::move(err));
  for (Diagnostic &d : diags)
    d.message = "cannot compile kernel '" + name + "': " + d.message;
  return diags;
}

/// The cached kernel or a fresh compilation.
Expected<std::shared_ptr<CompiledKernel>> compileTyped(Engine &engine,
                                                       const Kernel &kernel) {
  if (kernel.params.size() > syntax::kMaxParams) { // typeCheck refuses it too
    Diagnostic d = errorDiagnostic(syntax::tooManyParams(kernel.name));
    d.kind = ErrorKind::Type;
    return d;
  }
  Engine::Impl &e = engine.impl();
  if (kernel.body && syntax::hasMatmul(*kernel.body)) // Matmul.h
    return compileMatmul(e, kernel, [&](const Kernel &pass) {
      return compileTyped(engine, pass);
    });
  if (kernel.body && syntax::hasAxisReduce(*kernel.body))
    return compileStaged(e, kernel, [&](const Kernel &pass) {
      return compileTyped(engine, pass);
    });
  std::string key = printKernel(kernel);
  std::vector<std::shared_ptr<CompiledKernel>> released; // freed unlocked
  std::lock_guard<std::mutex> lock(e.CacheMutex);
  if (auto it = e.Compiled.find(key); it != e.Compiled.end())
    if (std::shared_ptr<CompiledKernel> cached = it->second.lock()) {
      keepRecent(e, cached, released);
      return cached;
    }
  auto compiled = jitKernel(e, kernel);
  if (!compiled)
    return compileError(kernel.name, compiled.takeError());
  sweepExpired(e);
  e.Compiled[key] = *compiled;
  keepRecent(e, *compiled, released);
  return *compiled;
}

} // namespace

Expected<CompiledProgram> compile(Engine &engine, std::string_view source,
                                  const CompileOptions &options) {
  ParseResult parsed;
  {
    core::ScopedPhase phase(engine.options().timings, "parse");
    parsed = parseProgram(source, options.fileName);
  }
  if (!parsed.ok())
    return std::move(parsed.errors);
  CompiledProgram program;
  for (const Kernel &k : parsed.program.kernels) {
    auto compiled = compileTyped(engine, k);
    if (!compiled)
      return compiled.takeDiagnostics();
    program.kernels.push_back(std::move(*compiled));
  }
  return program;
}

Expected<std::shared_ptr<CompiledKernel>> compile(Engine &engine,
                                                  const Kernel &kernel) {
  Kernel typed = kernel;
  std::vector<Diag> errors;
  {
    core::ScopedPhase phase(engine.options().timings, "parse");
    errors = typeCheck(typed);
  }
  if (!errors.empty()) {
    attachSource(errors, "kernel '" + kernel.name + "'", "");
    return errors;
  }
  return compileTyped(engine, typed);
}

} // namespace kiln::tensor
