// Ast: the tree the parser builds, with a location on every node.
//
// Two families, expressions (which have a value) and statements (which do
// something), each a base class with a Kind tag and one subclass per kind.
// The tag plus `classof` gives LLVM-style RTTI (Casting.h): passes switch on
// kind() or ask dyn_cast<CallExpr>(e) instead of using virtual visitors or
// C++'s dynamic_cast. Nodes own their children through unique_ptr.
#pragma once

#include "kiln/support/Diagnostic.h"

#include <memory>
#include <string>
#include <vector>

namespace ember {

// [tutorial:expr-base]
class Expr {
public:
  enum class Kind { Number, Variable, Unary, Binary, Call };
  Expr(Kind kind, kiln::SourceLoc loc) : K(kind), Loc(loc) {}
  virtual ~Expr() = default;
  Kind kind() const { return K; }
  kiln::SourceLoc loc() const { return Loc; }

private:
  const Kind K;
  kiln::SourceLoc Loc;
};
using ExprPtr = std::unique_ptr<Expr>;
// [/tutorial]

// [tutorial:expr-number]
struct NumberExpr : Expr {
  double value;
  NumberExpr(kiln::SourceLoc loc, double value)
      : Expr(Kind::Number, loc), value(value) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Number; }
};
// [/tutorial]

struct VariableExpr : Expr {
  std::string name;
  VariableExpr(kiln::SourceLoc loc, std::string name)
      : Expr(Kind::Variable, loc), name(std::move(name)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Variable; }
};

/// `-operand`, Ember's only unary operator.
struct UnaryExpr : Expr {
  ExprPtr operand;
  UnaryExpr(kiln::SourceLoc loc, ExprPtr operand)
      : Expr(Kind::Unary, loc), operand(std::move(operand)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Unary; }
};

/// The operators of Operators.def.
enum class BinOp {
#define EMBER_BINOP(kind, spelling, precedence) kind,
#include "Operators.def"
};
const char *binOpSpelling(BinOp op);

struct BinaryExpr : Expr {
  BinOp op;
  ExprPtr lhs, rhs;
  BinaryExpr(kiln::SourceLoc loc, BinOp op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, loc), op(op), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Binary; }
};

struct CallExpr : Expr {
  std::string callee;
  std::vector<ExprPtr> args;
  CallExpr(kiln::SourceLoc loc, std::string callee, std::vector<ExprPtr> args)
      : Expr(Kind::Call, loc), callee(std::move(callee)),
        args(std::move(args)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Call; }
};

class Stmt {
public:
  enum class Kind { Var, Assign, If, While, For, Return, ExprStmt };
  Stmt(Kind kind, kiln::SourceLoc loc) : K(kind), Loc(loc) {}
  virtual ~Stmt() = default;
  Kind kind() const { return K; }
  kiln::SourceLoc loc() const { return Loc; }

private:
  const Kind K;
  kiln::SourceLoc Loc;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

/// `var name = init;` and `name = value;` share a shape.
struct VarStmt : Stmt {
  std::string name;
  ExprPtr value;
  VarStmt(Kind kind, kiln::SourceLoc loc, std::string name, ExprPtr value)
      : Stmt(kind, loc), name(std::move(name)), value(std::move(value)) {}
  static bool classof(const Stmt *s) {
    return s->kind() == Kind::Var || s->kind() == Kind::Assign;
  }
};

struct IfStmt : Stmt {
  ExprPtr cond;
  Block thenBody, elseBody; // `else if` is an else block holding one if
  IfStmt(kiln::SourceLoc loc, ExprPtr cond, Block thenBody, Block elseBody)
      : Stmt(Kind::If, loc), cond(std::move(cond)),
        thenBody(std::move(thenBody)), elseBody(std::move(elseBody)) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::If; }
};

struct WhileStmt : Stmt {
  ExprPtr cond;
  Block body;
  WhileStmt(kiln::SourceLoc loc, ExprPtr cond, Block body)
      : Stmt(Kind::While, loc), cond(std::move(cond)), body(std::move(body)) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::While; }
};

/// `for var in start .. end { body }`: var takes start, start+1, ... < end.
struct ForStmt : Stmt {
  std::string var;
  ExprPtr start, end;
  Block body;
  ForStmt(kiln::SourceLoc loc, std::string var, ExprPtr start, ExprPtr end,
          Block body)
      : Stmt(Kind::For, loc), var(std::move(var)), start(std::move(start)),
        end(std::move(end)), body(std::move(body)) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::For; }
};

/// `return value;` and `expr;` share a shape too.
struct ExprStmt : Stmt {
  ExprPtr value;
  ExprStmt(Kind kind, kiln::SourceLoc loc, ExprPtr value)
      : Stmt(kind, loc), value(std::move(value)) {}
  static bool classof(const Stmt *s) {
    return s->kind() == Kind::Return || s->kind() == Kind::ExprStmt;
  }
};

// [tutorial:function-decl]
/// `extern name(params);` (no body) or `def name(params) { body }`.
struct Function {
  kiln::SourceLoc loc;
  std::string name;
  std::vector<std::string> params;
  bool isExtern = false;
  Block body;
};

struct Program {
  std::vector<Function> functions; // in source order
};
// [/tutorial]

} // namespace ember
