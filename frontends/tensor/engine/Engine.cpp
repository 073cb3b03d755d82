// Engine: the JIT side of the tensor API — compile (with an in-memory cache
// of compiled kernels), and run a checked call on the engine's thread pool.
#include "EngineImpl.h"
#include "tensor/irgen/IRGen.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Timing.h"
#include "kiln/tensor/Syntax.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace kiln::tensor {

std::string errorMessage(llvm::Error err) {
  std::string text = core::renderError(std::move(err));
  return text.starts_with("error: ") ? text.substr(7) : text;
}

core::OptLevel optLevelFor(int level) {
  static const core::OptLevel levels[] = {core::OptLevel::O0,
                                          core::OptLevel::O1,
                                          core::OptLevel::O2,
                                          core::OptLevel::O3};
  return levels[level < 0 ? 0 : level > 3 ? 3 : level];
}

llvm::Expected<std::unique_ptr<llvm::Module>>
buildKernelModule(llvm::LLVMContext &ctx, const std::vector<Kernel> &kernels,
                  const std::string &suffix, const std::string &name,
                  LoopKind loops) {
  auto module = std::make_unique<llvm::Module>(name, ctx);
  for (const Kernel &k : kernels) {
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

std::unique_ptr<Engine> Engine::create(const EngineOptions &options,
                                       std::string &error) {
  if (options.optLevel < 0 || options.optLevel > 3) {
    error = "opt level must be 0-3, got " + std::to_string(options.optLevel);
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->Options = options;
  core::JitOptions jo;
  jo.level = optLevelFor(options.optLevel);
  jo.vectorLibrary = core::VectorLibrary::Libmvec;
  jo.timings = options.timings;
  if (options.cache)
    jo.cache = std::make_shared<core::CompileCache>(
        core::CompileCache::defaultDirectory());
  auto jit = core::Jit::create(jo);
  if (!jit) {
    error = errorMessage(jit.takeError());
    return nullptr;
  }
  impl->Jit = std::move(*jit);
  unsigned threads = options.threads ? options.threads
                                     : std::thread::hardware_concurrency();
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
CompileResult::find(std::string_view name) const {
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
      impl->StridedError = errorMessage(fn.takeError());
  });
  return impl->Fns.strided;
}

/// JIT-compiles one typed kernel (its own module and resource tracker).
llvm::Expected<std::shared_ptr<CompiledKernel>>
jitKernel(Engine::Impl &engine, const Kernel &kernel) {
  unsigned id = engine.NameCount[kernel.name]++;
  std::string suffix = id ? "_" + std::to_string(id) : "";
  auto impl = std::make_unique<CompiledKernel::Impl>();
  impl->Signature = kernel;
  impl->Owner = &engine;
  impl->Tracker = engine.Jit->createTracker();
  core::PhaseTimings *timings = engine.Options.timings;
  // Two modules: the flat loop (+ combine/finish) compiled now, the strided
  // loop only when a call needs it (ORC compiles a module on first lookup).
  for (bool strided : {false, true}) {
    core::ScopedPhase phase(timings, "irgen");
    auto ctx = std::make_unique<llvm::LLVMContext>();
    std::string name = "kiln_tk_" + kernel.name + suffix +
                       (strided ? "_strided" : "_flat");
    auto module = buildKernelModule(*ctx, {kernel}, suffix, name,
                                    strided ? LoopKind::Strided
                                            : LoopKind::Flat);
    if (!module)
      return module.takeError();
    if (auto err = engine.Jit->addModule(
            llvm::orc::ThreadSafeModule(std::move(*module), std::move(ctx)),
            impl->Tracker))
      return std::move(err);
  }
  irgen::KernelSymbols sym = irgen::symbolsFor(kernel, suffix);
  kt_kernel_fns &f = impl->Fns;
  {
    LinkPhase link(timings);
    auto flat = lookup<kt_loop_fn>(*engine.Jit, sym.flat);
    if (!flat)
      return flat.takeError();
    f.flat = *flat;
    if (!kernel.resultIsArray) {
      auto combine = lookup<kt_combine_fn>(*engine.Jit, sym.combine);
      if (!combine)
        return combine.takeError();
      auto finish = lookup<kt_finish_fn>(*engine.Jit, sym.finish);
      if (!finish)
        return finish.takeError();
      f.combine = *combine;
      f.finish = *finish;
    }
  }
  impl->StridedSymbol = sym.strided;
  f.resolveStrided = resolveStrided;
  f.resolveArg = impl.get();
  for (const Param &p : kernel.params) {
    impl->PlainCode[impl->ElemSize.size()] =
        static_cast<unsigned char>(p.type) | (p.isArray ? 0x80 : 0);
    impl->ElemSize.push_back(p.isArray ? dtypeSize(p.type) : 0);
  }
  impl->Plan = makeRankOnePlan(kernel);
  impl->Threshold = engine.Options.parallelThreshold;
  impl->ElemSize.push_back(
      kernel.resultIsArray ? dtypeSize(kernel.resultType) : 0);
  f.nslots = static_cast<int>(impl->ElemSize.size());
  f.nreductions = static_cast<int>(irgen::reductionsOf(kernel).size());
  f.elemSize = impl->ElemSize.data();
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
  std::erase_if(e.Compiled, [](const auto &entry) { return entry.second.expired(); });
  e.SweepAt = std::max<size_t>(64, 2 * e.Compiled.size());
}

/// The cached kernel or a fresh compilation; "" or the error text.
std::string compileTyped(Engine &engine, const Kernel &kernel,
                         CompileResult &result) {
  if (kernel.params.size() > 60)
    return "kernel '" + kernel.name + "' has more than 60 parameters";
  Engine::Impl &e = engine.impl();
  std::string key = printKernel(kernel);
  std::vector<std::shared_ptr<CompiledKernel>> released; // freed unlocked
  std::lock_guard<std::mutex> lock(e.CacheMutex);
  if (auto it = e.Compiled.find(key); it != e.Compiled.end())
    if (std::shared_ptr<CompiledKernel> cached = it->second.lock()) {
      keepRecent(e, cached, released);
      result.kernels.push_back(std::move(cached));
      return "";
    }
  auto compiled = jitKernel(e, kernel);
  if (!compiled)
    return "error: cannot compile kernel '" + kernel.name +
           "': " + errorMessage(compiled.takeError());
  sweepExpired(e);
  e.Compiled[key] = *compiled;
  keepRecent(e, *compiled, released);
  result.kernels.push_back(*compiled);
  return "";
}

} // namespace

CompileResult compile(Engine &engine, std::string_view source,
                      const CompileOptions &options) {
  CompileResult result;
  ParseResult parsed;
  {
    core::ScopedPhase phase(engine.options().timings, "parse");
    parsed = parseProgram(source);
  }
  if (!parsed.ok()) {
    result.diagnostics = renderDiags(parsed.errors, options.fileName, source);
    return result;
  }
  for (const Kernel &k : parsed.program.kernels)
    if (std::string err = compileTyped(engine, k, result); !err.empty()) {
      result.kernels.clear();
      result.diagnostics = err;
      return result;
    }
  return result;
}

CompileResult compile(Engine &engine, const Kernel &kernel,
                      const CompileOptions &) {
  CompileResult result;
  Kernel typed = kernel;
  std::vector<Diag> errors;
  {
    core::ScopedPhase phase(engine.options().timings, "parse");
    errors = typeCheck(typed);
  }
  if (!errors.empty()) {
    result.diagnostics = renderDiags(errors, "kernel '" + kernel.name + "'", "");
    return result;
  }
  if (std::string err = compileTyped(engine, typed, result); !err.empty())
    result.diagnostics = err;
  return result;
}

} // namespace kiln::tensor
