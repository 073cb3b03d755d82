// AstDump: prints the AST, switching on node kinds with dyn_cast.
#include "AstDump.h"
#include "Casting.h"

#include <cstdio>

namespace ember {

namespace {

class Dumper {
public:
  std::string Out;
  void function(const Function &fn);

private:
  void line(unsigned depth, const std::string &text, kiln::SourceLoc loc);
  void block(unsigned depth, const char *label, const Block &body);
  void stmt(unsigned depth, const Stmt *s);
  void expr(unsigned depth, const Expr *e);
};

void Dumper::line(unsigned depth, const std::string &text,
                  kiln::SourceLoc loc) {
  Out += std::string(2 * depth, ' ') + text;
  if (loc.known())
    Out += " @" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
  Out += "\n";
}

std::string joined(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

void Dumper::function(const Function &fn) {
  std::string head = fn.isExtern ? "Extern " : "Function ";
  line(0, head + fn.name + "(" + joined(fn.params) + ")", fn.loc);
  for (const StmtPtr &s : fn.body)
    stmt(1, s.get());
}

void Dumper::block(unsigned depth, const char *label, const Block &body) {
  line(depth, label, {});
  for (const StmtPtr &s : body)
    stmt(depth + 1, s.get());
}

// [tutorial:dump-stmt]
void Dumper::stmt(unsigned depth, const Stmt *s) {
  if (auto *v = dyn_cast<VarStmt>(s)) {
    std::string what = s->kind() == Stmt::Kind::Var ? "Var " : "Assign ";
    line(depth, what + v->name, s->loc());
    expr(depth + 1, v->value.get());
  } else if (auto *i = dyn_cast<IfStmt>(s)) {
    line(depth, "If", s->loc());
    expr(depth + 1, i->cond.get());
    block(depth + 1, "Then", i->thenBody);
    if (!i->elseBody.empty())
      block(depth + 1, "Else", i->elseBody);
  } else if (auto *w = dyn_cast<WhileStmt>(s)) {
    line(depth, "While", s->loc());
    expr(depth + 1, w->cond.get());
    block(depth + 1, "Do", w->body);
  } else if (auto *f = dyn_cast<ForStmt>(s)) {
    line(depth, "For " + f->var, s->loc());
    expr(depth + 1, f->start.get());
    expr(depth + 1, f->end.get());
    block(depth + 1, "Do", f->body);
  } else if (auto *e = dyn_cast<ExprStmt>(s)) {
    line(depth, s->kind() == Stmt::Kind::Return ? "Return" : "Expr", s->loc());
    expr(depth + 1, e->value.get());
  }
}
// [/tutorial]

std::string numberText(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

void Dumper::expr(unsigned depth, const Expr *e) {
  if (auto *n = dyn_cast<NumberExpr>(e)) {
    line(depth, "Number " + numberText(n->value), e->loc());
  } else if (auto *v = dyn_cast<VariableExpr>(e)) {
    line(depth, "Variable " + v->name, e->loc());
  } else if (auto *u = dyn_cast<UnaryExpr>(e)) {
    line(depth, "Negate", e->loc());
    expr(depth + 1, u->operand.get());
  } else if (auto *b = dyn_cast<BinaryExpr>(e)) {
    line(depth, std::string("Binary '") + binOpSpelling(b->op) + "'", e->loc());
    expr(depth + 1, b->lhs.get());
    expr(depth + 1, b->rhs.get());
  } else if (auto *c = dyn_cast<CallExpr>(e)) {
    line(depth, "Call " + c->callee, e->loc());
    for (const ExprPtr &arg : c->args)
      expr(depth + 1, arg.get());
  }
}

} // namespace

std::string dumpProgram(const Program &program) {
  Dumper dumper;
  for (const Function &fn : program.functions)
    dumper.function(fn);
  return dumper.Out;
}

} // namespace ember
