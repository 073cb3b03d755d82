// Check: walks the AST with a stack of scopes, one per block.
//
// A `var` is visible from its statement to the end of its block; an inner
// block may declare a name again (shadowing), the same block may not.
// Functions are visible everywhere, so calls may come before definitions.
#include "Check.h"
#include "Casting.h"

#include <map>
#include <string>
#include <vector>

namespace ember {

namespace {

class Checker {
public:
  explicit Checker(const Program &program);
  void function(const Function &fn);
  kiln::Diagnostics Diags;

private:
  void declare(const std::string &name, kiln::SourceLoc loc);
  bool visible(const std::string &name) const;
  void block(const Block &body);
  void stmt(const Stmt *s);
  void expr(const Expr *e);
  void call(const CallExpr *c);
  void error(kiln::SourceLoc loc, std::string message);

  std::map<std::string, const Function *> Functions;
  std::vector<std::map<std::string, kiln::SourceLoc>> Scopes;
};

void Checker::error(kiln::SourceLoc loc, std::string message) {
  Diags.push_back(
      {loc, std::move(message), kiln::Severity::Error, kiln::ErrorKind::Type});
}

// [tutorial:check-functions]
Checker::Checker(const Program &program) {
  for (const Function &fn : program.functions) {
    auto [it, inserted] = Functions.try_emplace(fn.name, &fn);
    if (inserted)
      continue;
    error(fn.loc, "function '" + fn.name + "' is defined twice");
    Diags.back().notes.push_back(
        {it->second->loc, "first defined here", kiln::Severity::Note});
  }
}
// [/tutorial]

void Checker::declare(const std::string &name, kiln::SourceLoc loc) {
  auto [it, inserted] = Scopes.back().try_emplace(name, loc);
  if (inserted)
    return;
  error(loc, "'" + name + "' is already defined in this block");
  Diags.back().notes.push_back(
      {it->second, "first defined here", kiln::Severity::Note});
}

bool Checker::visible(const std::string &name) const {
  for (auto scope = Scopes.rbegin(); scope != Scopes.rend(); ++scope)
    if (scope->count(name))
      return true;
  return false;
}

void Checker::function(const Function &fn) {
  Scopes.assign(1, {});
  for (const std::string &param : fn.params)
    declare(param, fn.loc);
  for (const StmtPtr &s : fn.body)
    stmt(s.get());
}

void Checker::block(const Block &body) {
  Scopes.emplace_back();
  for (const StmtPtr &s : body)
    stmt(s.get());
  Scopes.pop_back();
}

void Checker::stmt(const Stmt *s) {
  if (auto *v = dyn_cast<VarStmt>(s)) {
    expr(v->value.get()); // `var x = x;` sees the outer x, not itself
    if (s->kind() == Stmt::Kind::Var)
      declare(v->name, s->loc());
    else if (!visible(v->name))
      error(s->loc(), "assignment to undefined variable '" + v->name + "'");
  } else if (auto *i = dyn_cast<IfStmt>(s)) {
    expr(i->cond.get());
    block(i->thenBody);
    block(i->elseBody);
  } else if (auto *w = dyn_cast<WhileStmt>(s)) {
    expr(w->cond.get());
    block(w->body);
  } else if (auto *f = dyn_cast<ForStmt>(s)) {
    expr(f->start.get());
    expr(f->end.get());
    Scopes.emplace_back();
    declare(f->var, s->loc());
    block(f->body);
    Scopes.pop_back();
  } else if (auto *e = dyn_cast<ExprStmt>(s)) {
    expr(e->value.get());
  }
}

void Checker::expr(const Expr *e) {
  if (auto *v = dyn_cast<VariableExpr>(e)) {
    if (!visible(v->name))
      error(e->loc(), "undefined variable '" + v->name + "'");
  } else if (auto *u = dyn_cast<UnaryExpr>(e)) {
    expr(u->operand.get());
  } else if (auto *b = dyn_cast<BinaryExpr>(e)) {
    expr(b->lhs.get());
    expr(b->rhs.get());
  } else if (auto *c = dyn_cast<CallExpr>(e)) {
    call(c);
  }
}

// [tutorial:check-call]
void Checker::call(const CallExpr *c) {
  for (const ExprPtr &arg : c->args)
    expr(arg.get());
  auto it = Functions.find(c->callee);
  if (it == Functions.end()) {
    error(c->loc(), "call to undefined function '" + c->callee + "'");
    return;
  }
  const Function &fn = *it->second;
  if (c->args.size() == fn.params.size())
    return;
  error(c->loc(), "'" + fn.name + "' takes " +
                      std::to_string(fn.params.size()) + " argument(s), " +
                      std::to_string(c->args.size()) + " given");
  Diags.back().notes.push_back(
      {fn.loc, "'" + fn.name + "' is defined here", kiln::Severity::Note});
}
// [/tutorial]

} // namespace

kiln::Diagnostics checkProgram(const Program &program) {
  Checker checker(program);
  for (const Function &fn : program.functions)
    if (!fn.isExtern)
      checker.function(fn);
  return std::move(checker.Diags);
}

} // namespace ember
