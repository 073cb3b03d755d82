// Stubs: the per-function entry points through which compiled code calls
// any Relay function in auto mode (see Router.h).
#include "Router.h"

#include "kiln/core/IRHelpers.h"

#include "llvm/IR/Module.h"

namespace kiln::relay {

namespace {

llvm::Type *llvmType(llvm::LLVMContext &ctx, Type t) {
  switch (t) {
  case Type::Number: return llvm::Type::getDoubleTy(ctx);
  case Type::Bool: return llvm::Type::getInt1Ty(ctx);
  case Type::Array: return llvm::PointerType::get(ctx, 0);
  default: return llvm::Type::getVoidTy(ctx);
  }
}

/// As irgen's: the parameters, then the call budget when guards are on.
llvm::FunctionType *signature(llvm::LLVMContext &ctx, const FuncDecl &f,
                              bool guards) {
  std::vector<llvm::Type *> params;
  for (Type t : f.paramTypes)
    params.push_back(llvmType(ctx, t));
  if (guards)
    params.push_back(llvm::Type::getInt32Ty(ctx));
  return llvm::FunctionType::get(llvmType(ctx, f.returnType), params, false);
}

/// One slot (8 bytes) from a typed value, and back.
llvm::Value *toSlot(llvm::IRBuilder<> &b, llvm::Value *v, Type t) {
  if (t == Type::Bool)
    return b.CreateZExt(v, b.getInt64Ty());
  if (t == Type::Number)
    return b.CreateBitCast(v, b.getInt64Ty());
  return b.CreatePtrToInt(v, b.getInt64Ty());
}
llvm::Value *fromSlot(llvm::IRBuilder<> &b, llvm::Value *slot, Type t) {
  if (t == Type::Bool)
    return b.CreateICmpNE(slot, b.getInt64(0));
  if (t == Type::Number)
    return b.CreateBitCast(slot, b.getDoubleTy());
  return b.CreateIntToPtr(slot, b.getPtrTy());
}

void emitStub(llvm::Module &m, const FuncDecl &f, llvm::GlobalVariable *self,
              llvm::FunctionCallee dispatch, bool guards) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  auto *native = new llvm::GlobalVariable(
      m, b.getPtrTy(), false, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantPointerNull::get(b.getPtrTy()),
      "relay." + f.name + ".native");
  llvm::FunctionType *type = signature(ctx, f, guards);
  llvm::Function *fn = core::createFunction(m, b, "relay." + f.name, type);
  auto *slots = b.CreateAlloca(
      b.getInt64Ty(), b.getInt32(std::max<size_t>(1, f.params.size())));
  auto *ret = b.CreateAlloca(b.getInt64Ty());
  llvm::LoadInst *target = b.CreateLoad(b.getPtrTy(), native);
  target->setAtomic(llvm::AtomicOrdering::Monotonic);
  llvm::Value *isNull =
      b.CreateICmpEQ(target, llvm::ConstantPointerNull::get(b.getPtrTy()));
  std::vector<llvm::Value *> args;
  for (auto &a : fn->args())
    args.push_back(&a);
  auto finish = [&](llvm::IRBuilder<> &b, llvm::Value *v) {
    if (type->getReturnType()->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(v);
  };
  core::emitIfElse(
      b, isNull,
      [&](llvm::IRBuilder<> &b) {
        for (size_t i = 0; i < f.params.size(); ++i)
          b.CreateStore(toSlot(b, args[i], f.paramTypes[i]),
                        b.CreateConstGEP1_64(b.getInt64Ty(), slots, i));
        llvm::Value *budget = guards ? args.back() : b.getInt32(0);
        b.CreateCall(dispatch, {self, b.getInt32(f.index), slots, ret, budget});
        llvm::Value *v = nullptr;
        if (f.returnType != Type::Void)
          v = fromSlot(b, b.CreateLoad(b.getInt64Ty(), ret), f.returnType);
        finish(b, v);
      },
      [&](llvm::IRBuilder<> &b) {
        finish(b, b.CreateCall(type, target, args));
      });
  b.CreateUnreachable();
}

} // namespace

llvm::Expected<std::unique_ptr<llvm::Module>>
generateStubs(const Program &program, llvm::LLVMContext &context, bool guards) {
  auto m = std::make_unique<llvm::Module>("relay:stubs", context);
  llvm::IRBuilder<> b(context);
  auto *self = new llvm::GlobalVariable(*m, b.getInt8Ty(), true,
                                        llvm::GlobalValue::ExternalLinkage,
                                        nullptr, "relay_router_self");
  auto dispatch = m->getOrInsertFunction(
      "relay_router_dispatch",
      llvm::FunctionType::get(b.getVoidTy(),
                              {b.getPtrTy(), b.getInt32Ty(), b.getPtrTy(),
                               b.getPtrTy(), b.getInt32Ty()},
                              false));
  for (auto &f : program.functions)
    if (f.get() != program.main)
      emitStub(*m, *f, self, dispatch, guards);
  if (auto err = core::verifyModule(*m))
    return std::move(err);
  return std::move(m);
}

} // namespace kiln::relay
