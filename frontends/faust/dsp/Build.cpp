// Build: from Faust bitcode (or a host object) to a Factory with JIT code.
//
// The bitcode `faust -lang llvm` writes has no data layout and no target CPU.
// Before it reaches the optimiser, every function gets the target's
// "target-cpu"/"target-features" attributes, or the vectorizers and the code
// generator would not use the host's AVX2/AVX-512. The JSON description is
// read straight out of the module (the constant getJSONNAME returns), so no
// code has to run to learn the struct size, channels and UI.
#include "FactoryImpl.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA1.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Target/TargetMachine.h"

#include <future>
#include <system_error>


namespace kiln::faust {

using llvm::Error;
using llvm::Expected;

core::OptLevel optLevelFromFaust(int level) {
  switch (level) {
  case 0: return core::OptLevel::O0;
  case 1: return core::OptLevel::O1;
  case 2: return core::OptLevel::O2;
  default: return core::OptLevel::O3; // -1 (best), 3 and 4
  }
}

Expected<core::TargetSpec> targetFromString(const std::string &target) {
  core::TargetSpec host = core::hostTarget();
  if (target.empty())
    return host;
  size_t colon = target.find(':');
  std::string triple = target.substr(0, colon);
  std::string cpu = colon == std::string::npos ? "" : target.substr(colon + 1);
  if (triple == host.triple && (cpu.empty() || cpu == host.cpu))
    return host;
  return core::targetFromTriple(triple, cpu.empty() ? "generic" : cpu);
}

std::string targetString(const core::TargetSpec &spec) {
  return spec.triple + ":" + spec.cpu;
}

std::string shaOf(const std::vector<std::string> &parts) {
  llvm::SHA1 sha;
  for (const std::string &part : parts) {
    sha.update(part);
    sha.update(llvm::StringRef("\0", 1));
  }
  auto digest = sha.final();
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 15];
  }
  return out;
}

namespace {

/// NAME from the defined function getJSONNAME, or empty.
std::string findClassName(llvm::Module &m) {
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && f.getName().starts_with("getJSON"))
      return f.getName().substr(7).str();
  return {};
}

/// The C string getJSONNAME returns, or empty.
std::string jsonOf(llvm::Module &m, const std::string &className) {
  llvm::Function *f = m.getFunction("getJSON" + className);
  for (llvm::BasicBlock &bb : *f)
    if (auto *ret = llvm::dyn_cast_or_null<llvm::ReturnInst>(bb.getTerminator()))
      if (llvm::Value *v = ret->getReturnValue())
        if (auto *g = llvm::dyn_cast<llvm::GlobalVariable>(
                v->stripPointerCasts()))
          if (auto *data = llvm::dyn_cast_or_null<llvm::ConstantDataSequential>(
                  g->getInitializer()))
            if (data->isCString())
              return data->getAsCString().str();
  return {};
}

/// The instance struct's size: the allocation size of faust's
/// `%struct.dspNAME`, or `jsonSize` for a module without that type. The
/// JSON's "size" is a 32-bit number (`_ @ 1000000000` says 8 for a 4 GiB
/// struct). The struct is packed, so only the pointer size (soundfile
/// zones) depends on the layout; a module without one (faust writes none)
/// gets 64-bit pointers, which at worst over-allocates on a 32-bit target.
uint64_t instanceSize(llvm::Module &m, const std::string &className,
                      uint64_t jsonSize) {
  auto *type = llvm::StructType::getTypeByName(m.getContext(),
                                               "struct.dsp" + className);
  if (!type || !type->isSized())
    return jsonSize;
  return m.getDataLayout().getTypeAllocSize(type).getFixedValue();
}

/// What `root` may run or touch: the functions it calls or names,
/// transitively, and the globals they name, also through constant
/// expressions, aggregates and the initializers of the globals they name
/// (a table of function pointers, a table of pointers to other globals).
struct Reach {
  llvm::SmallPtrSet<llvm::Function *, 16> functions;
  llvm::SmallPtrSet<llvm::GlobalVariable *, 8> globals;
};

Reach reachFrom(llvm::Function *root) {
  Reach reach;
  reach.functions.insert(root);
  llvm::SmallVector<llvm::Function *, 16> work{root};
  llvm::SmallPtrSet<llvm::Constant *, 32> visited;
  llvm::SmallVector<llvm::Constant *, 16> constants;
  auto visit = [&](llvm::Value *v) {
    if (auto *c = llvm::dyn_cast<llvm::Constant>(v))
      if (visited.insert(c).second)
        constants.push_back(c);
  };
  while (!work.empty()) {
    for (llvm::Instruction &inst : llvm::instructions(*work.pop_back_val()))
      for (llvm::Value *operand : inst.operands())
        visit(operand);
    while (!constants.empty()) {
      llvm::Constant *c = constants.pop_back_val();
      if (auto *f = llvm::dyn_cast<llvm::Function>(c)) {
        if (reach.functions.insert(f).second)
          work.push_back(f);
      } else if (auto *g = llvm::dyn_cast<llvm::GlobalVariable>(c)) {
        reach.globals.insert(g);
        if (g->hasInitializer())
          visit(g->getInitializer());
      } else if (!llvm::isa<llvm::GlobalValue>(c)) {
        for (llvm::Value *operand : c->operands())
          visit(operand);
      }
    }
  }
  return reach;
}

} // namespace

// Most of the optimiser and codegen time of a Faust module goes to
// `compute`, but a noticeable part (osc: 40 %, clarinet: 25 %) goes to the
// set-up functions: classInit and its table fillers (the SIG functions),
// instanceConstants, instanceClear, allocate, getJSON... With `optnone` the
// O3 pipeline skips them and codegen selects them with FastISel. They run
// once per init, where it costs little (osc's 65536-entry sine table:
// init 0.68 -> 0.82 ms; tapiir's instanceClear 0.23 -> 0.25 ms).
void skipSetUpFunctions(llvm::Module &m, const std::string &className) {
  llvm::Function *compute = m.getFunction("compute" + className);
  if (!compute || compute->isDeclaration())
    return;
  auto keep = reachFrom(compute).functions;
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && !keep.contains(&f) &&
        !f.hasFnAttribute(llvm::Attribute::AlwaysInline) &&
        !f.hasOptSize()) { // the verifier refuses optnone with these
      f.addFnAttr(llvm::Attribute::OptimizeNone);
      f.addFnAttr(llvm::Attribute::NoInline);
    }
}

// faust -lang llvm marks every floating-point operation `fast`. The
// optimiser then assumes no NaNs or infinities and reassociates freely,
// which changes results (SAM/virtualAnalog: 0.107 of a 0.60 peak at O1-O3
// against O0, g++ and libfaust). Kiln compiles the DSP with IEEE arithmetic:
// no fast-math and no FMA contraction (keeping `contract` still missed g++'s
// output on virtualAnalog by 0.0029 of the peak: GCC contracts elsewhere).
// This costs some speed (zitaRev ~25 -> ~34 ns/frame scalar) for results
// that do not depend on the optimisation level.
void dropFastMath(llvm::Module &m) {
  for (llvm::Function &f : m) {
    for (const char *attr : {"unsafe-fp-math", "no-nans-fp-math",
                             "no-infs-fp-math", "no-signed-zeros-fp-math",
                             "approx-func-fp-math"})
      f.removeFnAttr(attr);
    for (llvm::BasicBlock &block : f)
      for (llvm::Instruction &inst : block)
        if (llvm::isa<llvm::FPMathOperator>(inst))
          inst.copyFastMathFlags(llvm::FastMathFlags());
  }
}

void prepareModule(llvm::Module &m, const core::TargetSpec &spec,
                   const std::string &className) {
  m.setTargetTriple(spec.triple);
  dropFastMath(m);
  std::string features = spec.features;
  // Faust's many parallel filters tempt the SLP vectorizer into gathering
  // delay-line taps, and x86 gathers cost more than the scalar loads they
  // replace (freeverb: 31 -> 19 ns/frame without them).
  if (llvm::Triple(spec.triple).isX86())
    features += std::string(features.empty() ? "" : ",") +
                "+prefer-no-gather,+prefer-no-scatter";
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", spec.cpu);
    if (!features.empty())
      f.addFnAttr("target-features", features);
  }
  // The instance struct never overlaps the audio buffers (the Dsp owns it),
  // so compute's state may live in registers across the sample loop.
  if (llvm::Function *compute = m.getFunction("compute" + className))
    if (compute->arg_size() == 4)
      compute->addParamAttr(0, llvm::Attribute::NoAlias);
  skipSetUpFunctions(m, className);
}

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

} // namespace

namespace {

/// Parses the Faust module; fills the class name, description and bitcode.
Expected<std::unique_ptr<llvm::Module>>
readModule(Factory::Impl &impl, const std::string &module,
           const std::string &moduleName, llvm::LLVMContext &context) {
  core::ScopedPhase load(impl.timings, "load");
  auto m = core::parseIR(module, moduleName, context);
  if (!m)
    return m.takeError();
  impl.className = findClassName(**m);
  if (impl.className.empty())
    return core::makeError("'" + moduleName +
                           "' is not a Faust module (no getJSON function)");
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

} // namespace

// A split factory compiles its module as two: `compute` with the functions
// it calls, and the set-up functions (classInit, the table fillers,
// instanceConstants, instanceClear, getJSON...). Both halves come from the
// same prepared module. The mutable globals compute uses (the tables
// classInit fills) are defined and exported by the set-up half and
// declared by the compute half; constant globals and the helpers compute
// calls are private copies in the compute half, so its optimiser sees
// everything it saw in the whole module but the tables' contents, which
// only classInit writes.
void splitModule(llvm::Module &m, const std::string &className, Part part) {
  llvm::Function *compute = m.getFunction("compute" + className);
  Reach reached = reachFrom(compute);
  auto &reach = reached.functions;
  auto &used = reached.globals;
  if (part == Part::SetUp) {
    for (llvm::GlobalVariable *g : used)
      if (!g->isConstant() && g->hasLocalLinkage())
        g->setLinkage(llvm::GlobalValue::ExternalLinkage);
    compute->eraseFromParent();
    return;
  }
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && !reach.contains(&f))
      f.deleteBody();
  for (llvm::Function *f : reach)
    if (f != compute && !f->isDeclaration())
      f->setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable *g : used) {
    if (g->isConstant()) {
      g->setLinkage(llvm::GlobalValue::InternalLinkage);
    } else if (!g->isDeclaration()) {
      g->setInitializer(nullptr);
      g->setLinkage(llvm::GlobalValue::ExternalLinkage);
    }
  }
  for (llvm::GlobalVariable &g : llvm::make_early_inc_range(m.globals())) {
    g.removeDeadConstantUsers();
    if (g.use_empty())
      g.eraseFromParent();
  }
  for (llvm::Function &f : llvm::make_early_inc_range(m))
    if (f.isDeclaration() && f.use_empty())
      f.eraseFromParent();
}

namespace {

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
  llvm::Function *compute = m->getFunction("compute" + impl.className);
  std::promise<bool> setUpAdded;
  std::future<Error> computeDone;
  if (impl.split && compute && !compute->isDeclaration() &&
      compute->use_empty()) {
    try {
      computeDone = std::async(std::launch::async, compileComputeHalf,
                               std::ref(impl), std::ref(jit),
                               setUpAdded.get_future().share());
    } catch (const std::system_error &) {
      // no thread to be had: compile the module whole, here
    }
  }
  if (!computeDone.valid()) {
    if (auto err = jit.addModule(
            llvm::orc::ThreadSafeModule(std::move(m), std::move(context))))
      return err;
    if (auto err = lookupKernel(jit, impl.className, impl.kernel))
      return err;
    takeObjects(impl);
    return Error::success();
  }
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
  if (computeErr)
    return computeErr;
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

Expected<std::string> compileObject(const Factory::Impl &impl,
                                    const core::TargetSpec &spec) {
  bool host = targetString(spec) == targetString(impl.spec);
  if (host && impl.objects.size() == 1)
    return impl.objects[0];
  if (impl.bitcode.empty())
    return core::makeError(
        host ? "this factory was read from machine code in two parts and has "
               "no bitcode to build one object from"
             : "this factory was read from machine code and has no bitcode "
               "to compile for another target");
  llvm::LLVMContext context;
  auto m = core::parseIR(impl.bitcode, impl.name, context);
  if (!m)
    return m.takeError();
  prepareModule(**m, spec, impl.className);
  auto tm = core::createTargetMachine(spec, impl.level);
  if (!tm)
    return tm.takeError();
  core::PipelineOptions pipeline;
  pipeline.level = impl.level;
  pipeline.lateLicm = kLateLicm;
  if (auto err = core::optimizeModule(**m, **tm, pipeline))
    return std::move(err);
  return core::emitToString(**m, **tm, core::EmitKind::Object);
}

Expected<std::vector<std::string>>
machineObjects(const Factory::Impl &impl, const core::TargetSpec &spec) {
  if (!impl.objects.empty() && targetString(spec) == targetString(impl.spec))
    return impl.objects;
  auto object = compileObject(impl, spec);
  if (!object)
    return object.takeError();
  return std::vector<std::string>{std::move(*object)};
}

} // namespace kiln::faust
