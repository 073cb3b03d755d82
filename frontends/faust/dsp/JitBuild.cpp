// JitBuild: from Faust bitcode (or host objects) to a Factory with JIT code.
//
// The orchestration of a factory's compilation: the JIT is created on
// another thread while faust runs (startJit), the module is read and
// prepared (PrepareModule.h), then compiled whole or in two halves at once
// (compute on a second thread, the set-up functions on this one), and the
// kernel's entry points are looked up.
#include "FactoryImpl.h"
#include "PrepareModule.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <future>
#include <system_error>

namespace kiln::faust {

using llvm::Error;
using llvm::Expected;

namespace {

Error takeInfo(Factory::Impl &impl, const std::string &json) {
  std::string error;
  if (!parseDspInfo(json, impl.info, error))
    return core::makeError(error);
  if (impl.name.empty())
    impl.name = impl.info.name;
  impl.compileOptions = impl.info.compileOptions;
  impl.libraryList = impl.info.libraryList;
  impl.includePathnames = impl.info.includePathnames;
  return Error::success();
}

template <typename Fn>
Error lookupOne(core::Jit &jit, const std::string &name, Fn *&out) {
  auto fn = jit.lookupAs<Fn>(name);
  if (!fn)
    return fn.takeError();
  out = *fn;
  return Error::success();
}

/// The set-up entry points (all but compute).
Error lookupSetUp(core::Jit &jit, const std::string &cn, Kernel &k) {
  if (auto err = lookupOne(jit, "classInit" + cn, k.classInit))
    return err;
  if (auto err = lookupOne(jit, "instanceConstants" + cn, k.instanceConstants))
    return err;
  if (auto err = lookupOne(jit, "instanceClear" + cn, k.instanceClear))
    return err;
  if (auto err = lookupOne(jit, "allocate" + cn, k.allocate))
    return err;
  if (auto err = lookupOne(jit, "destroy" + cn, k.destroy))
    return err;
  return lookupOne(jit, "getJSON" + cn, k.getJSON);
}

Error lookupKernel(core::Jit &jit, const std::string &cn, Kernel &k) {
  if (auto err = lookupOne(jit, "compute" + cn, k.compute))
    return err;
  return lookupSetUp(jit, cn, k);
}

/// A JIT for one factory; the object code it compiles lands in `captured`
/// (no cache: keying a module costs a bitcode write).
Expected<std::unique_ptr<core::Jit>>
makeJit(core::OptLevel level, core::PhaseTimings *timings,
        std::shared_ptr<CapturedObjects> captured) {
  core::ScopedPhase phase(timings, "jit-setup");
  core::JitOptions options;
  options.level = level;
  options.timings = timings;
  options.lateLicm = kLateLicm;
  options.onObject = [captured](llvm::StringRef module,
                                llvm::StringRef object) {
    std::lock_guard<std::mutex> lock(captured->mutex);
    captured->objects.emplace_back(module.str(), object.str());
  };
  return core::Jit::create(options);
}

Expected<std::unique_ptr<core::Jit>> takeJit(Factory::Impl &impl) {
  if (impl.pendingJit.valid())
    return impl.pendingJit.get();
  if (!impl.captured)
    impl.captured = std::make_shared<CapturedObjects>();
  return makeJit(impl.level, impl.timings, impl.captured);
}

/// Parses the Faust module; fills the class name, description and bitcode.
Expected<std::unique_ptr<llvm::Module>>
readModule(Factory::Impl &impl, const std::string &module,
           const std::string &moduleName, llvm::LLVMContext &context) {
  core::ScopedPhase load(impl.timings, "load");
  auto m = core::parseIR(module, moduleName, context);
  if (!m)
    return m.takeError();
  impl.className = findClassName(**m);
  if (impl.className.empty()) {
    Diagnostic diag = errorDiagnostic(
        "'" + moduleName + "' is not a Faust module (no getJSON function)");
    diag.kind = ErrorKind::InvalidArgument;
    return core::makeError(std::move(diag));
  }
  if (auto err = takeInfo(impl, jsonOf(**m, impl.className)))
    return std::move(err);
  impl.info.size = instanceSize(**m, impl.className, impl.info.size);
  if (llvm::StringRef(module).starts_with("BC")) {
    impl.bitcode = module;
  } else {
    llvm::raw_string_ostream os(impl.bitcode);
    llvm::WriteBitcodeToFile(**m, os);
  }
  return m;
}

/// Moves the JIT's objects into `impl.objects`, the set-up half first.
void takeObjects(Factory::Impl &impl) {
  if (!impl.captured)
    return;
  impl.objects.clear();
  for (bool computeHalf : {false, true})
    for (auto &[module, object] : impl.captured->objects)
      if (llvm::StringRef(module).ends_with(".compute") == computeHalf)
        impl.objects.push_back(std::move(object));
  impl.captured.reset();
}

/// The compute half of a split module, on its own thread: parse another
/// copy of the bitcode, keep compute, wait for the set-up half to be in the
/// JIT (compute links against its tables), compile and look up compute.
Error compileComputeHalf(Factory::Impl &impl, core::Jit &jit,
                         std::shared_future<bool> setUpAdded) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto m = core::parseIR(impl.bitcode, impl.name + ".compute", *context);
  if (!m)
    return m.takeError();
  prepareModule(**m, impl.spec, impl.className);
  splitModule(**m, impl.className, Part::Compute);
  (*m)->setDataLayout(jit.dataLayout());
  if (!setUpAdded.get())
    return Error::success(); // the set-up half's error is the one reported
  if (auto err = jit.addModule(
          llvm::orc::ThreadSafeModule(std::move(*m), std::move(context))))
    return err;
  return lookupOne(jit, "compute" + impl.className, impl.kernel.compute);
}

/// Compiles `m` whole in `jit` on this thread and looks the kernel up.
Error jitWhole(Factory::Impl &impl, core::Jit &jit,
               std::unique_ptr<llvm::Module> m,
               std::unique_ptr<llvm::LLVMContext> context) {
  if (auto err = jit.addModule(
          llvm::orc::ThreadSafeModule(std::move(m), std::move(context))))
    return err;
  return lookupKernel(jit, impl.className, impl.kernel);
}

/// Compiles the set-up half of `m` here while `computeDone` compiles the
/// compute half; `setUpAdded` tells that thread whether to go on.
Error jitSetUpHalf(Factory::Impl &impl, core::Jit &jit,
                   std::unique_ptr<llvm::Module> m,
                   std::unique_ptr<llvm::LLVMContext> context,
                   std::promise<bool> &setUpAdded,
                   std::future<Error> &computeDone) {
  splitModule(*m, impl.className, Part::SetUp);
  Error err = jit.addModule(
      llvm::orc::ThreadSafeModule(std::move(m), std::move(context)));
  setUpAdded.set_value(!err);
  if (!err)
    err = lookupSetUp(jit, impl.className, impl.kernel);
  Error computeErr = computeDone.get();
  if (err) {
    llvm::consumeError(std::move(computeErr));
    return err;
  }
  return computeErr;
}

/// The compute half's thread, when the module can be split and a thread is
/// to be had; an invalid future otherwise.
std::future<Error> startComputeHalf(Factory::Impl &impl, core::Jit &jit,
                                    llvm::Module &m,
                                    std::promise<bool> &setUpAdded) {
  llvm::Function *compute = m.getFunction("compute" + impl.className);
  if (!impl.split || !compute || compute->isDeclaration() ||
      !compute->use_empty())
    return {};
  try {
    return std::async(std::launch::async, compileComputeHalf, std::ref(impl),
                      std::ref(jit), setUpAdded.get_future().share());
  } catch (const std::system_error &) {
    return {}; // no thread to be had: compile the module whole, here
  }
}

/// Compiles `m` in `jit` and fills the kernel and the host objects. Split
/// (Impl::split, a module with a compute function): the compute half on a
/// second thread while this one compiles the set-up half, so the two
/// overlap on a machine with two cores.
Error jitModule(Factory::Impl &impl, core::Jit &jit,
                std::unique_ptr<llvm::Module> m,
                std::unique_ptr<llvm::LLVMContext> context) {
  if (impl.pendingWarmUp.valid())
    impl.pendingWarmUp.wait(); // its TargetMachines are back in the pool
  prepareModule(*m, impl.spec, impl.className);
  m->setDataLayout(jit.dataLayout());
  std::promise<bool> setUpAdded;
  std::future<Error> computeDone = startComputeHalf(impl, jit, *m, setUpAdded);
  Error err = computeDone.valid()
                  ? jitSetUpHalf(impl, jit, std::move(m), std::move(context),
                                 setUpAdded, computeDone)
                  : jitWhole(impl, jit, std::move(m), std::move(context));
  if (err)
    return err;
  takeObjects(impl);
  return Error::success();
}

} // namespace

void startJit(Factory::Impl &impl) {
  if (!impl.spec.isHost || impl.pendingJit.valid())
    return;
  impl.captured = std::make_shared<CapturedObjects>();
  impl.pendingJit = std::async(std::launch::async, makeJit, impl.level,
                               impl.timings, impl.captured);
  startWarmUp(impl);
}

Expected<std::shared_ptr<Factory>>
buildFactory(std::unique_ptr<Factory::Impl> impl, const std::string &module,
             const std::string &moduleName) {
  // Take the JIT first: started while faust ran, it must be collected even
  // when the module turns out to be bad.
  Expected<std::unique_ptr<core::Jit>> jit = nullptr;
  if (impl->spec.isHost)
    jit = takeJit(*impl);
  if (!jit)
    return jit.takeError();
  auto context = std::make_unique<llvm::LLVMContext>();
  auto m = readModule(*impl, module, moduleName, *context);
  if (!m)
    return m.takeError();
  if (!impl->spec.isHost)
    return std::make_shared<Factory>(std::move(impl));
  if (auto err = jitModule(*impl, **jit, std::move(*m), std::move(context)))
    return std::move(err);
  impl->jit = std::move(*jit);
  return std::make_shared<Factory>(std::move(impl));
}

Expected<std::shared_ptr<Factory>>
loadFactoryObject(std::unique_ptr<Factory::Impl> impl,
                  const std::vector<std::string> &objects, uint64_t size) {
  auto jit = takeJit(*impl);
  if (!jit)
    return jit.takeError();
  for (const std::string &object : objects)
    if (auto err = (*jit)->addObject(llvm::MemoryBuffer::getMemBufferCopy(
            object, impl->className + ".o")))
      return std::move(err);
  if (auto err = lookupKernel(**jit, impl->className, impl->kernel))
    return std::move(err);
  if (auto err = takeInfo(*impl, impl->kernel.getJSON()))
    return std::move(err);
  if (size != 0)
    impl->info.size = size;
  impl->objects = objects;
  impl->captured.reset();
  impl->jit = std::move(*jit);
  return std::make_shared<Factory>(std::move(impl));
}

} // namespace kiln::faust
