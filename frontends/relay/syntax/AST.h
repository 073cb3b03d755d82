// AST: Relay's syntax tree. Every node carries its source location; node
// kinds use LLVM-style RTTI (a Kind enum + classof, then isa/dyn_cast from
// this header, so the syntax layer needs no LLVM).
//
// The parser fills in the syntax; Sema fills in the fields marked "(sema)":
// types, variable slots and call targets. The interpreter and IR generator
// read only annotated trees.
#pragma once

#include "kiln/support/Diagnostic.h"
#include "relay/syntax/Builtins.h"

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::relay {

/// A source position (1-based line and column; line 0 = unknown).
using Loc = kiln::SourceLoc;

/// Relay's value types. Strings exist only as literal arguments of print.
enum class Type : uint8_t { Unknown, Number, Bool, Array, String, Void };
const char *typeName(Type t); ///< "number", "bool", "array", "string", "void"

// ---- LLVM-style RTTI without LLVM -----------------------------------------
template <typename To, typename From> bool isa(const From *node) {
  return To::classof(node);
}
template <typename To, typename From> To *dyn_cast(From *node) {
  return node && To::classof(node) ? static_cast<To *>(node) : nullptr;
}
template <typename To, typename From> const To *dyn_cast(const From *node) {
  return node && To::classof(node) ? static_cast<const To *>(node) : nullptr;
}
template <typename To, typename From> To *cast(From *node) {
  assert(To::classof(node) && "cast to the wrong node kind");
  return static_cast<To *>(node);
}
template <typename To, typename From> const To *cast(const From *node) {
  assert(To::classof(node) && "cast to the wrong node kind");
  return static_cast<const To *>(node);
}

// ---- Expressions ------------------------------------------------------------
struct Expr {
  enum class Kind {
    Number,
    Bool,
    String,
    Var,
    ArrayLit,
    Index,
    Unary,
    Binary,
    Call
  };
  const Kind kind;
  Loc loc;
  Type type = Type::Unknown; ///< (sema)
  Expr(Kind k, Loc l) : kind(k), loc(l) {}
  virtual ~Expr() = default;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberExpr : Expr {
  double value;
  NumberExpr(Loc l, double v) : Expr(Kind::Number, l), value(v) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Number; }
};

struct BoolExpr : Expr {
  bool value;
  BoolExpr(Loc l, bool v) : Expr(Kind::Bool, l), value(v) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Bool; }
};

struct StringExpr : Expr {
  std::string value; ///< escapes already decoded
  StringExpr(Loc l, std::string v)
      : Expr(Kind::String, l), value(std::move(v)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::String; }
};

struct VarExpr : Expr {
  std::string name;
  int slot = -1; ///< (sema) index into the enclosing function's frame
  VarExpr(Loc l, std::string n) : Expr(Kind::Var, l), name(std::move(n)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Var; }
};

struct ArrayLitExpr : Expr {
  std::vector<ExprPtr> elements; ///< numbers
  ArrayLitExpr(Loc l) : Expr(Kind::ArrayLit, l) {}
  static bool classof(const Expr *e) { return e->kind == Kind::ArrayLit; }
};

/// array[index]; loc is the '[' token.
struct IndexExpr : Expr {
  ExprPtr array, index;
  IndexExpr(Loc l, ExprPtr a, ExprPtr i)
      : Expr(Kind::Index, l), array(std::move(a)), index(std::move(i)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Index; }
};

enum class UnaryOp { Neg, Not };
struct UnaryExpr : Expr {
  UnaryOp op;
  ExprPtr operand;
  UnaryExpr(Loc l, UnaryOp o, ExprPtr e)
      : Expr(Kind::Unary, l), op(o), operand(std::move(e)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Unary; }
};

/// Binary operators, in Operators.def's order.
enum class BinaryOp {
#define RELAY_BINARY(Id, Token, Precedence) Id,
#include "relay/syntax/Operators.def"
};
const char *binaryOpSpelling(BinaryOp op); ///< "+", "&&", ...
/// loc is the operator token. And/Or short-circuit.
///
/// Operators are left-associative, so `1 + 1 + ... + 1` is a chain down the
/// left operands as long as the source (generated code may have thousands
/// of terms). Everything that walks expressions goes up such a chain in a
/// loop (see leftSpine) and only recurses into right operands and other
/// nested nodes, whose depth the parser bounds (kMaxNesting).
struct BinaryExpr : Expr {
  BinaryOp op;
  ExprPtr lhs, rhs;
  BinaryExpr(Loc l, BinaryOp o, ExprPtr a, ExprPtr b)
      : Expr(Kind::Binary, l), op(o), lhs(std::move(a)), rhs(std::move(b)) {}
  ~BinaryExpr() override; ///< frees a left chain in a loop, not recursively
  static bool classof(const Expr *e) { return e->kind == Kind::Binary; }
};

/// The left spine of a binary chain, `top` first: top, top->lhs,
/// top->lhs->lhs, ... while the left operand is binary. A walker evaluates
/// the deepest node's lhs, then goes up the spine combining each node's rhs.
template <typename B> std::vector<B *> leftSpine(B *top) {
  std::vector<B *> spine{top};
  while (auto *next = dyn_cast<BinaryExpr>(spine.back()->lhs.get()))
    spine.push_back(next);
  return spine;
}

struct FuncDecl;
/// callee(args...); loc is the callee name.
struct CallExpr : Expr {
  std::string callee;
  std::vector<ExprPtr> args;
  Builtin builtin = Builtin::None; ///< (sema) which builtin, if any
  FuncDecl *target = nullptr;      ///< (sema) the user function called
  CallExpr(Loc l, std::string c) : Expr(Kind::Call, l), callee(std::move(c)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Call; }
};

// ---- Statements -------------------------------------------------------------
struct Stmt {
  enum class Kind {
    Let,
    Assign,
    ExprStmt,
    If,
    While,
    ForRange,
    ForEach,
    Break,
    Continue,
    Return,
    Block
  };
  const Kind kind;
  Loc loc;
  Stmt(Kind k, Loc l) : kind(k), loc(l) {}
  virtual ~Stmt() = default;
};
using StmtPtr = std::unique_ptr<Stmt>;

struct BlockStmt : Stmt {
  std::vector<StmtPtr> body;
  Loc end; ///< the closing '}'
  BlockStmt(Loc l) : Stmt(Kind::Block, l) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Block; }
};

/// let name = init; declares a new slot (block scoped, may shadow).
struct LetStmt : Stmt {
  std::string name;
  ExprPtr init;
  int slot = -1; ///< (sema)
  LetStmt(Loc l, std::string n, ExprPtr i)
      : Stmt(Kind::Let, l), name(std::move(n)), init(std::move(i)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Let; }
};

/// target = value; target is a VarExpr or an IndexExpr.
struct AssignStmt : Stmt {
  ExprPtr target, value;
  AssignStmt(Loc l, ExprPtr t, ExprPtr v)
      : Stmt(Kind::Assign, l), target(std::move(t)), value(std::move(v)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Assign; }
};

struct ExprStmt : Stmt {
  ExprPtr expr;
  ExprStmt(Loc l, ExprPtr e) : Stmt(Kind::ExprStmt, l), expr(std::move(e)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::ExprStmt; }
};

/// if cond {then} [else (IfStmt | BlockStmt)]
///
/// An `else if` chain is as long as the source (generated dispatch code may
/// have thousands of arms); walkers follow elseStmt in a loop.
struct IfStmt : Stmt {
  ExprPtr cond;
  std::unique_ptr<BlockStmt> thenBlock;
  StmtPtr elseStmt; ///< null, a BlockStmt, or an IfStmt (else if)
  IfStmt(Loc l) : Stmt(Kind::If, l) {}
  ~IfStmt() override; ///< frees an else-if chain in a loop
  static bool classof(const Stmt *s) { return s->kind == Kind::If; }
};

struct WhileStmt : Stmt {
  ExprPtr cond;
  std::unique_ptr<BlockStmt> body;
  WhileStmt(Loc l) : Stmt(Kind::While, l) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::While; }
};

/// for var in start..end { body }: var = start, start+1, ... while var < end.
/// `end` is evaluated once, before the first iteration. Assigning to var in
/// the body does not change the iteration (the counter is separate).
struct ForRangeStmt : Stmt {
  std::string var;
  ExprPtr start, end;
  std::unique_ptr<BlockStmt> body;
  int slot = -1; ///< (sema) the loop variable's slot
  ForRangeStmt(Loc l) : Stmt(Kind::ForRange, l) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::ForRange; }
};

/// for var in array { body }: index 0, 1, ... while index < len(array),
/// the length re-read before every iteration (pushes extend the loop).
struct ForEachStmt : Stmt {
  std::string var;
  ExprPtr array;
  std::unique_ptr<BlockStmt> body;
  int slot = -1; ///< (sema)
  ForEachStmt(Loc l) : Stmt(Kind::ForEach, l) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::ForEach; }
};

struct BreakStmt : Stmt {
  BreakStmt(Loc l) : Stmt(Kind::Break, l) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Break; }
};
struct ContinueStmt : Stmt {
  ContinueStmt(Loc l) : Stmt(Kind::Continue, l) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Continue; }
};
struct ReturnStmt : Stmt {
  ExprPtr value; ///< may be null
  ReturnStmt(Loc l, ExprPtr v) : Stmt(Kind::Return, l), value(std::move(v)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Return; }
};

// ---- Functions and programs -------------------------------------------------
struct Param {
  std::string name;
  Type annotation = Type::Unknown; ///< Unknown when not written
  Loc loc;
};

struct FuncDecl {
  std::string name;
  std::vector<Param> params;
  Type returnAnnotation = Type::Unknown;
  std::unique_ptr<BlockStmt> body;
  bool llvmAttr = false; ///< marked @llvm
  Loc loc;               ///< the name
  // (sema)
  std::vector<Type> paramTypes;    ///< final types; params occupy slots 0..n-1
  Type returnType = Type::Unknown; ///< Void when no `return value`
  std::vector<Type> slotTypes;     ///< type of every frame slot
  int index = -1;                  ///< position in Program::functions
};

/// A whole program: functions (visible everywhere) and the top-level
/// statements, which sema wraps into the function `main` (returns Void, no
/// params); main is the last entry of `functions`. Top-level variables are
/// main's locals and are not visible inside other functions.
struct Program {
  std::string file; ///< for diagnostics
  std::string source;
  std::vector<std::unique_ptr<FuncDecl>> functions;
  FuncDecl *main = nullptr; ///< (sema)
};

/// Renders the tree as an indented S-expression-like listing (--emit=ast).
std::string dumpAST(const Program &program);

} // namespace kiln::relay
