// IRHelpers: loops, branches, calls and constants for frontends' irgen.
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Diagnostic.h"

#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::core {

using namespace llvm;

Function *createFunction(Module &module, IRBuilder<> &b, StringRef name,
                         FunctionType *type,
                         const std::vector<std::string> &argNames,
                         GlobalValue::LinkageTypes linkage) {
  Function *f = Function::Create(type, linkage, name, module);
  unsigned i = 0;
  for (Argument &arg : f->args())
    if (i < argNames.size())
      arg.setName(argNames[i++]);
  b.SetInsertPoint(BasicBlock::Create(module.getContext(), "entry", f));
  return f;
}

BasicBlock *
emitCountedLoop(IRBuilder<> &b, Value *start, Value *end, Value *step,
                const std::function<void(IRBuilder<> &, Value *)> &body,
                StringRef name) {
  Function *f = b.GetInsertBlock()->getParent();
  LLVMContext &ctx = f->getContext();
  BasicBlock *preheader = b.GetInsertBlock();
  BasicBlock *header = BasicBlock::Create(ctx, name + ".header", f);
  BasicBlock *bodyBlock = BasicBlock::Create(ctx, name + ".body", f);
  BasicBlock *exit = BasicBlock::Create(ctx, name + ".exit", f);
  b.CreateBr(header);

  b.SetInsertPoint(header);
  PHINode *iv = b.CreatePHI(start->getType(), 2, name + ".iv");
  iv->addIncoming(start, preheader);
  b.CreateCondBr(b.CreateICmpSLT(iv, end, name + ".cond"), bodyBlock, exit);

  b.SetInsertPoint(bodyBlock);
  body(b, iv);
  if (!b.GetInsertBlock()->getTerminator()) {
    Value *next = b.CreateAdd(iv, step, name + ".next", /*HasNUW=*/false,
                              /*HasNSW=*/true);
    iv->addIncoming(next, b.GetInsertBlock());
    b.CreateBr(header);
  }
  b.SetInsertPoint(exit);
  return exit;
}

BasicBlock *emitIfElse(IRBuilder<> &b, Value *cond,
                       const std::function<void(IRBuilder<> &)> &thenBody,
                       const std::function<void(IRBuilder<> &)> &elseBody) {
  Function *f = b.GetInsertBlock()->getParent();
  LLVMContext &ctx = f->getContext();
  BasicBlock *thenBlock = BasicBlock::Create(ctx, "if.then", f);
  BasicBlock *elseBlock =
      elseBody ? BasicBlock::Create(ctx, "if.else", f) : nullptr;
  BasicBlock *merge = BasicBlock::Create(ctx, "if.end", f);
  b.CreateCondBr(cond, thenBlock, elseBlock ? elseBlock : merge);
  auto emitArm = [&](BasicBlock *block,
                     const std::function<void(IRBuilder<> &)> &arm) {
    b.SetInsertPoint(block);
    arm(b);
    if (!b.GetInsertBlock()->getTerminator())
      b.CreateBr(merge);
  };
  emitArm(thenBlock, thenBody);
  if (elseBlock)
    emitArm(elseBlock, elseBody);
  b.SetInsertPoint(merge);
  return merge;
}

CallInst *callRuntime(IRBuilder<> &b, StringRef name, Type *result,
                      ArrayRef<Value *> args) {
  Module *m = b.GetInsertBlock()->getModule();
  std::vector<Type *> params;
  for (Value *a : args)
    params.push_back(a->getType());
  FunctionCallee callee =
      m->getOrInsertFunction(name, FunctionType::get(result, params, false));
  return b.CreateCall(callee, args);
}

Constant *constString(IRBuilder<> &b, StringRef text) {
  return b.CreateGlobalStringPtr(text, ".str", 0,
                                 b.GetInsertBlock()->getModule());
}

Constant *constF64(IRBuilder<> &b, double v) {
  return ConstantFP::get(b.getDoubleTy(), v);
}
Constant *constI64(IRBuilder<> &b, int64_t v) { return b.getInt64(v); }

Error verifyModule(const Module &module) {
  std::string text;
  raw_string_ostream os(text);
  if (!llvm::verifyModule(module, &os))
    return Error::success();
  os.flush();
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return makeError("invalid IR in module '" + module.getModuleIdentifier() +
                   "': " + text);
}

} // namespace kiln::core
