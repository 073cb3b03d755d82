// LoopFacts: AST walks behind the IR generator's guard and loop choices.
//
// countedWhile recognises the `while` loops that step one variable by a
// loop-invariant amount toward a loop-invariant bound (the sieve's
// `while m < n { flags[m] = 0; m = m + p }`); the generator then checks
// once, before the loop, that every value the variable can take is an
// exact integer, and runs an integer counter instead of the double.
#include "LoopFacts.h"

#include <algorithm>

namespace kiln::relay::irgen {

namespace {

/// Calls `fn` on each direct operand of `e` (none for leaves).
template <typename Fn> void forEachOperand(const Expr *e, Fn fn) {
  if (auto *c = dyn_cast<CallExpr>(e)) {
    for (auto &a : c->args)
      fn(a.get());
  } else if (auto *bin = dyn_cast<BinaryExpr>(e)) {
    fn(bin->lhs.get());
    fn(bin->rhs.get());
  } else if (auto *u = dyn_cast<UnaryExpr>(e)) {
    fn(u->operand.get());
  } else if (auto *ix = dyn_cast<IndexExpr>(e)) {
    fn(ix->array.get());
    fn(ix->index.get());
  } else if (auto *lit = dyn_cast<ArrayLitExpr>(e)) {
    for (auto &el : lit->elements)
      fn(el.get());
  }
}

} // namespace

void BodyFacts::expr(const Expr *e) {
  // Down a binary chain's left spine in a loop, into each rhs.
  while (auto *bin = dyn_cast<BinaryExpr>(e)) {
    expr(bin->rhs.get());
    e = bin->lhs.get();
  }
  if (!e)
    return;
  if (auto *c = dyn_cast<CallExpr>(e))
    callsUser |= c->target != nullptr;
  forEachOperand(e, [this](const Expr *operand) { expr(operand); });
}

void BodyFacts::loopBody(const Stmt *body) {
  loops = true;
  ++depth;
  loopDepth = std::max(loopDepth, depth);
  stmt(body);
  --depth;
}

void BodyFacts::declares(int slot) {
  writtenSlots.push_back(slot);
  declaredSlots.push_back(slot);
}

void BodyFacts::assign(const AssignStmt &a) {
  if (auto *var = dyn_cast<VarExpr>(a.target.get())) {
    assignedSlots.push_back(var->slot);
    writtenSlots.push_back(var->slot);
    assigns.push_back({&a, depth});
  }
  expr(a.target.get());
  expr(a.value.get());
}

/// An else-if chain in a loop, not by recursion.
void BodyFacts::ifChain(const IfStmt *i) {
  for (; i; i = dyn_cast<IfStmt>(i->elseStmt.get())) {
    expr(i->cond.get());
    stmt(i->thenBlock.get());
    if (!dyn_cast<IfStmt>(i->elseStmt.get()))
      stmt(i->elseStmt.get());
  }
}

void BodyFacts::stmt(const Stmt *s) {
  if (!s)
    return;
  if (auto *b = dyn_cast<BlockStmt>(s)) {
    for (auto &x : b->body)
      stmt(x.get());
  } else if (auto *l = dyn_cast<LetStmt>(s)) {
    declares(l->slot);
    expr(l->init.get());
  } else if (auto *a = dyn_cast<AssignStmt>(s)) {
    assign(*a);
  } else if (auto *e = dyn_cast<ExprStmt>(s)) {
    expr(e->expr.get());
  } else if (auto *i = dyn_cast<IfStmt>(s)) {
    ifChain(i);
  } else if (auto *w = dyn_cast<WhileStmt>(s)) {
    expr(w->cond.get());
    loopBody(w->body.get());
  } else if (auto *f = dyn_cast<ForRangeStmt>(s)) {
    declares(f->slot);
    expr(f->start.get());
    expr(f->end.get());
    loopBody(f->body.get());
  } else if (auto *f = dyn_cast<ForEachStmt>(s)) {
    declares(f->slot);
    expr(f->array.get());
    loopBody(f->body.get());
  } else if (auto *r = dyn_cast<ReturnStmt>(s)) {
    expr(r->value.get());
  } else if (isa<ContinueStmt>(s)) {
    continues |= depth == 0;
  }
}

namespace {

bool contains(const std::vector<int> &slots, int slot) {
  return std::find(slots.begin(), slots.end(), slot) != slots.end();
}

bool isVar(const Expr *e, int slot) {
  auto *v = dyn_cast<VarExpr>(e);
  return v && v->slot == slot;
}

/// True when `e` reads variable `slot`.
bool reads(const Expr *e, int slot) {
  for (; auto *bin = dyn_cast<BinaryExpr>(e); e = bin->lhs.get())
    if (reads(bin->rhs.get(), slot))
      return true;
  if (!e)
    return false;
  if (auto *v = dyn_cast<VarExpr>(e))
    return v->slot == slot;
  bool found = false;
  forEachOperand(
      e, [&](const Expr *operand) { found = found || reads(operand, slot); });
  return found;
}

/// A number that is the same every iteration and can be computed ahead of
/// the loop with no effect: literals, variables the body never writes, and
/// arithmetic and math builtins on those (no calls, no array reads).
bool invariant(const Expr *e, const std::vector<int> &written) {
  for (; auto *bin = dyn_cast<BinaryExpr>(e); e = bin->lhs.get())
    if (bin->type != Type::Number || !invariant(bin->rhs.get(), written))
      return false;
  if (!e || e->type != Type::Number)
    return false;
  if (isa<NumberExpr>(e))
    return true;
  if (auto *v = dyn_cast<VarExpr>(e))
    return v->slot >= 0 && !contains(written, v->slot);
  if (auto *u = dyn_cast<UnaryExpr>(e))
    return u->op == UnaryOp::Neg && invariant(u->operand.get(), written);
  if (auto *c = dyn_cast<CallExpr>(e)) {
    if (!isNumericBuiltin(c->builtin))
      return false;
    return std::all_of(c->args.begin(), c->args.end(), [&](const ExprPtr &a) {
      return invariant(a.get(), written);
    });
  }
  return false;
}

/// `v < e` as written or mirrored (`e > v` is `v < e`).
std::optional<CountedWhile> comparison(const Expr *cond) {
  auto *cmp = dyn_cast<BinaryExpr>(cond);
  if (!cmp || (cmp->op != BinaryOp::Lt && cmp->op != BinaryOp::Le &&
               cmp->op != BinaryOp::Gt && cmp->op != BinaryOp::Ge))
    return std::nullopt;
  CountedWhile w{};
  if (auto *v = dyn_cast<VarExpr>(cmp->lhs.get())) {
    w.var = v;
    w.op = cmp->op;
    w.bound = cmp->rhs.get();
  } else if (auto *v = dyn_cast<VarExpr>(cmp->rhs.get())) {
    w.var = v;
    w.bound = cmp->lhs.get();
    w.op = cmp->op == BinaryOp::Lt   ? BinaryOp::Gt
           : cmp->op == BinaryOp::Le ? BinaryOp::Ge
           : cmp->op == BinaryOp::Gt ? BinaryOp::Lt
                                     : BinaryOp::Le;
  } else {
    return std::nullopt;
  }
  if (w.var->type != Type::Number || w.var->slot < 0)
    return std::nullopt;
  return w;
}

/// `v + k`, `k + v` or `v - k`: the step k (and whether it is negated).
const Expr *stepOf(const Expr *value, int slot, bool &negated) {
  auto *bin = dyn_cast<BinaryExpr>(value);
  if (!bin)
    return nullptr;
  negated = bin->op == BinaryOp::Sub;
  if (bin->op == BinaryOp::Add && isVar(bin->rhs.get(), slot))
    return bin->lhs.get();
  if ((bin->op == BinaryOp::Add || bin->op == BinaryOp::Sub) &&
      isVar(bin->lhs.get(), slot))
    return bin->rhs.get();
  return nullptr;
}

} // namespace

bool speculatable(const Expr *e) {
  for (; auto *bin = dyn_cast<BinaryExpr>(e); e = bin->lhs.get())
    if (!speculatable(bin->rhs.get()))
      return false;
  if (!e)
    return false;
  if (isa<NumberExpr>(e) || isa<BoolExpr>(e))
    return true;
  if (auto *v = dyn_cast<VarExpr>(e))
    return v->slot >= 0;
  if (auto *u = dyn_cast<UnaryExpr>(e))
    return speculatable(u->operand.get());
  auto *c = dyn_cast<CallExpr>(e);
  if (!c || !isNumericBuiltin(c->builtin))
    return false;
  return std::all_of(c->args.begin(), c->args.end(),
                     [](const ExprPtr &a) { return speculatable(a.get()); });
}

bool BodyFacts::carriesNumber() const {
  for (const auto &[assign, depth] : assigns) {
    const auto *var = dyn_cast<VarExpr>(assign->target.get());
    if (depth == 0 && var && var->type == Type::Number &&
        !contains(declaredSlots, var->slot) &&
        reads(assign->value.get(), var->slot))
      return true;
  }
  return false;
}

std::optional<CountedWhile> countedWhile(const WhileStmt &s,
                                         const BodyFacts &facts) {
  std::optional<CountedWhile> w = comparison(s.cond.get());
  if (!w || !invariant(w->bound, facts.writtenSlots))
    return std::nullopt;
  int slot = w->var->slot;
  // Exactly one write of v: an assignment, not inside a nested loop, so it
  // runs at most once per iteration.
  int writes = 0;
  for (int written : facts.writtenSlots)
    writes += written == slot;
  for (auto [assign, depth] : facts.assigns)
    if (writes == 1 && depth == 0 && isVar(assign->target.get(), slot))
      w->step = assign;
  if (!w->step)
    return std::nullopt;
  w->stepValue = stepOf(w->step->value.get(), slot, w->negated);
  if (!w->stepValue || !invariant(w->stepValue, facts.writtenSlots))
    return std::nullopt;
  w->everyIteration =
      !facts.continues && s.body &&
      std::any_of(s.body->body.begin(), s.body->body.end(),
                  [&](const StmtPtr &x) { return x.get() == w->step; });
  return w;
}

} // namespace kiln::relay::irgen
