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

/// The body of a while, range or array loop; null for other statements.
const BlockStmt *loopBody(const Stmt *s) {
  switch (s->kind) {
  case Stmt::Kind::While: return static_cast<const WhileStmt *>(s)->body.get();
  case Stmt::Kind::ForRange:
    return static_cast<const ForRangeStmt *>(s)->body.get();
  case Stmt::Kind::ForEach:
    return static_cast<const ForEachStmt *>(s)->body.get();
  default: return nullptr;
  }
}

bool pathTo(const Stmt *node, const Stmt *target,
            std::vector<const Stmt *> &path);

/// pathTo through the arms of an else-if chain, in a loop: each `else if`
/// is on the path as the parent of its arms.
bool pathThroughIf(const IfStmt *first, const Stmt *target,
                   std::vector<const Stmt *> &path) {
  size_t depth = path.size();
  for (const IfStmt *s = first; s;) {
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
  return false;
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
  if (const auto *block = dyn_cast<BlockStmt>(node)) {
    for (const StmtPtr &s : block->body)
      if (s && pathTo(s.get(), target, path))
        return true;
  } else if (const auto *ifStmt = dyn_cast<IfStmt>(node)) {
    if (pathThroughIf(ifStmt, target, path))
      return true;
  } else if (const BlockStmt *body = loopBody(node)) {
    if (pathTo(body, target, path))
      return true;
  }
  path.pop_back();
  return false;
}

/// Counts the definitions of every slot under a statement; `lets` receives
/// the slots defined by a `let` outside loops that starts before `before`.
struct DefinitionCounter {
  std::vector<int> &defs;
  std::vector<bool> &lets;
  Loc before;

  void def(int slot) {
    if (slot >= 0 && size_t(slot) < defs.size())
      ++defs[slot];
  }
  bool earlier(Loc l) const {
    return l.line < before.line ||
           (l.line == before.line && l.col < before.col);
  }
  void let(const LetStmt &s, int loopDepth) {
    def(s.slot);
    if (loopDepth == 0 && earlier(s.loc) && s.slot >= 0 &&
        size_t(s.slot) < lets.size())
      lets[s.slot] = true;
  }
  void ifChain(const IfStmt *first, int loopDepth) {
    for (const IfStmt *i = first; i;) {
      stmt(i->thenBlock.get(), loopDepth);
      const Stmt *orElse = i->elseStmt.get();
      i = dyn_cast_or_null<IfStmt>(orElse);
      if (orElse && !i)
        stmt(orElse, loopDepth);
    }
  }
  void stmt(const Stmt *s, int loopDepth) {
    if (!s)
      return;
    if (const auto *l = dyn_cast<LetStmt>(s))
      return let(*l, loopDepth);
    if (const auto *a = dyn_cast<AssignStmt>(s)) {
      if (const auto *v = dyn_cast<VarExpr>(a->target.get()))
        def(v->slot);
      return;
    }
    if (const auto *block = dyn_cast<BlockStmt>(s)) {
      for (const StmtPtr &c : block->body)
        stmt(c.get(), loopDepth);
      return;
    }
    if (const auto *i = dyn_cast<IfStmt>(s))
      return ifChain(i, loopDepth);
    if (const auto *f = dyn_cast<ForRangeStmt>(s))
      def(f->slot);
    if (const auto *f = dyn_cast<ForEachStmt>(s))
      def(f->slot);
    if (const BlockStmt *body = loopBody(s))
      stmt(body, loopDepth + 1);
  }
};

} // namespace

std::vector<bool> fixedSlots(const FuncDecl &main, const Stmt &loop) {
  size_t n = main.slotTypes.size();
  std::vector<int> defs(n, 0);
  std::vector<bool> lets(n, false), fixed(n, false);
  DefinitionCounter{defs, lets, loop.loc}.stmt(main.body.get(), 0);
  for (size_t i = 0; i < n; ++i)
    fixed[i] =
        lets[i] && defs[i] == 1 &&
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
      b.CreateStore(
          t == Type::Bool
              ? static_cast<Constant *>(b.getInt1(bits != 0))
              : ConstantFP::get(b.getDoubleTy(), llvm::bit_cast<double>(bits)),
          a);
      continue;
    }
    Value *addr =
        b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), frame, i * SlotBytes);
    Value *v =
        t == Type::Bool
            ? b.CreateICmpNE(b.CreateLoad(b.getInt64Ty(), addr), b.getInt64(0))
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
    next.counter =
        b.CreateFAdd(state.counter, ConstantFP::get(b.getDoubleTy(), 1.0));
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
  default: M.fail(loop.loc, "OSR entry at a statement that is not a loop");
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
  Value *rec = fn->getArg(1);
  Resume hot = loadResume(*osrLoop, rec);
  std::vector<Enclosing> outer = enclosingLoops(path, rec);
  for (const Enclosing &e : outer)
    loops.push_back({e.exit, e.latch});
  emitResumed(*osrLoop, hot);
  for (size_t j = path.size() - 1; j-- > 0;) {
    if (const auto *block = dyn_cast<BlockStmt>(path[j])) {
      emitRestOfBlock(*block, path[j + 1]);
    } else if (isLoop(path[j])) {
      loops.pop_back();
      emitRestOfLoop(outer.back());
      outer.pop_back();
    }
  }
  if (!terminated())
    emitFallOff();
}

/// The loops on `path` around the hot loop, outermost first, each with the
/// state in its record (`rec`, the hot loop's, links to the next one out).
std::vector<FunctionGen::Enclosing>
FunctionGen::enclosingLoops(const std::vector<const Stmt *> &path, Value *rec) {
  std::vector<Enclosing> outer;
  for (size_t j = path.size() - 1; j-- > 0;) {
    if (!isLoop(path[j]))
      continue;
    rec = b.CreateLoad(b.getPtrTy(), b.CreateConstInBoundsGEP1_64(
                                         b.getInt8Ty(), rec, OsrLayout::Outer));
    outer.insert(outer.begin(), {path[j], loadResume(*path[j], rec),
                                 newBlock("osr.latch"), newBlock("osr.exit")});
  }
  return outer;
}

/// The statements of `block` after its child `done`.
void FunctionGen::emitRestOfBlock(const BlockStmt &block, const Stmt *done) {
  auto it = llvm::find_if(block.body,
                          [&](const StmtPtr &s) { return s.get() == done; });
  assert(it != block.body.end() && "pathTo gives a block's child");
  for (++it; it != block.body.end() && !terminated(); ++it)
    if (*it)
      emitStmt(**it);
}

/// The latch of an enclosing loop whose current iteration has just been
/// emitted: the next iteration's state, the loop resumed with it, then on
/// at its exit.
void FunctionGen::emitRestOfLoop(const Enclosing &e) {
  if (!terminated())
    b.CreateBr(e.latch);
  b.SetInsertPoint(e.latch);
  Resume next = nextIteration(*e.loop, e.state);
  emitResumed(*e.loop, next);
  if (!terminated())
    b.CreateBr(e.exit);
  b.SetInsertPoint(e.exit);
}

} // namespace kiln::relay::irgen
