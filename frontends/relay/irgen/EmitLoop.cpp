// EmitLoop: Relay's loops as LLVM IR, with integer versions of the loops
// whose variable provably holds integers.
//
// Numbers are doubles, so a loop variable used as an index costs a round
// trip through an integer at every access. Range loops and counted while
// loops (LoopFacts.h) are therefore versioned: one check before the loop
// picks an integer counter whose values convert exactly to the doubles the
// general loop would compute; anything else (fractions, -0, NaN, infinities,
// huge values) runs the general double loop, a cold copy of the same body.
// docs/relay.md, "How loops are compiled", states the rules.
#include "IRGenImpl.h"

#include "llvm/IR/MDBuilder.h"

using namespace llvm;

namespace kiln::relay::irgen {
namespace {

constexpr double TwoTo31 = 2147483648.0;
/// Iterations of an integer loop between two timeout polls.
constexpr int64_t PollChunk = 8192;

/// v is an integer (false for NaN and infinities) within [-2^31, 2^31].
Value *integerWithin31(IRBuilder<> &b, Value *v) {
  llvm::Type *f64 = b.getDoubleTy();
  Value *integral =
      b.CreateFCmpOEQ(v, b.CreateUnaryIntrinsic(Intrinsic::trunc, v));
  return b.CreateAnd(
      integral, b.CreateAnd(b.CreateFCmpOGE(v, ConstantFP::get(f64, -TwoTo31)),
                            b.CreateFCmpOLE(v, ConstantFP::get(f64, TwoTo31))));
}

/// The check before a counted while (see emitWhile): start an integer
/// other than -0, start and bound within [-2^31, 2^31], step an integer of
/// magnitude 1 to 2^31 toward the bound. False for NaN and infinities.
Value *counterFits(IRBuilder<> &b, Value *start, Value *bound, Value *step,
                   bool upward) {
  llvm::Type *f64 = b.getDoubleTy();
  Value *notNegZero = b.CreateICmpNE(b.CreateBitCast(start, b.getInt64Ty()),
                                     b.getInt64(uint64_t(1) << 63));
  Value *towardBound = upward
                           ? b.CreateFCmpOGE(step, ConstantFP::get(f64, 1.0))
                           : b.CreateFCmpOLE(step, ConstantFP::get(f64, -1.0));
  Value *boundWithin =
      b.CreateAnd(b.CreateFCmpOGE(bound, ConstantFP::get(f64, -TwoTo31)),
                  b.CreateFCmpOLE(bound, ConstantFP::get(f64, TwoTo31)));
  return b.CreateAnd(
      b.CreateAnd(b.CreateAnd(integerWithin31(b, start), notNegZero),
                  boundWithin),
      b.CreateAnd(integerWithin31(b, step), towardBound), "while.fits.i64");
}

} // namespace

void FunctionGen::emitLoopBody(const BlockStmt *body, BasicBlock *continueTo,
                               BasicBlock *breakTo) {
  loops.push_back({breakTo, continueTo});
  emitBlock(body);
  loops.pop_back();
  if (!terminated())
    b.CreateBr(continueTo);
}

/// `while cond { body }`. A counted while (LoopFacts.h: `v < e` with one
/// `v = v + k` in the body, e and k loop-invariant) is versioned when its
/// body has at most one level of loops inside (as range loops are): before
/// the loop, v must be an integer other than -0, e and v within [-2^31,
/// 2^31] and k an integer from 1 to 2^31 toward the bound (-2^31 to -1 for
/// `>`/`>=`). Then every value v takes lies within [-2^32, 2^32], so an i64
/// counter holds it exactly and each `v + k` of the general loop gives the
/// same integer; the condition becomes an integer compare with a limit
/// computed once. Anything else runs the general loop.
void FunctionGen::emitWhile(const WhileStmt &s) {
  BodyFacts facts;
  facts.stmt(s.body.get());
  std::optional<CountedWhile> w;
  if (facts.loopDepth <= 1)
    w = countedWhile(s, facts);
  AllocaInst *var = w ? slot(w->var->slot, Type::Number, w->var->loc) : nullptr;
  if (!var) {
    emitWhileDouble(s);
    return;
  }
  // v, e and k ahead of the loop: all pure, so evaluating them here changes
  // nothing the program can see.
  Value *start = b.CreateLoad(b.getDoubleTy(), var, w->var->name);
  Value *bound = emitAs(w->bound, Type::Number);
  Value *step = emitAs(w->stepValue, Type::Number);
  if (w->negated)
    step = b.CreateFNeg(step);
  Value *fits = counterFits(b, start, bound, step, w->upward());
  BasicBlock *intLoop = newBlock("while.int");
  BasicBlock *fpLoop = newBlock("while.fp");
  BasicBlock *join = newBlock("while.done");
  b.CreateCondBr(fits, intLoop, fpLoop,
                 MDBuilder(b.getContext()).createLikelyBranchWeights());
  b.SetInsertPoint(intLoop);
  emitWhileCounted(s, *w, start, bound, step);
  b.CreateBr(join);
  b.SetInsertPoint(fpLoop);
  emitWhileDouble(s, /*rare=*/true);
  b.CreateBr(join);
  b.SetInsertPoint(join);
}

/// The i64 version: k from v while k has not passed an exclusive end that
/// rounds e so that the integer test equals the double one (k < e iff k <
/// ceil(e), k <= e iff k < floor(e) + 1, k > e iff k > floor(e), k >= e iff
/// k > ceil(e) - 1). v's slot is kept equal to k, so every other use of v
/// reads the same double as before. When every iteration that goes on steps
/// v exactly once (the step is a statement of the body itself and nothing
/// `continue`s), the iterations run in polled chunks as in range loops.
void FunctionGen::emitWhileCounted(const WhileStmt &s, const CountedWhile &w,
                                   Value *start, Value *bound, Value *step) {
  llvm::Type *i64 = b.getInt64Ty();
  bool up = w.upward();
  bool strict = w.op == BinaryOp::Lt || w.op == BinaryOp::Gt;
  Value *end = b.CreateFPToSI(
      b.CreateUnaryIntrinsic(up == strict ? Intrinsic::ceil : Intrinsic::floor,
                             bound),
      i64);
  if (!strict)
    end = b.CreateNSWAdd(end, b.getInt64(up ? 1 : -1), "while.end.k");
  AllocaInst *counter = entryAlloca(i64, w.var->name + ".k");
  b.CreateStore(b.CreateFPToSI(start, i64), counter);
  Value *stepI = b.CreateFPToSI(step, i64, "while.step");
  AllocaInst *var = slot(w.var->slot, Type::Number, w.var->loc);
  BasicBlock *exit = newBlock("while.end");
  Value *stride =
      w.everyIteration ? b.CreateNSWMul(stepI, b.getInt64(PollChunk)) : nullptr;
  BasicBlock *header = emitCountedHead(counter, end, stride, up, exit);
  intCounters.push_back({w.var->slot, counter, 2 * TwoTo31});
  counterSteps.push_back({w.step, counter, stepI, var});
  emitLoopBody(s.body.get(), header, exit);
  counterSteps.pop_back();
  intCounters.pop_back();
  b.SetInsertPoint(exit);
}

/// Without a stride: a header testing the counter against `end` and a body
/// that polls. With one: for.chunk tests against `end`, polls and sets a
/// chunk end `stride` further (capped at `end`, in i64 so that nothing
/// wraps); the inner header tests against the chunk end, so the innermost
/// loop neither polls nor reloads, and its trip count is known.
BasicBlock *FunctionGen::emitCountedHead(AllocaInst *counter, Value *end,
                                         Value *stride, bool up,
                                         BasicBlock *exit) {
  llvm::Type *t = counter->getAllocatedType();
  auto goesOn = [&](Value *k, Value *until) {
    return up ? b.CreateICmpSLT(k, until) : b.CreateICmpSGT(k, until);
  };
  BasicBlock *header = newBlock("loop.cond");
  BasicBlock *body = newBlock("loop.body");
  if (!stride) {
    b.CreateBr(header);
    b.SetInsertPoint(header);
    b.CreateCondBr(goesOn(b.CreateLoad(t, counter), end), body, exit);
    b.SetInsertPoint(body);
    pollInterrupt();
    return header;
  }
  AllocaInst *chunkEnd = entryAlloca(t, counter->getName() + ".chunk.end");
  BasicBlock *chunk = newBlock("loop.chunk");
  BasicBlock *chunkBody = newBlock("loop.chunk.body");
  b.CreateBr(chunk);
  b.SetInsertPoint(chunk);
  Value *k0 = b.CreateLoad(t, counter);
  b.CreateCondBr(goesOn(k0, end), chunkBody, exit);
  b.SetInsertPoint(chunkBody);
  pollInterrupt();
  llvm::Type *i64 = b.getInt64Ty();
  Value *next = b.CreateNSWAdd(b.CreateSExt(k0, i64), stride);
  Value *last = b.CreateSExt(end, i64);
  Value *stop = b.CreateSelect(goesOn(next, last), next, last);
  b.CreateStore(b.CreateTrunc(stop, t), chunkEnd);
  b.CreateBr(header);
  b.SetInsertPoint(header);
  b.CreateCondBr(goesOn(b.CreateLoad(t, counter), b.CreateLoad(t, chunkEnd)),
                 body, chunk);
  b.SetInsertPoint(body);
  return header;
}

bool FunctionGen::emitCounterStep(const AssignStmt &s) {
  for (const CounterStep &c : counterSteps) {
    if (c.assign != &s)
      continue;
    // |k + step| <= 2^32 (see emitWhile): no wrap.
    Value *k = b.CreateNSWAdd(b.CreateLoad(b.getInt64Ty(), c.counter), c.step);
    b.CreateStore(k, c.counter);
    if (c.var)
      b.CreateStore(b.CreateSIToFP(k, b.getDoubleTy()), c.var);
    return true;
  }
  return false;
}

/// The general version: the condition evaluated as written every time.
void FunctionGen::emitWhileDouble(const WhileStmt &s, bool rare) {
  BasicBlock *header = newBlock("while.cond");
  BasicBlock *body = newBlock("while.body");
  BasicBlock *latch = newBlock("while.next");
  BasicBlock *exit = newBlock("while.end");
  b.CreateBr(header);
  b.SetInsertPoint(header);
  b.CreateCondBr(emitAs(s.cond.get(), Type::Bool), body, exit);
  b.SetInsertPoint(body);
  pollInterrupt();
  emitLoopBody(s.body.get(), latch, exit);
  b.SetInsertPoint(latch);
  BranchInst *backEdge = b.CreateBr(header);
  if (rare)
    markRare(backEdge);
  b.SetInsertPoint(exit);
}

/// `for i in a..b`: a hidden double counter runs from a while < b; the
/// variable gets a copy each iteration, so assigning it changes nothing.
/// A loop with at most one level of loops inside is versioned: when a is an
/// integer (not -0) and a and b lie in the i32 range, which is checked once
/// before the loop, an i32 counter runs instead. Its values convert exactly
/// to the same doubles, and index checks on the variable then fold to one
/// unsigned compare.
///
/// Resumed (OSR), the loop starts from the interpreter's counter and end
/// instead of evaluating its bounds. The counter lies between the start and
/// the end, so every fact used below about them holds for it too; bounds
/// that are integers by construction gave integral doubles there, which
/// convert exactly.
void FunctionGen::emitForRange(const ForRangeStmt &s, const Resume *resume) {
  BodyFacts facts;
  facts.stmt(s.body.get());
  bool varAssigned = llvm::is_contained(facts.assignedSlots, s.slot);
  if (emitForRangeExact(s, resume, facts, varAssigned))
    return;
  Value *start = resume ? resume->counter : emitAs(s.start.get(), Type::Number);
  Value *end = resume ? resume->end : emitAs(s.end.get(), Type::Number);
  // Versioning copies the body, and each loop inside it versions again:
  // only loops with at most one level of loops inside are versioned, so a
  // body is emitted at most four times.
  if (facts.loopDepth > 1 || !start || !end) {
    emitForRangeDouble(s, start, end);
    return;
  }
  emitForRangeVersioned(s, start, end, facts, varAssigned);
}

/// Bounds that are integers by construction (literals, len(a), counters
/// and + - * of them: see exactInteger) need no check and no general
/// version: one i64 loop, whatever the nesting. False (nothing emitted but
/// dead integer arithmetic) when a bound is not such an integer.
bool FunctionGen::emitForRangeExact(const ForRangeStmt &s, const Resume *resume,
                                    const BodyFacts &facts, bool varAssigned) {
  double startBound = 0, endBound = 0;
  Value *first = exactInteger(s.start.get(), startBound);
  Value *limit = first ? exactInteger(s.end.get(), endBound) : nullptr;
  if (!limit)
    return false;
  if (resume) {
    first = b.CreateFPToSI(resume->counter, b.getInt64Ty());
    limit = b.CreateFPToSI(resume->end, b.getInt64Ty());
  }
  emitForRangeInt(s, first, limit, !varAssigned, std::max(startBound, endBound),
                  chunked(facts), varAssigned ? -1 : indexedArray(s, facts));
  return true;
}

/// An i32 version of the loop when start and end (doubles) fit, the general
/// double loop otherwise.
void FunctionGen::emitForRangeVersioned(const ForRangeStmt &s, Value *start,
                                        Value *end, const BodyFacts &facts,
                                        bool varAssigned) {
  BasicBlock *intLoop = newBlock("for.int");
  BasicBlock *fpLoop = newBlock("for.fp");
  BasicBlock *join = newBlock("for.done");
  // The general loop is the rare case: weighted cold, and neither unrolled
  // nor vectorized, so the optimiser spends its time on the i32 version.
  b.CreateCondBr(int32Range(start, end), intLoop, fpLoop,
                 MDBuilder(b.getContext()).createLikelyBranchWeights());
  b.SetInsertPoint(intLoop);
  llvm::Type *i32 = b.getInt32Ty();
  emitForRangeInt(
      s, b.CreateFPToSI(start, i32),
      b.CreateFPToSI(b.CreateUnaryIntrinsic(Intrinsic::ceil, end), i32),
      !varAssigned, TwoTo31, chunked(facts));
  b.CreateBr(join);
  b.SetInsertPoint(fpLoop);
  emitForRangeDouble(s, start, end, /*rare=*/true);
  b.CreateBr(join);
  b.SetInsertPoint(join);
}

/// Whether a range loop runs in chunks of PollChunk iterations with one
/// timeout poll each: only an innermost loop that may vectorize gains
/// from it. A loop with loops inside polls once per iteration, which costs
/// nothing beside them; one that carries a number from one iteration to the
/// next (`s = s + a[i]`) cannot vectorize without reassociating, and its
/// poll hides behind that dependency. Both then compile as a single loop.
bool FunctionGen::chunked(const BodyFacts &facts) {
  return facts.loopDepth == 0 && !facts.carriesNumber();
}

/// For `for i in a..len(v)` with a >= 0 (a non-negative literal or a
/// length) and v never assigned in the body: v's slot (every i indexes v,
/// whose length can only grow); -1 otherwise.
int FunctionGen::indexedArray(const ForRangeStmt &s, const BodyFacts &facts) {
  const Expr *start = s.start.get();
  auto isLen = [](const Expr *e) -> const VarExpr * {
    const auto *call = dyn_cast_or_null<CallExpr>(e);
    if (!call || call->builtin != Builtin::Len || call->args.size() != 1)
      return nullptr;
    return dyn_cast<VarExpr>(call->args[0].get());
  };
  const auto *n = dyn_cast_or_null<NumberExpr>(start);
  if (!(n && n->value >= 0) && !isLen(start))
    return -1;
  const VarExpr *v = isLen(s.end.get());
  if (!v || v->slot < 0 || llvm::is_contained(facts.assignedSlots, v->slot))
    return -1;
  return v->slot;
}

/// start integral, not -0, and start, end within [-2^31, 2^31 - 1] (false
/// for NaN).
Value *FunctionGen::int32Range(Value *start, Value *end) {
  llvm::Type *f64 = b.getDoubleTy();
  auto within = [&](Value *v) {
    return b.CreateAnd(b.CreateFCmpOGE(v, ConstantFP::get(f64, -2147483648.0)),
                       b.CreateFCmpOLE(v, ConstantFP::get(f64, 2147483647.0)));
  };
  Value *integral =
      b.CreateFCmpOEQ(start, b.CreateUnaryIntrinsic(Intrinsic::trunc, start));
  Value *notNegZero = b.CreateICmpNE(b.CreateBitCast(start, b.getInt64Ty()),
                                     b.getInt64(uint64_t(1) << 63));
  return b.CreateAnd(b.CreateAnd(integral, notNegZero),
                     b.CreateAnd(within(start), within(end)), "for.fits.i32");
}

/// The integer version: k from `first` while k < `limit`: (int)a and
/// (int)ceil(b) for the i32 version of a checked range, which for integer k
/// is exactly k < b; the exact bounds themselves otherwise. With `chunk`
/// (see chunked) the iterations run in chunks of PollChunk with one timeout
/// poll per chunk, so the inner loop is free of volatile loads and
/// loop-invariant loads (array data and length) leave it. Loops and calls in
/// the body poll on their own, so a timeout is still noticed within one
/// chunk of otherwise bounded iterations.
void FunctionGen::emitForRangeInt(const ForRangeStmt &s, Value *first,
                                  Value *limit, bool exactVar, double bound,
                                  bool chunk, int within) {
  llvm::Type *t = first->getType();
  AllocaInst *counter = entryAlloca(t, s.var + ".k");
  b.CreateStore(first, counter);
  BasicBlock *latch = newBlock("for.next");
  BasicBlock *exit = newBlock("for.end");
  BasicBlock *header =
      emitCountedHead(counter, limit, chunk ? b.getInt64(PollChunk) : nullptr,
                      /*up=*/true, exit);
  Value *k = b.CreateLoad(t, counter, s.var + ".k");
  if (AllocaInst *var = slot(s.slot, Type::Number, s.loc)) {
    if (!var->hasName())
      var->setName(s.var);
    b.CreateStore(b.CreateSIToFP(k, b.getDoubleTy()), var);
  }
  // The body never assigns the variable: it always equals k, so integer
  // index arithmetic on it may use k itself (see exactInteger).
  if (exactVar)
    intCounters.push_back({s.slot, counter, bound, within});
  emitLoopBody(s.body.get(), latch, exit);
  if (exactVar)
    intCounters.pop_back();
  b.SetInsertPoint(latch);
  // k < chunk end <= limit before the increment: no wrap.
  b.CreateStore(
      b.CreateNSWAdd(b.CreateLoad(t, counter), ConstantInt::get(t, 1)),
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
  if (rare)
    markRare(backEdge);
  b.SetInsertPoint(exit);
}

void FunctionGen::markRare(BranchInst *backEdge) {
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

/// `for x in arr`: the array once, its length before every iteration.
/// Resumed (OSR), from the interpreter's array and index.
void FunctionGen::emitForEach(const ForEachStmt &s, const Resume *resume) {
  Value *array = resume ? resume->array : emitAs(s.array.get(), Type::Array);
  AllocaInst *index = entryAlloca(b.getInt64Ty(), s.var + ".index");
  b.CreateStore(resume ? resume->index : b.getInt64(0), index);
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
    b.CreateStore(loadElement(elementAddress(array, i)), var);
  }
  emitLoopBody(s.body.get(), latch, exit);
  b.SetInsertPoint(latch);
  b.CreateStore(b.CreateAdd(b.CreateLoad(b.getInt64Ty(), index), b.getInt64(1)),
                index);
  b.CreateBr(header);
  b.SetInsertPoint(exit);
}

} // namespace kiln::relay::irgen
