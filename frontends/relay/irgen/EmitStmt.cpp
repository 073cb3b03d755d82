// EmitStmt: Relay statements, frames and guards as LLVM IR.
//
// Every frame slot is an alloca in the entry block (mem2reg promotes them
// at O1+), and the guards of docs/relay.md ("Guards") are inline fast paths
// with cold trap blocks. Loops live in EmitLoop.cpp.
#include "IRGenImpl.h"

#include "kiln/core/IRHelpers.h"
#include "kiln/runtime/Abi.h"

#include "llvm/IR/CFG.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/MDBuilder.h"

using namespace llvm;

namespace kiln::relay::irgen {

FunctionGen::FunctionGen(ModuleGen &m, const FuncDecl &decl, Function *fn,
                         const Stmt *osrLoop)
    : M(m), b(m.b), decl(decl), fn(fn), countsDepth(&decl != m.program.main),
      osrLoop(osrLoop) {
  BodyFacts facts;
  facts.stmt(decl.body.get());
  isLeaf = !facts.callsUser;
  bounded = isLeaf && !facts.loops;
}

void FunctionGen::emit() {
  b.SetInsertPoint(BasicBlock::Create(fn->getContext(), "entry", fn));
  if (osrLoop) {
    emitOsr();
    return;
  }
  if (M.debug)
    M.debug->beginFunction(*fn, decl, b);
  emitPrologue();
  emitBlock(decl.body.get());
  if (!terminated())
    emitFallOff();
  if (M.options.guards && countsDepth)
    emitStackCheck();
  if (M.debug)
    M.debug->endFunction(b);
}

// ---- Frame and guards -------------------------------------------------------

void FunctionGen::emitPrologue() {
  for (size_t i = 0; i < decl.slotTypes.size(); ++i) {
    Type t = decl.slotTypes[i];
    bool isValue = t == Type::Number || t == Type::Bool || t == Type::Array;
    // Slots sema could not type are only an error if something uses them.
    AllocaInst *a = isValue ? entryAlloca(M.typeOf(t, decl.loc), "") : nullptr;
    // Parameters are stored just below; a zero first would also reach the
    // debug information as the parameter's value (-O2 -g).
    if (a && i >= decl.params.size())
      b.CreateStore(Constant::getNullValue(a->getAllocatedType()), a);
    if (a && M.debug)
      M.debug->declareSlot(b, a, int(i));
    slots.push_back(a);
  }
  for (unsigned i = 0; i < decl.params.size(); ++i)
    if (AllocaInst *a = slot(int(i), decl.paramTypes[i], decl.params[i].loc)) {
      a->setName(decl.params[i].name + ".slot");
      b.CreateStore(fn->getArg(i), a);
    }
  // The top-level code is no call: the interpreter neither polls nor counts
  // depth there, and the compiled tiers must trap at the same points (it
  // only works out the budget its calls pass on).
  // A function that neither loops nor calls finishes in bounded time, so
  // its entry need not poll the timeout (the interpreter's extra polls only
  // change when a timeout is noticed, never what is printed).
  if (countsDepth && !bounded)
    pollInterrupt();
  enterFrame();
}

/// A value-returning function reached its closing brace: a runtime error
/// there; a void one returns.
void FunctionGen::emitFallOff() {
  if (M.debug) // the closing brace, as clang's line table has it
    M.debug->setLocation(b, decl.body->end);
  if (fn->getReturnType()->isVoidTy()) {
    b.CreateRetVoid();
    return;
  }
  std::string message =
      "function '" + decl.name + "' ended without returning a value";
  M.call("kiln_rt_trap", b.getVoidTy(),
         {core::constString(b, message), M.fileName(),
          b.getInt32(decl.body->end.line), b.getInt32(decl.body->end.col)},
         Callee::NoReturn);
  b.CreateUnreachable();
}

AllocaInst *FunctionGen::entryAlloca(llvm::Type *t, const Twine &name) {
  BasicBlock &entry = fn->getEntryBlock();
  IRBuilder<> at(&entry, entry.begin());
  return at.CreateAlloca(t, nullptr, name);
}

AllocaInst *FunctionGen::slot(int index, Type expected, Loc where) {
  if (index < 0 || size_t(index) >= slots.size() || !slots[index]) {
    M.fail(where, "variable without a frame slot");
    return nullptr;
  }
  if (expected != Type::Unknown && decl.slotTypes[index] != expected) {
    M.fail(where, std::string("variable of type '") +
                      typeName(decl.slotTypes[index]) + "' used as '" +
                      typeName(expected) + "'");
    return nullptr;
  }
  return slots[index];
}

void FunctionGen::emitCheck(Value *failed,
                            const std::function<void()> &slowPath,
                            const Twine &name) {
  BasicBlock *slow = newBlock(name);
  BasicBlock *fast = newBlock(name + ".ok");
  b.CreateCondBr(failed, slow, fast,
                 MDBuilder(fn->getContext()).createUnlikelyBranchWeights());
  b.SetInsertPoint(slow);
  slowPath();
  b.CreateUnreachable();
  b.SetInsertPoint(fast);
}

/// Timeout poll: at function entry and before every loop iteration.
void FunctionGen::pollInterrupt() {
  if (!M.options.guards)
    return;
  LoadInst *flag = b.CreateLoad(
      b.getInt32Ty(), M.runtimeGlobal("kiln_rt_interrupted"), "interrupted");
  flag->setVolatile(true);
  // The runtime counters' alias class: the poll cannot touch an array, so
  // array data and lengths stay hoisted out of loops that poll.
  flag->setMetadata(LLVMContext::MD_tbaa, M.tbaa(ModuleGen::Access::Depth));
  emitCheck(
      b.CreateICmpNE(flag, b.getInt32(0)),
      [&] {
        M.call("kiln_rt_timeout_trap", b.getVoidTy(), {}, Callee::NoReturn);
      },
      "timeout");
}

/// The depth guard without a store: a user function receives its call
/// budget (the limit minus its own depth, see IRGen.h) in a register,
/// traps when it is negative, and passes one less to every user call. The
/// top-level code, depth 0 or the depth of whoever runs it, derives its
/// budget from the runtime's counters once.
void FunctionGen::enterFrame() {
  if (!M.options.guards)
    return;
  Value *budget;
  if (countsDepth) {
    budget = fn->getArg(fn->arg_size() - 1);
    emitCheck(
        b.CreateICmpSLT(budget, b.getInt32(0)),
        [&] {
          M.call("kiln_rt_stack_overflow", b.getVoidTy(),
                 {M.fileName(), b.getInt32(decl.loc.line),
                  b.getInt32(decl.loc.col)},
                 Callee::NoReturn);
        },
        "overflow");
  } else {
    budget = M.budgetFromRuntime(0);
  }
  if (!isLeaf)
    calleeBudget = b.CreateSub(budget, b.getInt32(1), "callee.budget");
}

/// Functions this small have -O0 frames of a few KiB at most (a slot per
/// alloca, a spill slot per value live across a call or block), which the
/// reserve allows for every call up to the depth limit (runtime/stack.c);
/// larger ones check the stack at entry.
constexpr size_t LargeFrameAllocas = 64, LargeFrameInstructions = 512;

/// Whether `fn` may have a frame the reserve does not allow for.
static bool largeFrame(const Function &fn) {
  size_t allocas = 0, instructions = 0;
  for (const BasicBlock &block : fn)
    for (const Instruction &i : block) {
      ++instructions;
      allocas += isa<AllocaInst>(i);
    }
  return allocas >= LargeFrameAllocas || instructions >= LargeFrameInstructions;
}

/// The large-frame check (Abi.h, kiln_rt_stack_window), made after the
/// body exists so that the function's size is known: the entry block is
/// cut after its allocas, so that the check comes after the prologue has
/// moved the stack pointer below the whole frame but before anything is
/// stored in it, and traps when sp - kiln_rt_stack_low, unsigned, is below
/// the window plus KILN_RT_STACK_PER_CALL for each call the budget still
/// allows. (A frame that crossed the end of the stack would fault on its
/// first store; the caller's own check left at least the window below it,
/// so a frame smaller than that still lies in mapped memory when the check
/// runs.) The runtime's two words are pointer-sized and loaded as
/// pointers, so the check is the same on 32-bit targets.
void FunctionGen::emitStackCheck() {
  if (!largeFrame(*fn))
    return;
  BasicBlock &entry = fn->getEntryBlock();
  auto first = entry.begin();
  while (first != entry.end() && isa<AllocaInst>(*first))
    ++first;
  DebugLoc where = first != entry.end() ? first->getDebugLoc() : DebugLoc();
  if (!where && fn->getSubprogram()) // a prologue store has no location
    where = DILocation::get(fn->getContext(), decl.loc.line, decl.loc.col,
                            fn->getSubprogram());
  BasicBlock *rest = entry.splitBasicBlock(first, "entry.stacked");
  entry.getTerminator()->eraseFromParent();
  BasicBlock *trap = BasicBlock::Create(fn->getContext(), "stack.trap", fn);
  IRBuilder<> at(&entry);
  at.SetCurrentDebugLocation(where);
  llvm::Type *i64 = at.getInt64Ty();
  MDNode *tag = M.tbaa(ModuleGen::Access::Depth);
  auto word = [&](const char *name) {
    LoadInst *v = at.CreateLoad(at.getPtrTy(),
                                M.runtimeGlobal(name, at.getPtrTy()), name);
    v->setMetadata(LLVMContext::MD_tbaa, tag);
    return at.CreatePtrToInt(v, i64);
  };
  Value *sp = at.CreatePtrToInt(at.CreateStackSave("sp"), i64);
  Value *left = at.CreateSub(sp, word("kiln_rt_stack_low"), "stack.left");
  // Room for the small frames of the calls the budget still allows.
  Value *budget = fn->getArg(fn->arg_size() - 1);
  Value *calls = at.CreateSExt(
      at.CreateBinaryIntrinsic(Intrinsic::smax, budget, at.getInt32(0)), i64);
  Value *need = at.CreateAdd(
      word("kiln_rt_stack_window"),
      at.CreateMul(calls, at.getInt64(KILN_RT_STACK_PER_CALL)), "stack.need");
  at.CreateCondBr(at.CreateICmpULT(left, need), trap, rest,
                  MDBuilder(fn->getContext()).createUnlikelyBranchWeights());
  at.SetInsertPoint(trap);
  // The call is emitted through the module's builder, which sets the
  // runtime function's attributes; its position is moved to `trap`.
  IRBuilderBase::InsertPointGuard keep(M.b);
  M.b.SetInsertPoint(trap);
  M.b.SetCurrentDebugLocation(where);
  M.call("kiln_rt_stack_exhausted", at.getVoidTy(),
         {fn->getArg(fn->arg_size() - 1), M.fileName(),
          at.getInt32(decl.loc.line), at.getInt32(decl.loc.col)},
         Callee::NoReturn);
  M.b.CreateUnreachable();
}

BasicBlock *FunctionGen::newBlock(const Twine &name) {
  return BasicBlock::Create(fn->getContext(), name, fn);
}

bool FunctionGen::terminated() const {
  return b.GetInsertBlock()->getTerminator() != nullptr;
}

// ---- Statements -------------------------------------------------------------

/// Statements after a return/break/continue are unreachable and skipped.
void FunctionGen::emitBlock(const BlockStmt *block) {
  if (!block) {
    M.fail(decl.loc, "missing block");
    return;
  }
  if (M.debug)
    M.debug->enterBlock(*block, b);
  for (const StmtPtr &stmt : block->body) {
    if (terminated())
      break;
    if (stmt)
      emitStmt(*stmt);
    else
      M.fail(block->loc, "missing statement");
  }
  if (M.debug) // what follows (a loop's latch) is the owning statement's
    M.debug->leaveBlock(b);
}

void FunctionGen::emitStmt(const Stmt &stmt) {
  if (M.debug)
    M.debug->setLocation(b, stmt.loc);
  switch (stmt.kind) {
  case Stmt::Kind::Let: return emitLet(static_cast<const LetStmt &>(stmt));
  case Stmt::Kind::Assign:
    return emitAssign(static_cast<const AssignStmt &>(stmt));
  case Stmt::Kind::ExprStmt:
    if (const Expr *e = static_cast<const ExprStmt &>(stmt).expr.get())
      emitExpr(*e);
    else
      M.fail(stmt.loc, "missing expression");
    return;
  case Stmt::Kind::If: return emitIf(static_cast<const IfStmt &>(stmt));
  case Stmt::Kind::While:
    return emitWhile(static_cast<const WhileStmt &>(stmt));
  case Stmt::Kind::ForRange:
    return emitForRange(static_cast<const ForRangeStmt &>(stmt));
  case Stmt::Kind::ForEach:
    return emitForEach(static_cast<const ForEachStmt &>(stmt));
  case Stmt::Kind::Break:
  case Stmt::Kind::Continue:
    return emitJump(stmt.kind == Stmt::Kind::Break, stmt.loc);
  case Stmt::Kind::Return:
    return emitReturn(static_cast<const ReturnStmt &>(stmt));
  case Stmt::Kind::Block:
    return emitBlock(&static_cast<const BlockStmt &>(stmt));
  }
  M.fail(stmt.loc, "unknown statement");
}

void FunctionGen::emitLet(const LetStmt &s) {
  Type t = s.init ? s.init->type : Type::Unknown;
  Value *v = emitAs(s.init.get(), t);
  AllocaInst *a = slot(s.slot, t, s.loc);
  if (!a || !v)
    return;
  if (!a->hasName())
    a->setName(s.name);
  b.CreateStore(v, a);
}

/// `x = v`, or `a[i] = v`: a, then i, then v, then the index check.
void FunctionGen::emitAssign(const AssignStmt &s) {
  if (const auto *var = dyn_cast<VarExpr>(s.target.get())) {
    if (emitCounterStep(s))
      return;
    bool known = var->slot >= 0 && size_t(var->slot) < decl.slotTypes.size();
    Type t = known ? decl.slotTypes[var->slot] : Type::Unknown;
    Value *v = emitAs(s.value.get(), t);
    if (AllocaInst *a = slot(var->slot, t, var->loc); a && v)
      b.CreateStore(v, a);
    return;
  }
  if (const auto *target = dyn_cast<IndexExpr>(s.target.get())) {
    Value *array = emitAs(target->array.get(), Type::Array);
    // The element's address after the value: a call in it may push to the
    // array and move its data.
    if (const IntCounter *c =
            rangeCounter(target->array.get(), target->index.get())) {
      Value *v = emitAs(s.value.get(), Type::Number);
      storeElement(elementAddress(array, counterValue(*c)), v);
      return;
    }
    double bound = 0;
    Value *exact = exactInteger(target->index.get(), bound);
    Value *index = exact ? nullptr : emitAs(target->index.get(), Type::Number);
    Value *v = emitAs(s.value.get(), Type::Number);
    storeElement(exact ? boundCheckedElement(array, exact, target->loc)
                       : checkedElement(array, index, target->loc),
                 v);
    return;
  }
  M.fail(s.loc, "assignment to something that is not a variable or element");
}

/// An else-if chain in a loop, every arm ending at one merge block.
void FunctionGen::emitIf(const IfStmt &first) {
  BasicBlock *merge = newBlock("if.end");
  auto endArm = [&] {
    if (!b.GetInsertBlock()->getTerminator())
      b.CreateBr(merge);
  };
  for (const IfStmt *s = &first; s;) {
    Value *cond = emitAs(s->cond.get(), Type::Bool);
    BasicBlock *thenBlock = newBlock("if.then");
    BasicBlock *elseBlock = s->elseStmt ? newBlock("if.else") : merge;
    b.CreateCondBr(cond, thenBlock, elseBlock);
    b.SetInsertPoint(thenBlock);
    emitBlock(s->thenBlock.get());
    endArm();
    if (!s->elseStmt)
      break;
    b.SetInsertPoint(elseBlock);
    const Stmt &orElse = *s->elseStmt;
    s = dyn_cast<IfStmt>(&orElse);
    if (!s) {
      emitStmt(orElse);
      endArm();
    }
  }
  b.SetInsertPoint(merge);
  // Every arm left (return/break/continue): nothing follows the if.
  if (pred_empty(merge))
    b.CreateUnreachable();
}

void FunctionGen::emitReturn(const ReturnStmt &s) {
  bool returnsVoid = fn->getReturnType()->isVoidTy();
  if (bool(s.value) == returnsVoid) {
    M.fail(s.loc, returnsVoid ? "value returned from a void function"
                              : "return without a value");
    b.CreateUnreachable();
    return;
  }
  Value *v = returnsVoid ? nullptr : emitAs(s.value.get(), decl.returnType);
  if (returnsVoid)
    b.CreateRetVoid();
  else
    b.CreateRet(v);
}

void FunctionGen::emitJump(bool isBreak, Loc where) {
  if (loops.empty()) {
    M.fail(where, isBreak ? "break outside a loop" : "continue outside a loop");
    return;
  }
  b.CreateBr(isBreak ? loops.back().breakTo : loops.back().continueTo);
}

} // namespace kiln::relay::irgen
