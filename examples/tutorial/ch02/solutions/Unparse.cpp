// Unparse: prints statements and expressions back as Ember text.
#include "Unparse.h"
#include "Casting.h"

#include <cstdio>

namespace ember {

namespace {

std::string number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

// [tutorial:ex-unparse-expr]
std::string expr(const Expr *e) {
  if (auto *n = dyn_cast<NumberExpr>(e))
    return number(n->value);
  if (auto *v = dyn_cast<VariableExpr>(e))
    return v->name;
  if (auto *u = dyn_cast<UnaryExpr>(e))
    return "-" + expr(u->operand.get());
  if (auto *b = dyn_cast<BinaryExpr>(e))
    return "(" + expr(b->lhs.get()) + " " + binOpSpelling(b->op) + " " +
           expr(b->rhs.get()) + ")";
  auto *c = cast<CallExpr>(e);
  std::string args;
  for (const ExprPtr &arg : c->args)
    args += (args.empty() ? "" : ", ") + expr(arg.get());
  return c->callee + "(" + args + ")";
}
// [/tutorial]

class Printer {
public:
  std::string Out;
  void block(const Block &body, unsigned depth);

private:
  void stmt(const Stmt *s, unsigned depth);
  void line(unsigned depth, const std::string &text) {
    Out += std::string(2 * depth, ' ') + text + "\n";
  }
};

void Printer::block(const Block &body, unsigned depth) {
  for (const StmtPtr &s : body)
    stmt(s.get(), depth);
}

void Printer::stmt(const Stmt *s, unsigned depth) {
  if (auto *v = dyn_cast<VarStmt>(s)) {
    std::string var = s->kind() == Stmt::Kind::Var ? "var " : "";
    line(depth, var + v->name + " = " + expr(v->value.get()) + ";");
  } else if (auto *i = dyn_cast<IfStmt>(s)) {
    line(depth, "if " + expr(i->cond.get()) + " {");
    block(i->thenBody, depth + 1);
    if (!i->elseBody.empty()) {
      line(depth, "} else {");
      block(i->elseBody, depth + 1);
    }
    line(depth, "}");
  } else if (auto *w = dyn_cast<WhileStmt>(s)) {
    line(depth, "while " + expr(w->cond.get()) + " {");
    block(w->body, depth + 1);
    line(depth, "}");
  } else if (auto *f = dyn_cast<ForStmt>(s)) {
    line(depth, "for " + f->var + " in " + expr(f->start.get()) + " .. " +
                    expr(f->end.get()) + " {");
    block(f->body, depth + 1);
    line(depth, "}");
  } else if (auto *e = dyn_cast<ExprStmt>(s)) {
    std::string ret = s->kind() == Stmt::Kind::Return ? "return " : "";
    line(depth, ret + expr(e->value.get()) + ";");
  }
}

} // namespace

std::string unparse(const Program &program) {
  Printer printer;
  for (const Function &fn : program.functions) {
    std::string params;
    for (const std::string &p : fn.params)
      params += (params.empty() ? "" : ", ") + p;
    std::string head = (fn.isExtern ? "extern " : "def ") + fn.name;
    printer.Out += head + "(" + params + (fn.isExtern ? ");\n" : ") {\n");
    if (!fn.isExtern) {
      printer.block(fn.body, 1);
      printer.Out += "}\n";
    }
  }
  return printer.Out;
}

} // namespace ember
