// JitSupport: the compile function, counting memory manager and perf map.
#include "JitSupport.h"

#include "kiln/core/CodegenGuard.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"

#include <fmt/format.h>
#include <mutex>
#include <unistd.h>

namespace kiln::core::detail {

/// Thread-local variables use emulated TLS, as ORC's own default does:
/// JITLink in LLVM 19 links native TLS only with ORC's ELF platform (the
/// orc runtime archive at run time and every initialiser routed through
/// it); without it, local-exec code fails to link (R_X86_64_TPOFF32) and
/// general-dynamic code reads another module's block. Emulated TLS calls
/// __emutls_get_address (libgcc, in every C++ process), one copy per
/// thread. The symbols a module defines become __emutls_v.NAME and
/// __emutls_t.NAME, which the mangling options must say.
static llvm::orc::IRSymbolMapper::ManglingOptions kilnManglingOptions() {
  llvm::orc::IRSymbolMapper::ManglingOptions mo;
  mo.EmulatedTLS = true;
  return mo;
}

static bool hasThreadLocals(const llvm::Module &module) {
  for (const llvm::GlobalVariable &g : module.globals())
    if (g.isThreadLocal())
      return true;
  return false;
}

ModuleCompiler::ModuleCompiler(TargetSpec target, PipelineOptions pipeline,
                               std::shared_ptr<CompileCache> cache,
                               JitCounters &counters, PhaseTimings *timings,
                               ObjectSink onObject)
    : IRCompiler(kilnManglingOptions()), Target(std::move(target)),
      Pipeline(pipeline), Cache(std::move(cache)), Counters(counters),
      Timings(timings), OnObject(std::move(onObject)) {}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
ModuleCompiler::operator()(llvm::Module &module) {
  // ORC's platform support adds small "__standard_lib" modules (static
  // initialiser plumbing) that embed per-process addresses: they cannot be
  // cached and gain nothing from optimisation, so they take the O0 path.
  if (module.getModuleIdentifier().starts_with("__"))
    return compileInternal(module);
  std::string key;
  if (Cache) {
    key = computeCacheKey(module, Pipeline.level, Target);
    if (Pipeline.vectorLibrary == VectorLibrary::Libmvec)
      // The same IR compiles to other code with it; "4": the table gained
      // the AVX-512 variants, their callers keep %rbp as the frame pointer
      // and some map to Kiln's routines (VecMath.h), so older cached
      // objects are not reused; "5": pow's routines became table-driven.
      key += "-libmvec5";
    if (!Pipeline.lateLicm)
      key += "-no-late-licm";
    if (hasThreadLocals(module))
      key += "-emutls"; // native-TLS objects of older Kilns are wrong
    if (auto hit = Cache->lookup(key)) {
      ++Counters.cacheHits;
      if (OnObject)
        OnObject(module.getModuleIdentifier(), hit->getBuffer());
      return std::move(hit);
    }
  }
  auto tm = borrow(Pipeline.level);
  if (!tm)
    return tm.takeError();
  {
    ScopedPhase phase(Timings, "optimize");
    if (auto err = optimizeModule(module, **tm, Pipeline))
      return std::move(err);
  }
  std::string object;
  ScopedCodegenErrors codegenErrors(module.getContext());
  {
    ScopedPhase phase(Timings, "codegen");
    auto obj =
        emitToString(module, **tm, EmitKind::Object, Pipeline.vectorLibrary);
    giveBack(Pipeline.level, std::move(*tm));
    if (!obj)
      return obj.takeError();
    object = std::move(*obj);
  }
  // An error LLVM reported through the context (inline assembly that does
  // not assemble) leaves an object that must be neither cached nor run.
  if (auto err = codegenErrors.takeError(module.getModuleIdentifier())) {
    Diagnostics diags = toDiagnostics(std::move(err));
    std::lock_guard<std::mutex> lock(Counters.errorMutex);
    Counters.codegenErrors = diags;
    return toError(std::move(diags));
  }
  ++Counters.compilations;
  if (Cache)
    Cache->store(key, object);
  if (OnObject)
    OnObject(module.getModuleIdentifier(), object);
  return llvm::MemoryBuffer::getMemBufferCopy(
      object, module.getModuleIdentifier() + ".o");
}

namespace {

/// Idle TargetMachines of the whole process, by target and level. Creating
/// a machine and its first subtarget (the feature bits of an AVX-512 host)
/// costs ~0.5 ms of CPU, which a process that creates a JIT per Faust
/// factory paid for every factory while the pool was per Jit. Left to the
/// OS at exit, so no machine outlives LLVM's own statics.
struct MachinePool {
  std::mutex mutex;
  std::map<std::string, std::vector<std::unique_ptr<llvm::TargetMachine>>> idle;
};

MachinePool &machinePool() {
  static auto *pool = new MachinePool;
  return *pool;
}

std::string poolKey(const TargetSpec &target, OptLevel level) {
  return target.triple + '\n' + target.cpu + '\n' + target.features + '\n' +
         optLevelName(level);
}

/// Idle machines kept per key: enough for the compilations that run at
/// once (a Faust factory runs two), not one per compilation ever run.
constexpr size_t kIdlePerKey = 4;

} // namespace

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
ModuleCompiler::borrow(OptLevel level) {
  MachinePool &pool = machinePool();
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    auto &free = pool.idle[poolKey(Target, level)];
    if (!free.empty()) {
      auto tm = std::move(free.back());
      free.pop_back();
      return std::move(tm);
    }
  }
  auto tm = createTargetMachine(Target, level);
  if (tm)
    (*tm)->Options.EmulatedTLS = true; // see kilnManglingOptions
  return tm;
}

void ModuleCompiler::giveBack(OptLevel level,
                              std::unique_ptr<llvm::TargetMachine> tm) {
  MachinePool &pool = machinePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  auto &free = pool.idle[poolKey(Target, level)];
  if (free.size() < kIdlePerKey)
    free.push_back(std::move(tm));
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
ModuleCompiler::compileInternal(llvm::Module &module) {
  auto tm = borrow(OptLevel::O0);
  if (!tm)
    return tm.takeError();
  ScopedPhase phase(Timings, "codegen");
  auto obj = emitToString(module, **tm, EmitKind::Object);
  giveBack(OptLevel::O0, std::move(*tm));
  if (!obj)
    return obj.takeError();
  return llvm::MemoryBuffer::getMemBufferCopy(
      *obj, module.getModuleIdentifier() + ".o");
}

namespace {

using llvm::jitlink::JITLinkMemoryManager;

uint64_t graphBytes(llvm::jitlink::LinkGraph &g) {
  uint64_t bytes = 0;
  for (auto &section : g.sections())
    for (auto *block : section.blocks())
      bytes += block->getSize();
  return bytes;
}

class CountingInFlight : public JITLinkMemoryManager::InFlightAlloc {
public:
  CountingInFlight(std::unique_ptr<InFlightAlloc> inner, uint64_t bytes,
                   JitCounters &counters,
                   std::function<void(llvm::orc::ExecutorAddr, uint64_t)> rec)
      : Inner(std::move(inner)), Bytes(bytes), Counters(counters),
        Record(std::move(rec)) {}
  void abandon(OnAbandonedFunction onAbandoned) override {
    Inner->abandon(std::move(onAbandoned));
  }
  void finalize(OnFinalizedFunction onFinalized) override {
    Inner->finalize([this, done = std::move(onFinalized)](
                        llvm::Expected<JITLinkMemoryManager::FinalizedAlloc>
                            result) mutable {
      if (result) {
        Counters.codeBytes += Bytes;
        Record(result->getAddress(), Bytes);
      }
      done(std::move(result));
    });
  }

private:
  std::unique_ptr<InFlightAlloc> Inner;
  uint64_t Bytes;
  JitCounters &Counters;
  std::function<void(llvm::orc::ExecutorAddr, uint64_t)> Record;
};

class CountingMemoryManager : public JITLinkMemoryManager {
public:
  CountingMemoryManager(std::unique_ptr<JITLinkMemoryManager> inner,
                        JitCounters &counters)
      : Inner(std::move(inner)), Counters(counters) {}

  void allocate(const llvm::jitlink::JITLinkDylib *jd,
                llvm::jitlink::LinkGraph &g,
                OnAllocatedFunction onAllocated) override {
    uint64_t bytes = graphBytes(g);
    Inner->allocate(jd, g,
                    [this, bytes, done = std::move(onAllocated)](
                        AllocResult result) mutable {
                      if (!result)
                        return done(std::move(result));
                      done(std::make_unique<CountingInFlight>(
                          std::move(*result), bytes, Counters,
                          [this](llvm::orc::ExecutorAddr a, uint64_t n) {
                            std::lock_guard<std::mutex> lock(Mutex);
                            Sizes[a.getValue()] = n;
                          }));
                    });
  }

  void deallocate(std::vector<FinalizedAlloc> allocs,
                  OnDeallocatedFunction onDeallocated) override {
    {
      std::lock_guard<std::mutex> lock(Mutex);
      for (auto &a : allocs) {
        auto it = Sizes.find(a.getAddress().getValue());
        if (it != Sizes.end()) {
          Counters.codeBytes -= it->second;
          Sizes.erase(it);
        }
      }
    }
    Inner->deallocate(std::move(allocs), std::move(onDeallocated));
  }

  using JITLinkMemoryManager::allocate;
  using JITLinkMemoryManager::deallocate;

private:
  std::unique_ptr<JITLinkMemoryManager> Inner;
  JitCounters &Counters;
  std::mutex Mutex;
  std::map<uint64_t, uint64_t> Sizes;
};

class PerfMapPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
public:
  void modifyPassConfig(llvm::orc::MaterializationResponsibility &,
                        llvm::jitlink::LinkGraph &,
                        llvm::jitlink::PassConfiguration &config) override {
    config.PostFixupPasses.push_back([](llvm::jitlink::LinkGraph &g) {
      std::string lines;
      for (auto *sym : g.defined_symbols())
        if (sym->hasName() && sym->isCallable() && sym->getSize())
          lines += fmt::format("{:x} {:x} {}\n", sym->getAddress().getValue(),
                               sym->getSize(), sym->getName().str());
      static std::mutex mutex;
      std::lock_guard<std::mutex> lock(mutex);
      std::string path = fmt::format("/tmp/perf-{}.map", ::getpid());
      if (FILE *f = std::fopen(path.c_str(), "a")) {
        std::fwrite(lines.data(), 1, lines.size(), f);
        std::fclose(f);
      }
      return llvm::Error::success();
    });
  }
  llvm::Error
  notifyFailed(llvm::orc::MaterializationResponsibility &) override {
    return llvm::Error::success();
  }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib &,
                                      llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib &,
                                   llvm::orc::ResourceKey,
                                   llvm::orc::ResourceKey) override {}
};

} // namespace

std::unique_ptr<llvm::jitlink::JITLinkMemoryManager>
createCountingMemoryManager(JitCounters &counters) {
  auto inner = llvm::jitlink::InProcessMemoryManager::Create();
  if (!inner) {
    llvm::consumeError(inner.takeError());
    return nullptr;
  }
  return std::make_unique<CountingMemoryManager>(std::move(*inner), counters);
}

std::unique_ptr<llvm::orc::ObjectLinkingLayer::Plugin> createPerfMapPlugin() {
  return std::make_unique<PerfMapPlugin>();
}

} // namespace kiln::core::detail
