// EmitOsr: the continuation of a running call from one of its loop headers
// (on-stack replacement, see generateOsr in IRGen.h).
//
// Entering a loop nest in the middle would give its outer loops a second
// entry, which LLVM does not treat as a loop at all. So the continuation is
// built from whole loops instead: the hot loop, resumed at its header with
// the interpreter's hidden state; after it, the rest of the enclosing loop's
// current iteration (the statements that follow it), then that loop resumed
// at its next iteration; and so on out to the rest of the function. Every
// loop has one entry, and mem2reg turns the slots loaded from the frame into
// SSA values as in any other function.
#include "IRGenImpl.h"

using namespace llvm;

namespace kiln::relay::irgen {
namespace {

bool isLoop(const Stmt *s) {
  return s->kind == Stmt::Kind::While || s->kind == Stmt::Kind::ForRange ||
         s->kind == Stmt::Kind::ForEach;
}

/// The statements from `node` down to `target` (both included): blocks,
/// ifs and loops, each the parent of the next. False when `target` is not
/// inside `node`. Nesting is at most 256 levels deep (the parser's limit);
/// else-if chains are followed in a loop.
bool pathTo(const Stmt *node, const Stmt *target,
            std::vector<const Stmt *> &path) {
  path.push_back(node);
  if (node == target)
    return true;
  switch (node->kind) {
  case Stmt::Kind::Block:
    for (const StmtPtr &s : static_cast<const BlockStmt *>(node)->body)
      if (s && pathTo(s.get(), target, path))
        return true;
    break;
  case Stmt::Kind::If: {
    size_t depth = path.size();
    for (const auto *s = static_cast<const IfStmt *>(node); s;) {
      if (s->thenBlock && pathTo(s->thenBlock.get(), target, path))
        return true;
      const Stmt *orElse = s->elseStmt.get();
      s = dyn_cast_or_null<IfStmt>(orElse);
      if (!orElse)
        break;
      if (s) {
        path.push_back(s);
        continue;
      }
      if (pathTo(orElse, target, path))
        return true;
    }
    path.resize(depth);
    break;
  }
  case Stmt::Kind::While:
    if (pathTo(static_cast<const WhileStmt *>(node)->body.get(), target, path))
      return true;
    break;
  case Stmt::Kind::ForRange:
    if (pathTo(static_cast<const ForRangeStmt *>(node)->body.get(), target,
               path))
      return true;
    break;
  case Stmt::Kind::ForEach:
    if (pathTo(static_cast<const ForEachStmt *>(node)->body.get(), target,
               path))
      return true;
    break;
  default:
    break;
  }
  path.pop_back();
  return false;
}

/// Counts the definitions of every slot under `s`; `lets` receives the
/// slots defined by a `let` outside loops that starts before `before`.
void countDefinitions(const Stmt *s, int loopDepth, Loc before,
                      std::vector<int> &defs, std::vector<bool> &lets) {
  if (!s)
    return;
  auto def = [&](int slot) {
    if (slot >= 0 && size_t(slot) < defs.size())
      ++defs[slot];
  };
  auto earlier = [&](Loc l) {
    return l.line < before.line || (l.line == before.line && l.col < before.col);
  };
  switch (s->kind) {
  case Stmt::Kind::Let: {
    int slot = static_cast<const LetStmt *>(s)->slot;
    def(slot);
    if (loopDepth == 0 && earlier(s->loc) && slot >= 0 && size_t(slot) < lets.size())
      lets[slot] = true;
    return;
  }
  case Stmt::Kind::Assign:
    if (const auto *v = dyn_cast<VarExpr>(static_cast<const AssignStmt *>(s)->target.get()))
      def(v->slot);
    return;
  case Stmt::Kind::Block:
    for (const StmtPtr &c : static_cast<const BlockStmt *>(s)->body)
      countDefinitions(c.get(), loopDepth, before, defs, lets);
    return;
  case Stmt::Kind::If:
    for (const auto *i = static_cast<const IfStmt *>(s); i;) {
      countDefinitions(i->thenBlock.get(), loopDepth, before, defs, lets);
      const Stmt *orElse = i->elseStmt.get();
      i = dyn_cast_or_null<IfStmt>(orElse);
      if (orElse && !i)
        countDefinitions(orElse, loopDepth, before, defs, lets);
    }
    return;
  case Stmt::Kind::While:
    return countDefinitions(static_cast<const WhileStmt *>(s)->body.get(),
                            loopDepth + 1, before, defs, lets);
  case Stmt::Kind::ForRange:
    def(static_cast<const ForRangeStmt *>(s)->slot);
    return countDefinitions(static_cast<const ForRangeStmt *>(s)->body.get(),
                            loopDepth + 1, before, defs, lets);
  case Stmt::Kind::ForEach:
    def(static_cast<const ForEachStmt *>(s)->slot);
    return countDefinitions(static_cast<const ForEachStmt *>(s)->body.get(),
                            loopDepth + 1, before, defs, lets);
  default:
    return;
  }
}

} // namespace

std::vector<bool> fixedSlots(const FuncDecl &main, const Stmt &loop) {
  size_t n = main.slotTypes.size();
  std::vector<int> defs(n, 0);
  std::vector<bool> lets(n, false), fixed(n, false);
  countDefinitions(main.body.get(), 0, loop.loc, defs, lets);
  for (size_t i = 0; i < n; ++i)
    fixed[i] = lets[i] && defs[i] == 1 &&
               (main.slotTypes[i] == Type::Number || main.slotTypes[i] == Type::Bool);
  return fixed;
}

void FunctionGen::loadFrame(Value *frame) {
  for (size_t i = 0; i < decl.slotTypes.size(); ++i) {
    Type t = decl.slotTypes[i];
    bool isValue = t == Type::Number || t == Type::Bool || t == Type::Array;
    AllocaInst *a = isValue ? entryAlloca(M.typeOf(t, decl.loc), "") : nullptr;
    slots.push_back(a);
    if (!a)
      continue;
    if (i < M.osrConstants.size() && M.osrConstants[i]) {
      uint64_t bits = *M.osrConstants[i];
      b.CreateStore(t == Type::Bool
                        ? static_cast<Constant *>(b.getInt1(bits != 0))
                        : ConstantFP::get(b.getDoubleTy(),
                                          llvm::bit_cast<double>(bits)),
                    a);
      continue;
    }
    Value *addr =
        b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), frame, i * SlotBytes);
    Value *v = t == Type::Bool
                   ? b.CreateICmpNE(b.CreateLoad(b.getInt64Ty(), addr),
                                    b.getInt64(0))
                   : b.CreateLoad(a->getAllocatedType(), addr);
    b.CreateStore(v, a);
  }
}

FunctionGen::Resume FunctionGen::loadResume(const Stmt &loop, Value *rec) {
  auto field = [&](llvm::Type *t, unsigned offset) {
    return b.CreateLoad(
        t, b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), rec, offset));
  };
  Resume r;
  if (loop.kind == Stmt::Kind::ForRange) {
    r.counter = field(b.getDoubleTy(), OsrLayout::Counter);
    r.end = field(b.getDoubleTy(), OsrLayout::End);
  } else if (loop.kind == Stmt::Kind::ForEach) {
    r.array = field(b.getPtrTy(), OsrLayout::Array);
    r.index = field(b.getInt64Ty(), OsrLayout::Index);
  }
  return r;
}

FunctionGen::Resume FunctionGen::nextIteration(const Stmt &loop,
                                               const Resume &state) {
  Resume next = state;
  if (loop.kind == Stmt::Kind::ForRange)
    next.counter = b.CreateFAdd(state.counter,
                                ConstantFP::get(b.getDoubleTy(), 1.0));
  else if (loop.kind == Stmt::Kind::ForEach)
    next.index = b.CreateAdd(state.index, b.getInt64(1));
  return next;
}

void FunctionGen::emitResumed(const Stmt &loop, const Resume &state) {
  switch (loop.kind) {
  case Stmt::Kind::While:
    return emitWhile(static_cast<const WhileStmt &>(loop));
  case Stmt::Kind::ForRange:
    return emitForRange(static_cast<const ForRangeStmt &>(loop), &state);
  case Stmt::Kind::ForEach:
    return emitForEach(static_cast<const ForEachStmt &>(loop), &state);
  default:
    M.fail(loop.loc, "OSR entry at a statement that is not a loop");
  }
}

/// path[0] is the body, path.back() the hot loop. Walking outward, each
/// block contributes the statements after the path's next node, and each
/// enclosing loop its latch (the next iteration's state) and itself,
/// resumed; `break` and `continue` in those statements go to the enclosing
/// loop's exit and latch.
void FunctionGen::emitOsr() {
  std::vector<const Stmt *> path;
  if (!osrLoop || !isLoop(osrLoop) || !pathTo(decl.body.get(), osrLoop, path)) {
    M.fail(decl.loc, "OSR entry at a loop that is not in '" + decl.name + "'");
    b.CreateUnreachable();
    return;
  }
  loadFrame(fn->getArg(0));
  enterFrame();
  // The loops on the path, outermost first, with their records' state.
  struct Enclosing {
    const Stmt *loop;
    Resume state;
    BasicBlock *latch, *exit;
  };
  std::vector<Enclosing> outer;
  Value *rec = fn->getArg(1);
  Resume hot = loadResume(*osrLoop, rec);
  for (size_t j = path.size() - 1; j-- > 0;) {
    if (!isLoop(path[j]))
      continue;
    rec = b.CreateLoad(b.getPtrTy(), b.CreateConstInBoundsGEP1_64(
                                         b.getInt8Ty(), rec, OsrLayout::Outer));
    outer.insert(outer.begin(), {path[j], loadResume(*path[j], rec),
                                 newBlock("osr.latch"), newBlock("osr.exit")});
  }
  for (const Enclosing &e : outer)
    loops.push_back({e.exit, e.latch});
  emitResumed(*osrLoop, hot);
  for (size_t j = path.size() - 1; j-- > 0;) {
    const Stmt *node = path[j];
    if (const auto *block = dyn_cast<BlockStmt>(node)) {
      auto it = llvm::find_if(block->body, [&](const StmtPtr &s) {
        return s.get() == path[j + 1];
      });
      assert(it != block->body.end() && "pathTo gives a block's child");
      for (++it; it != block->body.end() && !terminated(); ++it)
        if (*it)
          emitStmt(**it);
    } else if (isLoop(node)) {
      const Enclosing &e = outer.back();
      loops.pop_back();
      if (!terminated())
        b.CreateBr(e.latch);
      b.SetInsertPoint(e.latch);
      Resume next = nextIteration(*e.loop, e.state);
      emitResumed(*e.loop, next);
      if (!terminated())
        b.CreateBr(e.exit);
      b.SetInsertPoint(e.exit);
      outer.pop_back();
    }
  }
  if (!terminated())
    emitFallOff();
}

} // namespace kiln::relay::irgen
