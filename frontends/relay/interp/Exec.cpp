// Exec: the interpreter's statements and loops.
//
// Statements report how they finished (Flow) instead of unwinding, so break,
// continue and return cost a compare. Every loop iteration polls the timeout
// flag, is a step of the step limit and counts towards the function's profile.
#include "InterpreterImpl.h"

namespace kiln::relay {
using namespace interp;

/// One statement. Inlined into execBlock, where nearly every statement
/// runs, to save a call level per statement.
[[gnu::always_inline]] inline Flow Interpreter::Impl::exec(const Stmt *s,
                                                           Frame &frame) {
  Slot *slots = frame.slots;
  switch (s->kind) {
  case Stmt::Kind::Let: {
    auto *let = static_cast<const LetStmt *>(s);
    slots[let->slot] = value(let->init.get(), slots);
    return Flow::Normal;
  }
  case Stmt::Kind::Assign:
    execAssign(static_cast<const AssignStmt *>(s), slots);
    return Flow::Normal;
  case Stmt::Kind::ExprStmt:
    eval(static_cast<const ExprStmt *>(s)->expr.get(), slots);
    return Flow::Normal;
  case Stmt::Kind::If: return execIf(static_cast<const IfStmt *>(s), frame);
  case Stmt::Kind::While:
    return execWhile(static_cast<const WhileStmt *>(s), frame);
  case Stmt::Kind::ForRange:
    return execForRange(static_cast<const ForRangeStmt *>(s), frame);
  case Stmt::Kind::ForEach:
    return execForEach(static_cast<const ForEachStmt *>(s), frame);
  case Stmt::Kind::Break: return Flow::Break;
  case Stmt::Kind::Continue: return Flow::Continue;
  case Stmt::Kind::Return:
    if (const Expr *e = static_cast<const ReturnStmt *>(s)->value.get())
      result = value(e, slots);
    return Flow::Return;
  case Stmt::Kind::Block:
    return execBlock(static_cast<const BlockStmt *>(s), frame);
  }
  assert(false && "unknown statement kind");
  return Flow::Normal;
}

Flow Interpreter::Impl::execBlock(const BlockStmt *block, Frame &frame) {
  for (const StmtPtr &s : block->body) {
    Flow flow = exec(s.get(), frame);
    if (flow != Flow::Normal)
      return flow;
  }
  return Flow::Normal;
}

/// `a[i] = v` evaluates a, then i, then v, then checks the index.
void Interpreter::Impl::execAssign(const AssignStmt *s, Slot *slots) {
  if (auto *var = dyn_cast<VarExpr>(s->target.get())) {
    slots[var->slot] = value(s->value.get(), slots);
    return;
  }
  auto *target = cast<IndexExpr>(s->target.get());
  auto *array =
      static_cast<kiln_rt_array *>(value(target->array.get(), slots).array);
  double index = number(target->index.get(), slots);
  double value = number(s->value.get(), slots);
  *element(array, index, target->loc) = value;
}

/// An else-if chain in a loop, not one call per arm.
Flow Interpreter::Impl::execIf(const IfStmt *s, Frame &frame) {
  while (!truth(s->cond.get(), frame.slots)) {
    const Stmt *orElse = s->elseStmt.get();
    if (!orElse)
      return Flow::Normal;
    if (orElse->kind != Stmt::Kind::If)
      return exec(orElse, frame);
    s = static_cast<const IfStmt *>(orElse);
  }
  return execBlock(s->thenBlock.get(), frame);
}

// Every loop registers its hidden state (OsrLoop) with the frame, and its
// header asks whether compiled code should take over (replaced()): one
// compare until the call has run osrThreshold iterations.

Flow Interpreter::Impl::execWhile(const WhileStmt *s, Frame &frame) {
  OsrLoop loop;
  loop.loop = s;
  loop.run = ++loopRuns;
  ActiveLoop active(frame, loop);
  while (true) {
    if (replaced(frame, loop))
      return Flow::Return;
    if (!truth(s->cond.get(), frame.slots))
      break;
    beginIteration(frame);
    Flow flow = execBlock(s->body.get(), frame);
    if (flow == Flow::Break)
      break;
    if (flow == Flow::Return)
      return flow;
  }
  return Flow::Normal;
}

/// The hidden counter runs start, start+1, ... while < end; `end` is
/// evaluated once and the body's assignments to the variable do not count.
Flow Interpreter::Impl::execForRange(const ForRangeStmt *s, Frame &frame) {
  OsrLoop loop;
  loop.loop = s;
  loop.run = ++loopRuns;
  loop.counter = number(s->start.get(), frame.slots);
  loop.end = number(s->end.get(), frame.slots);
  ActiveLoop active(frame, loop);
  for (;; loop.counter += 1.0) {
    if (replaced(frame, loop))
      return Flow::Return;
    if (!(loop.counter < loop.end))
      break;
    beginIteration(frame);
    frame.slots[s->slot].number = loop.counter;
    Flow flow = execBlock(s->body.get(), frame);
    if (flow == Flow::Break)
      break;
    if (flow == Flow::Return)
      return flow;
  }
  return Flow::Normal;
}

/// The array is evaluated once; its length is re-read before every
/// iteration, so pushes in the body extend the loop.
Flow Interpreter::Impl::execForEach(const ForEachStmt *s, Frame &frame) {
  OsrLoop loop;
  loop.loop = s;
  loop.run = ++loopRuns;
  auto *array =
      static_cast<kiln_rt_array *>(value(s->array.get(), frame.slots).array);
  loop.array = array;
  ActiveLoop active(frame, loop);
  for (;; ++loop.index) {
    if (replaced(frame, loop))
      return Flow::Return;
    if (!(loop.index < array->length))
      break;
    beginIteration(frame);
    frame.slots[s->slot].number = array->data[loop.index];
    Flow flow = execBlock(s->body.get(), frame);
    if (flow == Flow::Break)
      break;
    if (flow == Flow::Return)
      return flow;
  }
  return Flow::Normal;
}

} // namespace kiln::relay
