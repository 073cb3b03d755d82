// IRGen: Relay modules — typed functions, their `.entry` wrappers, and the
// C `main` of an AOT executable.
//
// This file decides what a module contains and how its symbols are named
// and linked (the contract with the JIT, the router and the linker); the
// function bodies come from FunctionGen (EmitStmt.cpp, EmitExpr.cpp).
#include "IRGenImpl.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"

#include "llvm/IR/Module.h"

using namespace llvm;

namespace kiln::relay {
using llvm::Expected; // not kiln::Expected: this file works in LLVM types
namespace {

using irgen::Mode;
using irgen::ModuleGen;

/// `relay.<name>.entry(ptr args, ptr ret)`: unpacks 8-byte slots, calls the
/// typed function, packs its result. Untyped callers (the interpreter, the
/// router) reach compiled code only through these.
void emitEntryWrapper(ModuleGen &m, const FuncDecl &decl, Function *typed,
                      const std::string &name) {
  IRBuilder<> &b = m.b;
  auto *type =
      FunctionType::get(b.getVoidTy(), {b.getPtrTy(), b.getPtrTy()}, false);
  Function *wrapper =
      core::createFunction(m.module, b, name, type, {"args", "ret"});
  wrapper->addFnAttr(Attribute::NoUnwind);
  std::vector<Value *> args;
  for (unsigned i = 0; i < decl.params.size(); ++i) {
    Value *addr = b.CreateConstInBoundsGEP1_64(
        b.getInt8Ty(), wrapper->getArg(0), uint64_t(i) * irgen::SlotBytes);
    llvm::Type *t = typed->getArg(i)->getType();
    if (t->isIntegerTy(1))
      args.push_back(b.CreateICmpNE(b.CreateLoad(b.getInt64Ty(), addr),
                                    b.getInt64(0), decl.params[i].name));
    else
      args.push_back(b.CreateLoad(t, addr, decl.params[i].name));
  }
  // The caller counts its own depth in kiln_rt_depth; the callee is one
  // level deeper.
  if (m.takesBudget(decl))
    args.push_back(m.budgetFromRuntime(1));
  CallInst *result = b.CreateCall(typed, args);
  // Inlining the function into its wrapper would compile its body twice
  // (the function stays for its other callers): a call costs far less.
  result->setIsNoInline();
  if (result->getType()->isIntegerTy(1))
    b.CreateStore(b.CreateZExt(result, b.getInt64Ty()), wrapper->getArg(1));
  else if (!result->getType()->isVoidTy())
    b.CreateStore(result, wrapper->getArg(1));
  b.CreateRetVoid();
}

/// Creates the typed function for `decl` (body added later), or null after
/// recording why not.
Function *declareTyped(ModuleGen &m, const FuncDecl &decl,
                       const std::string &name,
                       GlobalValue::LinkageTypes linkage) {
  FunctionType *type = m.signature(decl);
  if (!type)
    return nullptr;
  Function *f = Function::Create(type, linkage, name, m.module);
  f->addFnAttr(Attribute::NoUnwind);
  m.markArrays(*f);
  for (unsigned i = 0; i < decl.params.size(); ++i)
    f->getArg(i)->setName(decl.params[i].name);
  if (m.takesBudget(decl))
    f->getArg(decl.params.size())->setName("budget");
  return f;
}

/// Fills in `typed` and adds the `.entry` wrapper that calls it.
void emitFunction(ModuleGen &m, const FuncDecl &decl, Function *typed) {
  irgen::FunctionGen(m, decl, typed).emit();
  emitEntryWrapper(m, decl, typed, "relay." + decl.name + ".entry");
}

/// Common checks and the final verification for both entry points.
Expected<std::unique_ptr<Module>> finish(ModuleGen &m,
                                         std::unique_ptr<Module> module) {
  if (Error err = m.takeError())
    return std::move(err);
  if (m.debug)
    m.debug->finalize();
  // Without a place for broken debug info to go, the verifier rejects it.
  if (Error err = core::verifyModule(*module))
    return std::move(err);
  return std::move(module);
}

bool analysed(const Program &program, const FuncDecl &decl) {
  return decl.index >= 0 && size_t(decl.index) < program.functions.size() &&
         program.functions[decl.index].get() == &decl && decl.body;
}

} // namespace

Expected<std::unique_ptr<Module>> generateProgram(const Program &program,
                                                  LLVMContext &context,
                                                  const IRGenOptions &options) {
  if (!program.main)
    return core::makeError("cannot generate IR: the program was not analysed "
                           "(no main function)");
  auto module = std::make_unique<Module>("relay:" + program.file, context);
  module->setSourceFileName(program.file);
  ModuleGen m(program, options, *module, Mode::Program);
  if (options.debugInfo)
    m.debug = std::make_unique<irgen::DebugInfo>(*module, program);
  for (const auto &decl : program.functions) {
    if (!analysed(program, *decl))
      return core::makeError("cannot generate IR: function '" + decl->name +
                             "' was not analysed");
    bool isMain = decl.get() == program.main;
    m.typed.push_back(declareTyped(m, *decl, "relay." + decl->name,
                                   isMain ? GlobalValue::ExternalLinkage
                                          : GlobalValue::InternalLinkage));
  }
  if (Error err = m.takeError())
    return std::move(err);
  for (const auto &decl : program.functions)
    emitFunction(m, *decl, m.typed[decl->index]);
  return finish(m, std::move(module));
}

Expected<std::unique_ptr<Module>>
generateFunction(const Program &program, const FuncDecl &function,
                 LLVMContext &context, const IRGenOptions &options) {
  if (!analysed(program, function))
    return core::makeError("cannot generate IR: function '" + function.name +
                           "' is not an analysed function of the program");
  auto module = std::make_unique<Module>("relay:" + function.name, context);
  module->setSourceFileName(program.file);
  ModuleGen m(program, options, *module, Mode::Single);
  if (options.debugInfo)
    m.debug = std::make_unique<irgen::DebugInfo>(*module, program);
  Function *typed =
      declareTyped(m, function, "relay." + function.name + ".impl",
                   GlobalValue::ExternalLinkage);
  if (Error err = m.takeError())
    return std::move(err);
  m.self = &function;
  m.selfFn = typed;
  emitFunction(m, function, typed);
  return finish(m, std::move(module));
}

namespace {

/// `<name>(ptr frame, ptr loops, ptr ret)`: runs the continuation `impl`
/// with the budget of the interpreter's running call and stores its result
/// as a slot.
void emitOsrWrapper(ModuleGen &m, const FuncDecl &decl, Function *impl,
                    const std::string &name) {
  IRBuilder<> &b = m.b;
  auto *type = FunctionType::get(
      b.getVoidTy(), {b.getPtrTy(), b.getPtrTy(), b.getPtrTy()}, false);
  Function *wrapper =
      core::createFunction(m.module, b, name, type, {"frame", "loops", "ret"});
  wrapper->addFnAttr(Attribute::NoUnwind);
  std::vector<Value *> args{wrapper->getArg(0), wrapper->getArg(1)};
  if (m.takesBudget(decl))
    args.push_back(m.budgetFromRuntime(0));
  CallInst *result = b.CreateCall(impl, args);
  if (result->getType()->isIntegerTy(1))
    b.CreateStore(b.CreateZExt(result, b.getInt64Ty()), wrapper->getArg(2));
  else if (!result->getType()->isVoidTy())
    b.CreateStore(result, wrapper->getArg(2));
  b.CreateRetVoid();
}

/// Every function but main, typed and internal, in the OSR module: the
/// continuation calls them directly.
Error emitInternalFunctions(ModuleGen &m, const Program &program) {
  for (const auto &decl : program.functions) {
    if (!analysed(program, *decl))
      return core::makeError("cannot generate IR: function '" + decl->name +
                             "' was not analysed");
    bool isMain = decl.get() == program.main;
    m.typed.push_back(isMain ? nullptr
                             : declareTyped(m, *decl, "relay." + decl->name,
                                            GlobalValue::InternalLinkage));
  }
  if (Error err = m.takeError())
    return err;
  for (const auto &decl : program.functions)
    if (decl.get() != program.main)
      irgen::FunctionGen(m, *decl, m.typed[decl->index]).emit();
  return Error::success();
}

/// The top-level slots that cannot change while `loop` runs (see
/// fixedSlots) become constants with their values in `frame`.
void fixTopLevelSlots(ModuleGen &m, const FuncDecl &main, const Stmt &loop,
                      const std::vector<uint64_t> &frame) {
  std::vector<bool> fixed = irgen::fixedSlots(main, loop);
  m.osrConstants.resize(fixed.size());
  for (size_t i = 0; i < fixed.size(); ++i)
    if (fixed[i])
      m.osrConstants[i] = frame[i];
}

} // namespace

Expected<std::unique_ptr<Module>>
generateOsr(const Program &program, const FuncDecl &function, const Stmt &loop,
            const std::string &entryName, LLVMContext &context,
            const IRGenOptions &options,
            const std::vector<uint64_t> *topLevelFrame) {
  if (!program.main || !analysed(program, function))
    return core::makeError("cannot generate IR: function '" + function.name +
                           "' is not an analysed function of the program");
  auto module = std::make_unique<Module>("relay:" + entryName, context);
  module->setSourceFileName(program.file);
  ModuleGen m(program, options, *module, Mode::Program);
  if (Error err = emitInternalFunctions(m, program))
    return std::move(err);
  FunctionType *typed = m.signature(function);
  if (!typed)
    return m.takeError();
  std::vector<llvm::Type *> params{m.b.getPtrTy(), m.b.getPtrTy()};
  if (m.takesBudget(function))
    params.push_back(m.b.getInt32Ty());
  Function *impl = Function::Create(
      FunctionType::get(typed->getReturnType(), params, false),
      GlobalValue::InternalLinkage, entryName + ".impl", *module);
  impl->addFnAttr(Attribute::NoUnwind);
  if (topLevelFrame && &function == program.main &&
      topLevelFrame->size() == function.slotTypes.size())
    fixTopLevelSlots(m, function, loop, *topLevelFrame);
  irgen::FunctionGen(m, function, impl, &loop).emit();
  emitOsrWrapper(m, function, impl, entryName);
  return finish(m, std::move(module));
}

void addExecutableMain(Module &module, double timeoutSeconds, int maxDepth) {
  LLVMContext &ctx = module.getContext();
  IRBuilder<> b(ctx);
  auto *type =
      FunctionType::get(b.getInt32Ty(), {b.getInt32Ty(), b.getPtrTy()}, false);
  core::createFunction(module, b, "main", type, {"argc", "argv"});
  // The runtime sizes the stack for the depth limit and reads KILN_TIMEOUT.
  FunctionCallee relayMain =
      module.getOrInsertFunction("relay.main", b.getVoidTy());
  Value *status = core::callRuntime(
      b, "kiln_rt_main", b.getInt32Ty(),
      {relayMain.getCallee(), b.getInt32(maxDepth),
       core::constF64(b, timeoutSeconds > 0 ? timeoutSeconds : 0)});
  b.CreateRet(status);
}

} // namespace kiln::relay
