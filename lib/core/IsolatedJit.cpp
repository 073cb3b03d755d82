// IsolatedJit: an LLJIT whose code lives in a kiln-executor process.
//
// The host keeps compiling as usual (Kiln's compile function, cache and
// pipeline); JITLink links into memory the executor allocates (ORC's
// EPCGenericJITLinkMemoryManager), EH frames are registered there, and
// undefined symbols resolve against the executor's libc, libm and Kiln
// runtime. No ORC platform: constructors and destructors of a program run
// through the wrapper addIsolatedMain adds, atexit is the executor's own.
#include "IsolatedJit.h"
#include "Executor.h"
#include "kiln/core/Diagnostic.h"

#include "LLVMHeaders.h"
#include "llvm/ExecutionEngine/Orc/EPCDynamicLibrarySearchGenerator.h"
#include "llvm/ExecutionEngine/Orc/EPCEHFrameRegistrar.h"

namespace kiln::core::detail {

using namespace llvm;
using namespace llvm::orc;

namespace {

/// JIT code's allocation functions, rerouted to the executor's wrappers that
/// note a failure to the host (lib/core/executor/main.cpp), and atexit.
constexpr std::pair<const char *, const char *> kReroutes[] = {
    {"malloc", "kiln_executor_malloc"},
    {"calloc", "kiln_executor_calloc"},
    {"realloc", "kiln_executor_realloc"},
    {"aligned_alloc", "kiln_executor_aligned_alloc"},
    {"posix_memalign", "kiln_executor_posix_memalign"},
    {"atexit", "kiln_executor_atexit"}}; // glibc's is in libc_nonshared.a

/// The executor's own symbols: a JITDylib that reflects the executor
/// process (dlsym there) with the allocation functions rerouted.
Expected<JITDylibSP> executorSymbols(LLJIT &J) {
  ExecutionSession &es = J.getExecutionSession();
  ExecutorProcessControl &epc = es.getExecutorProcessControl();
  auto handle = epc.loadDylib(nullptr);
  if (!handle)
    return handle.takeError();
  SymbolLookupSet names;
  for (auto &[name, target] : kReroutes)
    names.add(es.intern(target));
  auto found = epc.lookupSymbols({{*handle, names}});
  if (!found)
    return found.takeError();
  SymbolMap reroutes;
  for (size_t i = 0; i < std::size(kReroutes); ++i) {
    ExecutorAddr address = (*found)[0][i].getAddress();
    if (!address)
      return makeError(std::string("the executor does not export ") +
                       kReroutes[i].second + " (is it Kiln's kiln-executor?)");
    reroutes[J.mangleAndIntern(kReroutes[i].first)] = {
        address, JITSymbolFlags::Exported | JITSymbolFlags::Callable};
  }
  JITDylib &jd = es.createBareJITDylib("<kiln-executor>");
  if (auto err = jd.define(absoluteSymbols(std::move(reroutes))))
    return std::move(err);
  auto generator = EPCDynamicLibrarySearchGenerator::GetForTargetProcess(es);
  if (!generator)
    return generator.takeError();
  jd.addGenerator(std::move(*generator));
  return JITDylibSP(&jd);
}

} // namespace

void prepareIsolatedModule(Module &module) {
  // C++ passes &__dso_handle to __cxa_atexit and declares it hidden, so it
  // is addressed PC-relative and must lie near the code: each module gets
  // its own (only a key for __cxa_finalize, which exit() does not need).
  GlobalVariable *handle = module.getNamedGlobal("__dso_handle");
  if (!handle || !handle->isDeclaration())
    return;
  handle->setInitializer(Constant::getNullValue(handle->getValueType()));
  handle->setLinkage(GlobalValue::InternalLinkage);
}

Error configureIsolated(LLJITBuilder &builder,
                        std::unique_ptr<SimpleRemoteEPC> epc) {
  builder.setExecutorProcessControl(std::move(epc));
  builder.setObjectLinkingLayerCreator(
      [](ExecutionSession &es,
         const Triple &) -> Expected<std::unique_ptr<ObjectLayer>> {
        // Without a memory manager argument the layer allocates through the
        // executor process control: in the executor.
        auto layer = std::make_unique<ObjectLinkingLayer>(es);
        auto registrar = EPCEHFrameRegistrar::Create(es);
        if (!registrar)
          return registrar.takeError();
        layer->addPlugin(std::make_unique<EHFrameRegistrationPlugin>(
            es, std::move(*registrar)));
        return std::move(layer);
      });
  builder.setLinkProcessSymbolsByDefault(true);
  builder.setProcessSymbolsJITDylibSetup(executorSymbols);
  builder.setPlatformSetUp(setUpInactivePlatform);
  return Error::success();
}

} // namespace kiln::core::detail
