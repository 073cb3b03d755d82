// Unused: scopes map each visible name to a "was it read" flag.
#include "Unused.h"
#include "Casting.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace ember {

namespace {

struct Var {
  kiln::SourceLoc loc;
  bool read = false;
};

class Finder {
public:
  kiln::Diagnostics Diags;
  void function(const Function &fn);

private:
  void open() { Scopes.emplace_back(); }
  void close();
  void block(const Block &body);
  void stmt(const Stmt *s);
  void expr(const Expr *e);
  std::vector<std::map<std::string, Var>> Scopes;
};

// [tutorial:ex-unused-close]
void Finder::close() {
  for (const auto &[name, var] : Scopes.back())
    if (!var.read)
      Diags.push_back({var.loc, "variable '" + name + "' is never read",
                       kiln::Severity::Warning});
  Scopes.pop_back();
}
// [/tutorial]

void Finder::function(const Function &fn) {
  open();
  for (const std::string &param : fn.params)
    Scopes.back()[param] = Var{fn.loc};
  block(fn.body);
  close();
}

void Finder::block(const Block &body) {
  open();
  for (const StmtPtr &s : body)
    stmt(s.get());
  close();
}

void Finder::stmt(const Stmt *s) {
  if (auto *v = dyn_cast<VarStmt>(s)) {
    expr(v->value.get());
    if (s->kind() == Stmt::Kind::Var)
      Scopes.back()[v->name] = Var{s->loc()};
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
    open();
    Scopes.back()[f->var] = Var{s->loc(), true}; // a counter may go unread
    block(f->body);
    close();
  } else if (auto *e = dyn_cast<ExprStmt>(s)) {
    expr(e->value.get());
  }
}

void Finder::expr(const Expr *e) {
  if (auto *v = dyn_cast<VariableExpr>(e)) {
    for (auto scope = Scopes.rbegin(); scope != Scopes.rend(); ++scope)
      if (auto it = scope->find(v->name); it != scope->end()) {
        it->second.read = true;
        return;
      }
  } else if (auto *u = dyn_cast<UnaryExpr>(e)) {
    expr(u->operand.get());
  } else if (auto *b = dyn_cast<BinaryExpr>(e)) {
    expr(b->lhs.get());
    expr(b->rhs.get());
  } else if (auto *c = dyn_cast<CallExpr>(e)) {
    for (const ExprPtr &arg : c->args)
      expr(arg.get());
  }
}

} // namespace

kiln::Diagnostics findUnused(const Program &program) {
  Finder finder;
  for (const Function &fn : program.functions)
    if (!fn.isExtern)
      finder.function(fn);
  // Scopes report in name order when they close; readers want source order.
  std::sort(finder.Diags.begin(), finder.Diags.end(),
            [](const kiln::Diagnostic &a, const kiln::Diagnostic &b) {
              return a.loc.line < b.loc.line ||
                     (a.loc.line == b.loc.line && a.loc.col < b.loc.col);
            });
  return std::move(finder.Diags);
}

} // namespace ember
