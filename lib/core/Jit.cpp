// Jit: LLJIT configured with Kiln's compile function, memory accounting,
// runtime symbols and optional debugger/profiler registration.
#include "kiln/core/Jit.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Target.h"
#include "kiln/runtime/Abi.h"

#include "Executor.h"
#include "IsolatedJit.h"
#include "JitSupport.h"
#include "llvm/ExecutionEngine/Orc/Debugging/DebuggerSupport.h"

#include <dlfcn.h>

namespace kiln::core {

using namespace llvm;
using namespace llvm::orc;

struct Jit::Impl {
  /// The executor process of an isolated engine; destroyed after J, whose
  /// end disconnects from it.
  std::unique_ptr<detail::ExecutorProcess> Executor;
  JitOptions Options;
  TargetSpec Target;
  detail::JitCounters Counters;
  std::unique_ptr<LLJIT> J;
  JITDylib *Host = nullptr; ///< runtime + host-registered symbols
  /// ORC reports link failures (e.g. an undefined symbol in a module) to the
  /// session, and the failing lookup only says "failed to materialize"; the
  /// reporter keeps the real reason so lookup can return it.
  std::mutex ErrorMutex;
  std::string LastSessionError;

  void configure(LLJITBuilder &builder);
  Error start(LLJITBuilder &builder);
};

Jit::Jit(std::unique_ptr<Impl> impl) : P(std::move(impl)) {}

Jit::~Jit() {
  if (P && P->Executor)
    P->Executor->hangUp(); // its memory goes with it; no need to free it
  if (P && P->J)
    if (auto err = P->J->getExecutionSession().endSession())
      consumeError(std::move(err)); // nothing useful to do in a destructor
}

static JITTargetMachineBuilder machineBuilder(const TargetSpec &spec,
                                              OptLevel level) {
  JITTargetMachineBuilder jtmb{Triple(spec.triple)};
  jtmb.setCPU(spec.cpu);
  SubtargetFeatures features(spec.features);
  jtmb.addFeatures(features.getFeatures());
  jtmb.setRelocationModel(Reloc::PIC_);
  jtmb.setCodeModel(CodeModel::Small);
  jtmb.setCodeGenOptLevel(level == OptLevel::O0 ? CodeGenOptLevel::None
                                                : CodeGenOptLevel::Default);
  jtmb.getOptions().AllowFPOpFusion = FPOpFusion::Strict;
  jtmb.getOptions().EmulatedTLS = true; // see JitSupport.cpp
  return jtmb;
}

/// The options an isolated engine cannot honour: they act in this process.
static Error checkIsolatedOptions(const JitOptions &options) {
  if (options.gdbRegistration || options.perfMap ||
      options.vectorLibrary != VectorLibrary::None)
    return makeError("an isolated JIT engine supports neither GDB "
                     "registration, perf maps nor a vector library");
  return Error::success();
}

/// The object layer: JITLink with counted memory and EH frames (and a perf
/// map on request); Kiln's compile function: the pipeline at the engine's
/// level, with the cache.
void Jit::Impl::configure(LLJITBuilder &builder) {
  builder.setJITTargetMachineBuilder(machineBuilder(Target, Options.level));
  builder.setLinkProcessSymbolsByDefault(Options.processSymbols);
  builder.setObjectLinkingLayerCreator(
      [this](ExecutionSession &es,
             const Triple &) -> Expected<std::unique_ptr<ObjectLayer>> {
        auto memory = detail::createCountingMemoryManager(Counters);
        if (!memory)
          return makeError("cannot create the JIT memory manager");
        auto layer =
            std::make_unique<ObjectLinkingLayer>(es, std::move(memory));
        layer->addPlugin(std::make_unique<EHFrameRegistrationPlugin>(
            es, std::make_unique<jitlink::InProcessEHFrameRegistrar>()));
        if (Options.perfMap)
          layer->addPlugin(detail::createPerfMapPlugin());
        return std::move(layer);
      });
  builder.setCompileFunctionCreator(
      [this](JITTargetMachineBuilder)
          -> Expected<std::unique_ptr<IRCompileLayer::IRCompiler>> {
        PipelineOptions pipeline;
        pipeline.level = Options.level;
        pipeline.printPipeline = Options.printPipeline;
        pipeline.printChanged = Options.printChanged;
        pipeline.vectorLibrary = Options.vectorLibrary;
        pipeline.lateLicm = Options.lateLicm;
        return std::make_unique<detail::ModuleCompiler>(
            Target, pipeline, Options.cache, Counters, Options.timings,
            Options.onObject);
      });
}

/// The shared library this code is part of (libkiln.so), or null when it
/// is linked into the executable. Opened once and never closed: JIT code
/// may call into it until the process ends.
static void *ownSharedLibrary() {
  static void *handle = []() -> void * {
    Dl_info self{};
    if (!::dladdr(reinterpret_cast<void *>(&kiln_rt_symbols), &self) ||
        !self.dli_fname)
      return nullptr;
    void *library = ::dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    return library == ::dlopen(nullptr, RTLD_LAZY) ? nullptr : library;
  }();
  return handle;
}

/// Process symbols come from the global scope, which lacks the libraries a
/// shared libkiln.so depends on (libm, libgcc's __emutls_get_address) when
/// the host loaded it with RTLD_LOCAL, as Python's ctypes does. The
/// library's own handle searches it and its dependencies.
static void addOwnLibrarySymbols(LLJIT &jit, JITDylib &host) {
  if (void *library = ownSharedLibrary())
    host.addGenerator(std::make_unique<DynamicLibrarySearchGenerator>(
        sys::DynamicLibrary(library), jit.getDataLayout().getGlobalPrefix()));
}

/// Starts the executor (isolated), creates the LLJIT, keeps its session
/// errors, and adds the host library that runtime symbols go into.
Error Jit::Impl::start(LLJITBuilder &builder) {
  if (Options.isolate.enabled) {
    std::unique_ptr<SimpleRemoteEPC> epc;
    auto executor = detail::ExecutorProcess::launch(Options.isolate, epc);
    if (!executor)
      return executor.takeError();
    Executor = std::move(*executor);
    if (auto err = detail::configureIsolated(builder, std::move(epc)))
      return err;
  }
  auto lljit = builder.create();
  if (!lljit)
    return lljit.takeError();
  J = std::move(*lljit);
  J->getExecutionSession().setErrorReporter([this](Error err) {
    std::lock_guard<std::mutex> lock(ErrorMutex);
    LastSessionError = toString(std::move(err));
  });
  if (Options.gdbRegistration)
    if (auto err = enableDebuggerSupport(*J))
      return makeError("cannot enable GDB JIT registration: " +
                       toString(std::move(err)));
  auto host = J->createJITDylib("<kiln-host>");
  if (!host)
    return host.takeError();
  Host = &*host;
  if (Options.processSymbols && !Options.isolate.enabled)
    addOwnLibrarySymbols(*J, *Host);
  J->getMainJITDylib().addToLinkOrder(*Host);
  return Error::success();
}

Expected<std::unique_ptr<Jit>> Jit::create(const JitOptions &options) {
  if (options.isolate.enabled) {
    if (auto err = checkIsolatedOptions(options))
      return std::move(err);
  } else if (auto err = loadVectorLibrary(options.vectorLibrary)) {
    return std::move(err);
  }
  auto impl = std::make_unique<Impl>();
  impl->Options = options;
  impl->Target = hostTarget();
  LLJITBuilder builder;
  impl->configure(builder);
  if (auto err = impl->start(builder))
    return std::move(err);
  std::unique_ptr<Jit> jit(new Jit(std::move(impl)));
  if (options.isolate.enabled) // the executor links the runtime itself
    return std::move(jit);
  std::vector<std::pair<std::string, void *>> runtime;
  size_t count = 0;
  const kiln_rt_symbol *table = kiln_rt_symbols(&count);
  for (size_t i = 0; i < count; ++i)
    runtime.emplace_back(table[i].name, table[i].address);
  if (auto err = jit->defineSymbols(runtime))
    return std::move(err);
  return std::move(jit);
}

Error Jit::addModule(ThreadSafeModule module, ResourceTrackerSP rt) {
  if (!module)
    return makeError("cannot add an empty module to the JIT");
  auto err = module.withModuleDo([&](Module &m) -> Error {
    if (m.getDataLayout().isDefault())
      m.setDataLayout(P->J->getDataLayout());
    else if (m.getDataLayout() != P->J->getDataLayout())
      return makeError("module '" + m.getModuleIdentifier() +
                       "' was built for another data layout (target '" +
                       m.getTargetTriple() + "')");
    if (auto err = kiln::core::verifyModule(m))
      return err;
    // IR written for another machine (clang's attributes for another CPU
    // or architecture) gets the host's: LLVM would warn per function, or
    // abort on a CPU of the wrong width.
    retargetFunctions(m, P->Target, /*requested=*/false);
    if (P->Executor)
      detail::prepareIsolatedModule(m);
    return Error::success();
  });
  if (err)
    return err;
  if (!rt)
    rt = P->J->getMainJITDylib().getDefaultResourceTracker();
  return P->J->addIRModule(rt, std::move(module));
}

Error Jit::addObject(std::unique_ptr<MemoryBuffer> object,
                     ResourceTrackerSP rt) {
  if (!object)
    return makeError("cannot add an empty object to the JIT");
  if (!rt)
    rt = P->J->getMainJITDylib().getDefaultResourceTracker();
  return P->J->addObjectFile(rt, std::move(object));
}

ResourceTrackerSP Jit::createTracker() {
  return P->J->getMainJITDylib().createResourceTracker();
}

Error Jit::remove(ResourceTrackerSP rt) {
  if (!rt)
    return makeError("cannot remove a null resource tracker");
  Error err = rt->remove();
  // ORC interns every symbol name for the session and erases names no one
  // references only when asked: without this a host that compiles modules
  // with new names keeps ~70 bytes per name forever (test/soak).
  P->J->getExecutionSession().getSymbolStringPool()->clearDeadEntries();
  return err;
}

Error Jit::defineSymbols(
    const std::vector<std::pair<std::string, void *>> &symbols) {
  if (P->Executor)
    return makeError("an isolated JIT engine cannot call functions of the "
                     "host process");
  SymbolMap map;
  for (auto &[name, address] : symbols)
    map[P->J->mangleAndIntern(name)] = {ExecutorAddr::fromPtr(address),
                                        JITSymbolFlags::Exported |
                                            JITSymbolFlags::Callable};
  return P->Host->define(absoluteSymbols(std::move(map)));
}

Expected<ExecutorSymbolDef> Jit::lookup(StringRef name) {
  auto address = P->J->lookup(name);
  if (!address) {
    std::string message = toString(address.takeError());
    {
      std::lock_guard<std::mutex> lock(P->Counters.errorMutex);
      if (!P->Counters.codegenErrors.empty()) // the compile's own diagnostics
        return toError(std::exchange(P->Counters.codegenErrors, {}));
    }
    {
      std::lock_guard<std::mutex> lock(P->ErrorMutex);
      if (!P->LastSessionError.empty())
        message = std::exchange(P->LastSessionError, "");
    }
    // ORC's messages name internal JITDylibs; say it plainly instead.
    if (message == "Symbols not found: [ " + name.str() + " ]")
      return makeError("symbol '" + name.str() + "' not found in the JIT");
    auto pos = message.find("Symbols not found: [ ");
    if (pos != std::string::npos)
      return makeError("cannot link '" + name.str() + "': undefined symbols " +
                       message.substr(pos + 19));
    return makeError("cannot compile '" + name.str() + "': " + message);
  }
  return ExecutorSymbolDef(*address, JITSymbolFlags::Exported);
}

bool Jit::isolated() const { return P->Executor != nullptr; }

Expected<int> Jit::runMain(ExecutorAddr address,
                           const std::vector<std::string> &args) {
  if (!P->Executor) {
    std::vector<std::string> storage = args;
    std::vector<char *> argv;
    for (std::string &arg : storage)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    return address.toPtr<int (*)(int, char **)>()(int(storage.size()),
                                                  argv.data());
  }
  auto &epc = P->J->getExecutionSession().getExecutorProcessControl();
  return P->Executor->guard(
      [&]() -> Expected<int32_t> { return epc.runAsMain(address, args); });
}

Expected<int32_t> Jit::callInt(ExecutorAddr address, int32_t arg) {
  if (!P->Executor)
    return address.toPtr<int32_t (*)(int32_t)>()(arg);
  auto &epc = P->J->getExecutionSession().getExecutorProcessControl();
  return P->Executor->guard([&]() -> Expected<int32_t> {
    return epc.runAsIntFunction(address, arg);
  });
}

Expected<int32_t> Jit::callVoid(ExecutorAddr address) {
  if (!P->Executor) {
    address.toPtr<void (*)()>()();
    return 0;
  }
  auto &epc = P->J->getExecutionSession().getExecutorProcessControl();
  return P->Executor->guard(
      [&]() -> Expected<int32_t> { return epc.runAsVoidFunction(address); });
}

Error Jit::initialize() { return P->J->initialize(P->J->getMainJITDylib()); }

Error Jit::deinitialize() {
  return P->J->deinitialize(P->J->getMainJITDylib());
}

JitStats Jit::stats() const {
  JitStats s;
  s.compilations = P->Counters.compilations.load();
  s.cacheHits = P->Counters.cacheHits.load();
  int64_t bytes = P->Counters.codeBytes.load();
  s.codeBytes = bytes > 0 ? uint64_t(bytes) : 0;
  return s;
}

const DataLayout &Jit::dataLayout() const { return P->J->getDataLayout(); }
const std::string &Jit::triple() const { return P->Target.triple; }
OptLevel Jit::level() const { return P->Options.level; }

} // namespace kiln::core
