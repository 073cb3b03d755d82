// AST: names of types and operators, and the --emit=ast dump.
#include "AST.h"
#include "Lexer.h"

#include <cstdio>

namespace kiln::relay {

const char *typeName(Type t) {
  switch (t) {
  case Type::Unknown: return "unknown";
  case Type::Number: return "number";
  case Type::Bool: return "bool";
  case Type::Array: return "array";
  case Type::String: return "string";
  case Type::Void: return "void";
  }
  return "?";
}

const char *binaryOpSpelling(BinaryOp op) {
  switch (op) {
    // clang-format off
#define RELAY_BINARY(Id, Token, Precedence) case BinaryOp::Id: return tokSpelling(Tok::Token);
#include "relay/syntax/Operators.def"
    // clang-format on
  }
  return "?";
}

BinaryExpr::~BinaryExpr() {
  // Detach each left operand before its parent goes, so freeing a chain of
  // any length takes one frame instead of one per term.
  ExprPtr next = std::move(lhs);
  while (auto *chain = dyn_cast<BinaryExpr>(next.get())) {
    ExprPtr deeper = std::move(chain->lhs);
    next = std::move(deeper);
  }
}

IfStmt::~IfStmt() {
  StmtPtr next = std::move(elseStmt);
  while (auto *chain = dyn_cast<IfStmt>(next.get())) {
    StmtPtr deeper = std::move(chain->elseStmt);
    next = std::move(deeper);
  }
}

namespace {

/// Lines deeper than this are not indented further but carry their depth,
/// so the dump of a long chain grows linearly with it, not quadratically.
constexpr int kMaxIndent = 64;

class Dumper {
public:
  std::string Out;

  void function(const FuncDecl &f) {
    line(0, std::string(f.llvmAttr ? "@llvm " : "") + "fn " + f.name + sig(f) +
                at(f.loc));
    block(*f.body, 1);
  }

private:
  static std::string at(Loc l) {
    return " @" + std::to_string(l.line) + ":" + std::to_string(l.col);
  }
  static std::string typed(const Expr &e) {
    return e.type == Type::Unknown ? "" : std::string(" : ") + typeName(e.type);
  }
  static std::string sig(const FuncDecl &f) {
    std::string s = "(";
    for (size_t i = 0; i < f.params.size(); ++i) {
      Type t =
          i < f.paramTypes.size() ? f.paramTypes[i] : f.params[i].annotation;
      s += (i ? ", " : "") + f.params[i].name +
           (t == Type::Unknown ? "" : std::string(": ") + typeName(t));
    }
    Type r = f.returnType != Type::Unknown ? f.returnType : f.returnAnnotation;
    return s + ")" +
           (r == Type::Unknown ? "" : std::string(" -> ") + typeName(r));
  }
  void line(int depth, const std::string &text) {
    if (depth <= kMaxIndent) {
      Out += std::string(2 * depth, ' ') + text + "\n";
      return;
    }
    Out += std::string(2 * kMaxIndent, ' ') + "<" + std::to_string(depth) +
           "> " + text + "\n";
  }
  void block(const BlockStmt &b, int depth) {
    for (auto &s : b.body)
      stmt(*s, depth);
  }
  void stmt(const Stmt &s, int d);
  void ifChain(const IfStmt &first, int d);
  void expr(const Expr &e, int d);
  void binary(const BinaryExpr &e, int d);
};

void Dumper::stmt(const Stmt &s, int d) {
  if (auto *l = dyn_cast<LetStmt>(&s)) {
    line(d, "let " + l->name + at(s.loc));
    expr(*l->init, d + 1);
  } else if (auto *a = dyn_cast<AssignStmt>(&s)) {
    line(d, "assign" + at(s.loc));
    expr(*a->target, d + 1);
    expr(*a->value, d + 1);
  } else if (auto *e = dyn_cast<ExprStmt>(&s)) {
    expr(*e->expr, d);
  } else if (auto *i = dyn_cast<IfStmt>(&s)) {
    ifChain(*i, d);
  } else if (auto *w = dyn_cast<WhileStmt>(&s)) {
    line(d, "while" + at(s.loc));
    expr(*w->cond, d + 1);
    block(*w->body, d + 1);
  } else if (auto *f = dyn_cast<ForRangeStmt>(&s)) {
    line(d, "for " + f->var + " in range" + at(s.loc));
    expr(*f->start, d + 1);
    expr(*f->end, d + 1);
    block(*f->body, d + 1);
  } else if (auto *f = dyn_cast<ForEachStmt>(&s)) {
    line(d, "for " + f->var + " in array" + at(s.loc));
    expr(*f->array, d + 1);
    block(*f->body, d + 1);
  } else if (isa<BreakStmt>(&s)) {
    line(d, "break" + at(s.loc));
  } else if (isa<ContinueStmt>(&s)) {
    line(d, "continue" + at(s.loc));
  } else if (auto *r = dyn_cast<ReturnStmt>(&s)) {
    line(d, "return" + at(s.loc));
    if (r->value)
      expr(*r->value, d + 1);
  } else if (auto *b = dyn_cast<BlockStmt>(&s)) {
    line(d, "block" + at(s.loc));
    block(*b, d + 1);
  }
}

/// An else-if chain in a loop, each arm one level deeper than the last, as
/// a recursive dump would indent it.
void Dumper::ifChain(const IfStmt &first, int d) {
  for (const IfStmt *i = &first;; ++d) {
    line(d, "if" + at(i->loc));
    expr(*i->cond, d + 1);
    line(d, "then");
    block(*i->thenBlock, d + 1);
    if (!i->elseStmt)
      break;
    line(d, "else");
    auto *next = dyn_cast<IfStmt>(i->elseStmt.get());
    if (!next) {
      stmt(*i->elseStmt, d + 1);
      break;
    }
    i = next;
  }
}

void Dumper::expr(const Expr &e, int d) {
  if (auto *n = dyn_cast<NumberExpr>(&e)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", n->value);
    line(d, std::string("number ") + buf + typed(e));
  } else if (auto *b = dyn_cast<BoolExpr>(&e)) {
    line(d, std::string(b->value ? "true" : "false") + typed(e));
  } else if (auto *s = dyn_cast<StringExpr>(&e)) {
    line(d, "string \"" + s->value + "\"");
  } else if (auto *v = dyn_cast<VarExpr>(&e)) {
    line(d, "var " + v->name + typed(e));
  } else if (auto *a = dyn_cast<ArrayLitExpr>(&e)) {
    line(d, "array literal" + typed(e));
    for (auto &el : a->elements)
      expr(*el, d + 1);
  } else if (auto *i = dyn_cast<IndexExpr>(&e)) {
    line(d, "index" + typed(e) + at(e.loc));
    expr(*i->array, d + 1);
    expr(*i->index, d + 1);
  } else if (auto *u = dyn_cast<UnaryExpr>(&e)) {
    line(d, std::string(u->op == UnaryOp::Neg ? "neg" : "not") + typed(e));
    expr(*u->operand, d + 1);
  } else if (auto *bin = dyn_cast<BinaryExpr>(&e)) {
    binary(*bin, d);
  } else if (auto *c = dyn_cast<CallExpr>(&e)) {
    line(d, "call " + c->callee + typed(e) + at(e.loc));
    for (auto &arg : c->args)
      expr(*arg, d + 1);
  }
}

/// A binary chain in the same order as a recursive dump (each node, then
/// its lhs, then its rhs), with a loop for the left spine.
void Dumper::binary(const BinaryExpr &e, int d) {
  std::vector<const BinaryExpr *> spine = leftSpine(&e);
  for (size_t i = 0; i < spine.size(); ++i)
    line(d + int(i), std::string("binary ") + binaryOpSpelling(spine[i]->op) +
                         typed(*spine[i]));
  expr(*spine.back()->lhs, d + int(spine.size()));
  for (size_t i = spine.size(); i-- > 0;)
    expr(*spine[i]->rhs, d + int(i) + 1);
}

} // namespace

std::string dumpAST(const Program &program) {
  Dumper d;
  for (auto &f : program.functions)
    d.function(*f);
  return d.Out;
}

} // namespace kiln::relay
