// ObjectCode: a factory's code as relocatable objects for any target.
//
// The host objects a factory's JIT compiled are reused as they are; for
// another target (or a factory compiled in two halves when one object is
// asked for) a fresh copy of the bitcode is prepared, optimised and emitted.
#include "FactoryImpl.h"
#include "PrepareModule.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::faust {

using llvm::Expected;

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
