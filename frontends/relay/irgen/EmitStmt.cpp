// EmitStmt: Relay statements, frames and guards as LLVM IR.
//
// Every frame slot is an alloca in the entry block (mem2reg promotes them
// at O1+), loops are plain header/body/latch blocks, and the guards of
// docs/relay.md ("Guards") are inline fast paths with cold trap blocks.
#include "IRGenImpl.h"

#include "kiln/core/IRHelpers.h"

#include "llvm/IR/CFG.h"
#include "llvm/IR/MDBuilder.h"

using namespace llvm;

namespace kiln::relay::irgen {

namespace {

/// What a function body contains, for cheaper guards (see emitPrologue).
struct BodyFacts {
  bool callsUser = false; ///< calls a user function
  bool loops = false;
  int loopDepth = 0; ///< deepest loop nesting (0: no loops)
  std::vector<int> assignedSlots; ///< variables assigned by `x = v`

  void expr(const Expr *e) {
    if (!e)
      return;
    if (auto *c = dyn_cast<CallExpr>(e)) {
      callsUser |= c->target != nullptr;
      for (auto &a : c->args)
        expr(a.get());
    } else if (auto *bin = dyn_cast<BinaryExpr>(e)) {
      expr(bin->lhs.get());
      expr(bin->rhs.get());
    } else if (auto *u = dyn_cast<UnaryExpr>(e)) {
      expr(u->operand.get());
    } else if (auto *ix = dyn_cast<IndexExpr>(e)) {
      expr(ix->array.get());
      expr(ix->index.get());
    } else if (auto *lit = dyn_cast<ArrayLitExpr>(e)) {
      for (auto &el : lit->elements)
        expr(el.get());
    }
  }
  void loopBody(const Stmt *body) {
    loops = true;
    ++depth;
    loopDepth = std::max(loopDepth, depth);
    stmt(body);
    --depth;
  }
  void stmt(const Stmt *s) {
    if (!s)
      return;
    if (auto *b = dyn_cast<BlockStmt>(s)) {
      for (auto &x : b->body)
        stmt(x.get());
    } else if (auto *l = dyn_cast<LetStmt>(s)) {
      expr(l->init.get());
    } else if (auto *a = dyn_cast<AssignStmt>(s)) {
      if (auto *var = dyn_cast<VarExpr>(a->target.get()))
        assignedSlots.push_back(var->slot);
      expr(a->target.get());
      expr(a->value.get());
    } else if (auto *e = dyn_cast<ExprStmt>(s)) {
      expr(e->expr.get());
    } else if (auto *i = dyn_cast<IfStmt>(s)) {
      expr(i->cond.get());
      stmt(i->thenBlock.get());
      stmt(i->elseStmt.get());
    } else if (auto *w = dyn_cast<WhileStmt>(s)) {
      expr(w->cond.get());
      loopBody(w->body.get());
    } else if (auto *f = dyn_cast<ForRangeStmt>(s)) {
      expr(f->start.get());
      expr(f->end.get());
      loopBody(f->body.get());
    } else if (auto *f = dyn_cast<ForEachStmt>(s)) {
      expr(f->array.get());
      loopBody(f->body.get());
    } else if (auto *r = dyn_cast<ReturnStmt>(s)) {
      expr(r->value.get());
    }
  }

private:
  int depth = 0;
};

} // namespace

FunctionGen::FunctionGen(ModuleGen &m, const FuncDecl &decl, Function *fn)
    : M(m), b(m.b), decl(decl), fn(fn),
      countsDepth(&decl != m.program.main) {
  BodyFacts facts;
  facts.stmt(decl.body.get());
  isLeaf = !facts.callsUser;
  bounded = isLeaf && !facts.loops;
}

void FunctionGen::emit() {
  b.SetInsertPoint(BasicBlock::Create(fn->getContext(), "entry", fn));
  emitPrologue();
  emitBlock(decl.body.get());
  if (!terminated())
    emitFallOff();
}

// ---- Frame and guards -------------------------------------------------------

void FunctionGen::emitPrologue() {
  for (size_t i = 0; i < decl.slotTypes.size(); ++i) {
    Type t = decl.slotTypes[i];
    bool isValue = t == Type::Number || t == Type::Bool || t == Type::Array;
    // Slots sema could not type are only an error if something uses them.
    AllocaInst *a = isValue ? entryAlloca(M.typeOf(t, decl.loc), "") : nullptr;
    if (a)
      b.CreateStore(Constant::getNullValue(a->getAllocatedType()), a);
    slots.push_back(a);
  }
  for (unsigned i = 0; i < fn->arg_size(); ++i)
    if (AllocaInst *a = slot(int(i), decl.paramTypes[i], decl.params[i].loc)) {
      a->setName(decl.params[i].name + ".slot");
      b.CreateStore(fn->getArg(i), a);
    }
  // The top-level code is no call: the interpreter neither polls nor counts
  // depth there, and the compiled tiers must trap at the same points.
  // A function that neither loops nor calls finishes in bounded time, so
  // its entry need not poll the timeout (the interpreter's extra polls only
  // change when a timeout is noticed, never what is printed).
  if (countsDepth) {
    if (!bounded)
      pollInterrupt();
    enterFrame();
  }
}

/// A value-returning function reached its closing brace: a runtime error
/// there; a void one returns.
void FunctionGen::emitFallOff() {
  if (fn->getReturnType()->isVoidTy()) {
    leaveFrame();
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
  LoadInst *flag = b.CreateLoad(b.getInt32Ty(),
                                M.runtimeGlobal("kiln_rt_interrupted"),
                                "interrupted");
  flag->setVolatile(true);
  emitCheck(b.CreateICmpNE(flag, b.getInt32(0)),
            [&] {
              M.call("kiln_rt_timeout_trap", b.getVoidTy(), {},
                     Callee::NoReturn);
            },
            "timeout");
}

/// depth += 1, trapping past kiln_rt_max_depth at the function's name.
void FunctionGen::enterFrame() {
  if (!M.options.guards || !countsDepth)
    return;
  GlobalVariable *depthVar = M.runtimeGlobal("kiln_rt_depth");
  MDNode *tag = M.tbaa(ModuleGen::Access::Depth);
  LoadInst *old = b.CreateLoad(b.getInt32Ty(), depthVar);
  old->setMetadata(LLVMContext::MD_tbaa, tag);
  Value *depth = b.CreateAdd(old, b.getInt32(1), "depth");
  // A leaf calls no user function, so nothing reads the depth while it
  // runs: checking the limit is enough, without storing the count.
  if (!isLeaf)
    b.CreateStore(depth, depthVar)->setMetadata(LLVMContext::MD_tbaa, tag);
  LoadInst *max = b.CreateLoad(b.getInt32Ty(),
                               M.runtimeGlobal("kiln_rt_max_depth"), "max.depth");
  max->setMetadata(LLVMContext::MD_tbaa, tag);
  emitCheck(b.CreateICmpSGT(depth, max),
            [&] {
              M.call("kiln_rt_stack_overflow", b.getVoidTy(),
                     {M.fileName(), b.getInt32(decl.loc.line),
                      b.getInt32(decl.loc.col)},
                     Callee::NoReturn);
            },
            "overflow");
}

/// depth -= 1 before every return (a trap restores the depth itself).
void FunctionGen::leaveFrame() {
  if (!M.options.guards || !countsDepth || isLeaf)
    return;
  GlobalVariable *depthVar = M.runtimeGlobal("kiln_rt_depth");
  MDNode *tag = M.tbaa(ModuleGen::Access::Depth);
  LoadInst *depth = b.CreateLoad(b.getInt32Ty(), depthVar);
  depth->setMetadata(LLVMContext::MD_tbaa, tag);
  b.CreateStore(b.CreateSub(depth, b.getInt32(1)), depthVar)
      ->setMetadata(LLVMContext::MD_tbaa, tag);
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
  for (const StmtPtr &stmt : block->body) {
    if (terminated())
      return;
    if (stmt)
      emitStmt(*stmt);
    else
      M.fail(block->loc, "missing statement");
  }
}

void FunctionGen::emitStmt(const Stmt &stmt) {
  switch (stmt.kind) {
  case Stmt::Kind::Let:
    return emitLet(static_cast<const LetStmt &>(stmt));
  case Stmt::Kind::Assign:
    return emitAssign(static_cast<const AssignStmt &>(stmt));
  case Stmt::Kind::ExprStmt:
    if (const Expr *e = static_cast<const ExprStmt &>(stmt).expr.get())
      emitExpr(*e);
    else
      M.fail(stmt.loc, "missing expression");
    return;
  case Stmt::Kind::If:
    return emitIf(static_cast<const IfStmt &>(stmt));
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
    bool known = var->slot >= 0 && size_t(var->slot) < decl.slotTypes.size();
    Type t = known ? decl.slotTypes[var->slot] : Type::Unknown;
    Value *v = emitAs(s.value.get(), t);
    if (AllocaInst *a = slot(var->slot, t, var->loc); a && v)
      b.CreateStore(v, a);
    return;
  }
  if (const auto *target = dyn_cast<IndexExpr>(s.target.get())) {
    Value *array = emitAs(target->array.get(), Type::Array);
    double bound = 0;
    Value *exact = exactInteger(target->index.get(), bound);
    Value *index = exact ? nullptr : emitAs(target->index.get(), Type::Number);
    Value *v = emitAs(s.value.get(), Type::Number);
    storeElement(array,
                 exact ? boundChecked(array, exact, target->loc)
                       : checkedIndex(array, index, target->loc),
                 v);
    return;
  }
  M.fail(s.loc, "assignment to something that is not a variable or element");
}

void FunctionGen::emitIf(const IfStmt &s) {
  Value *cond = emitAs(s.cond.get(), Type::Bool);
  auto thenArm = [&](IRBuilder<> &) { emitBlock(s.thenBlock.get()); };
  if (s.elseStmt)
    core::emitIfElse(b, cond, thenArm,
                     [&](IRBuilder<> &) { emitStmt(*s.elseStmt); });
  else
    core::emitIfElse(b, cond, thenArm);
  // Both arms left (return/break/continue): nothing follows the if.
  if (pred_empty(b.GetInsertBlock()))
    b.CreateUnreachable();
}

void FunctionGen::emitLoopBody(const BlockStmt *body, BasicBlock *continueTo,
                               BasicBlock *breakTo) {
  loops.push_back({breakTo, continueTo});
  emitBlock(body);
  loops.pop_back();
  if (!terminated())
    b.CreateBr(continueTo);
}

void FunctionGen::emitWhile(const WhileStmt &s) {
  BasicBlock *header = newBlock("while.cond");
  BasicBlock *body = newBlock("while.body");
  BasicBlock *exit = newBlock("while.end");
  b.CreateBr(header);
  b.SetInsertPoint(header);
  b.CreateCondBr(emitAs(s.cond.get(), Type::Bool), body, exit);
  b.SetInsertPoint(body);
  pollInterrupt();
  emitLoopBody(s.body.get(), header, exit);
  b.SetInsertPoint(exit);
}

/// `for i in a..b`: a hidden double counter runs from a while < b; the
/// variable gets a copy each iteration, so assigning it changes nothing.
/// A loop with at most one level of loops inside is versioned: when a is an
/// integer (not -0) and a and b lie in the i32 range, which is checked once
/// before the loop, an i32 counter runs instead. Its values convert exactly to the same doubles, and
/// index checks on the variable then fold to one unsigned compare.
void FunctionGen::emitForRange(const ForRangeStmt &s) {
  Value *start = emitAs(s.start.get(), Type::Number);
  Value *end = emitAs(s.end.get(), Type::Number);
  BodyFacts facts;
  facts.stmt(s.body.get());
  // Versioning copies the body, and each loop inside it versions again:
  // only loops with at most one level of loops inside are versioned, so a
  // body is emitted at most four times.
  if (facts.loopDepth > 1 || !start || !end) {
    emitForRangeDouble(s, start, end);
    return;
  }
  BasicBlock *intLoop = newBlock("for.int");
  BasicBlock *fpLoop = newBlock("for.fp");
  BasicBlock *join = newBlock("for.done");
  // The general loop is the rare case: weighted cold, and neither unrolled
  // nor vectorized, so the optimiser spends its time on the i32 version.
  b.CreateCondBr(int32Range(start, end), intLoop, fpLoop,
                 MDBuilder(b.getContext()).createLikelyBranchWeights());
  b.SetInsertPoint(intLoop);
  bool varAssigned = llvm::is_contained(facts.assignedSlots, s.slot);
  emitForRangeInt(s, start, end, !varAssigned);
  b.CreateBr(join);
  b.SetInsertPoint(fpLoop);
  emitForRangeDouble(s, start, end, /*rare=*/true);
  b.CreateBr(join);
  b.SetInsertPoint(join);
}

/// start integral, not -0, and start, end within [-2^31, 2^31 - 1] (false
/// for NaN).
Value *FunctionGen::int32Range(Value *start, Value *end) {
  llvm::Type *f64 = b.getDoubleTy();
  auto within = [&](Value *v) {
    return b.CreateAnd(b.CreateFCmpOGE(v, ConstantFP::get(f64, -2147483648.0)),
                       b.CreateFCmpOLE(v, ConstantFP::get(f64, 2147483647.0)));
  };
  Value *integral = b.CreateFCmpOEQ(
      start, b.CreateUnaryIntrinsic(Intrinsic::trunc, start));
  Value *notNegZero = b.CreateICmpNE(b.CreateBitCast(start, b.getInt64Ty()),
                                     b.getInt64(uint64_t(1) << 63));
  return b.CreateAnd(b.CreateAnd(integral, notNegZero),
                     b.CreateAnd(within(start), within(end)), "for.fits.i32");
}

/// The i32 version: k from (int)a while k < (int)ceil(b), which for integer
/// k is exactly k < b. The iterations run in chunks of PollChunk with one
/// timeout poll per chunk, so the inner loop is free of volatile loads and
/// loop-invariant loads (array data and length) leave it. Loops and calls in
/// the body poll on their own, so a timeout is still noticed within one
/// chunk of otherwise bounded iterations.
void FunctionGen::emitForRangeInt(const ForRangeStmt &s, Value *start,
                                  Value *end, bool exactVar) {
  constexpr int32_t PollChunk = 8192;
  llvm::Type *i32 = b.getInt32Ty();
  Value *first = b.CreateFPToSI(start, i32);
  Value *limit =
      b.CreateFPToSI(b.CreateUnaryIntrinsic(Intrinsic::ceil, end), i32);
  AllocaInst *counter = entryAlloca(i32, s.var + ".k");
  AllocaInst *chunkEnd = entryAlloca(i32, s.var + ".chunk.end");
  b.CreateStore(first, counter);
  BasicBlock *chunk = newBlock("for.chunk");
  BasicBlock *chunkBody = newBlock("for.chunk.body");
  BasicBlock *header = newBlock("for.cond");
  BasicBlock *body = newBlock("for.body");
  BasicBlock *latch = newBlock("for.next");
  BasicBlock *exit = newBlock("for.end");
  b.CreateBr(chunk);
  // for.chunk: stop at the limit, else poll and run up to PollChunk more.
  b.SetInsertPoint(chunk);
  Value *k0 = b.CreateLoad(i32, counter);
  b.CreateCondBr(b.CreateICmpSLT(k0, limit), chunkBody, exit);
  b.SetInsertPoint(chunkBody);
  pollInterrupt();
  // min(k0 + PollChunk, limit), in i64 so that nothing can wrap.
  Value *next = b.CreateAdd(b.CreateSExt(k0, b.getInt64Ty()),
                            b.getInt64(PollChunk));
  Value *last = b.CreateSExt(limit, b.getInt64Ty());
  Value *stop = b.CreateSelect(b.CreateICmpSLT(next, last), next, last);
  b.CreateStore(b.CreateTrunc(stop, i32), chunkEnd);
  b.CreateBr(header);
  b.SetInsertPoint(header);
  Value *k = b.CreateLoad(i32, counter, s.var + ".k");
  b.CreateCondBr(b.CreateICmpSLT(k, b.CreateLoad(i32, chunkEnd)), body, chunk);
  b.SetInsertPoint(body);
  if (AllocaInst *var = slot(s.slot, Type::Number, s.loc)) {
    if (!var->hasName())
      var->setName(s.var);
    b.CreateStore(b.CreateSIToFP(k, b.getDoubleTy()), var);
  }
  // The body never assigns the variable: it always equals k, so integer
  // index arithmetic on it may use k itself (see exactInteger).
  if (exactVar)
    intCounters.push_back({s.slot, counter});
  emitLoopBody(s.body.get(), latch, exit);
  if (exactVar)
    intCounters.pop_back();
  b.SetInsertPoint(latch);
  // k < chunk end <= limit <= INT32_MAX before the increment: no wrap.
  b.CreateStore(b.CreateNSWAdd(b.CreateLoad(i32, counter), b.getInt32(1)),
                counter);
  b.CreateBr(header);
  b.SetInsertPoint(exit);
}

/// The general version: the double counter itself.
void FunctionGen::emitForRangeDouble(const ForRangeStmt &s, Value *start,
                                     Value *end, bool rare) {
  AllocaInst *counter = entryAlloca(b.getDoubleTy(), s.var + ".counter");
  b.CreateStore(start, counter);
  BasicBlock *header = newBlock("for.cond");
  BasicBlock *body = newBlock("for.body");
  BasicBlock *latch = newBlock("for.next");
  BasicBlock *exit = newBlock("for.end");
  b.CreateBr(header);
  b.SetInsertPoint(header);
  Value *current = b.CreateLoad(b.getDoubleTy(), counter, s.var + ".current");
  b.CreateCondBr(b.CreateFCmpOLT(current, end), body, exit);
  b.SetInsertPoint(body);
  pollInterrupt();
  if (AllocaInst *var = slot(s.slot, Type::Number, s.loc)) {
    if (!var->hasName())
      var->setName(s.var);
    b.CreateStore(current, var);
  }
  emitLoopBody(s.body.get(), latch, exit);
  b.SetInsertPoint(latch);
  Value *last = b.CreateLoad(b.getDoubleTy(), counter);
  b.CreateStore(b.CreateFAdd(last, ConstantFP::get(b.getDoubleTy(), 1.0)),
                counter);
  BranchInst *backEdge = b.CreateBr(header);
  if (rare) {
    LLVMContext &c = b.getContext();
    Metadata *props[] = {
        nullptr, // the loop ID refers to itself
        MDNode::get(c, MDString::get(c, "llvm.loop.unroll.disable")),
        MDNode::get(c, {MDString::get(c, "llvm.loop.vectorize.enable"),
                        ConstantAsMetadata::get(b.getFalse())})};
    MDNode *loopId = MDNode::getDistinct(c, props);
    loopId->replaceOperandWith(0, loopId);
    backEdge->setMetadata(LLVMContext::MD_loop, loopId);
  }
  b.SetInsertPoint(exit);
}

/// `for x in arr`: the array once, its length before every iteration.
void FunctionGen::emitForEach(const ForEachStmt &s) {
  Value *array = emitAs(s.array.get(), Type::Array);
  AllocaInst *index = entryAlloca(b.getInt64Ty(), s.var + ".index");
  b.CreateStore(b.getInt64(0), index);
  BasicBlock *header = newBlock("foreach.cond");
  BasicBlock *body = newBlock("foreach.body");
  BasicBlock *latch = newBlock("foreach.next");
  BasicBlock *exit = newBlock("foreach.end");
  b.CreateBr(header);
  b.SetInsertPoint(header);
  Value *i = b.CreateLoad(b.getInt64Ty(), index, s.var + ".i");
  b.CreateCondBr(b.CreateICmpSLT(i, arrayLength(array)), body, exit);
  b.SetInsertPoint(body);
  pollInterrupt();
  if (AllocaInst *var = slot(s.slot, Type::Number, s.loc)) {
    if (!var->hasName())
      var->setName(s.var);
    b.CreateStore(loadElement(array, i), var);
  }
  emitLoopBody(s.body.get(), latch, exit);
  b.SetInsertPoint(latch);
  b.CreateStore(b.CreateAdd(b.CreateLoad(b.getInt64Ty(), index),
                            b.getInt64(1)),
                index);
  b.CreateBr(header);
  b.SetInsertPoint(exit);
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
  leaveFrame();
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
