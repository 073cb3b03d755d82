// LoopFacts: what a function body or loop body contains, for the IR
// generator's choices (cheaper guards, which loops to version).
//
// Pure AST walks, no LLVM: the generator asks these questions before it
// emits a loop, so that the answers cannot depend on what it emitted.
#pragma once

#include "../syntax/AST.h"

#include <optional>
#include <vector>

namespace kiln::relay::irgen {

/// What a statement tree contains.
struct BodyFacts {
  bool callsUser = false;         ///< calls a user function
  bool loops = false;             ///< contains a loop
  int loopDepth = 0;              ///< deepest loop nesting (0: no loops)
  std::vector<int> assignedSlots; ///< variables assigned by `x = v`
  /// Variables given a value in the tree: assigned, or declared there (by
  /// `let` or as a loop variable), so different from one iteration to the
  /// next.
  std::vector<int> writtenSlots;
  /// Every `x = v`, with the loop nesting it sits at (0: not in a loop of
  /// the walked tree).
  std::vector<std::pair<const AssignStmt *, int>> assigns;
  /// A `continue` of the walked loop itself (not of a loop nested in it).
  bool continues = false;

  /// Variables declared in the tree (by `let` or as a loop variable).
  std::vector<int> declaredSlots;

  void stmt(const Stmt *s);
  void expr(const Expr *e);
  /// True when an iteration computes a number from the previous one's: a
  /// variable declared outside the walked tree is assigned, outside nested
  /// loops, a value that reads it (`s = s + a[i]`). Without fast-math such
  /// a loop cannot be vectorized.
  bool carriesNumber() const;

private:
  void loopBody(const Stmt *body);
  /// A `let` or a loop variable: written and declared in the tree.
  void declares(int slot);
  void assign(const AssignStmt &a);
  void ifChain(const IfStmt *i);
  int depth = 0;
};

/// True when evaluating `e` has no effect and cannot fail (literals,
/// variables, arithmetic, comparisons and the math builtins on those), so
/// it may run even where its value is not needed: `a && b` with such a b
/// needs no branch. (A chain of 20,000 branches costs the optimiser
/// minutes; the same chain of `and`s, milliseconds.)
bool speculatable(const Expr *e);

/// A `while v OP e { ... v = v ± k ... }` whose variable can run on an
/// integer counter (see FunctionGen::emitWhile): OP one of < <= > >= (with
/// v on the left after normalising `e > v` to `v < e`), e and k built from
/// numbers, variables the body never writes and pure arithmetic, and the
/// one assignment of v in the body outside any loop nested in it.
struct CountedWhile {
  const VarExpr *var;     ///< v
  BinaryOp op;            ///< Lt, Le, Gt or Ge, v on the left
  const Expr *bound;      ///< e
  const AssignStmt *step; ///< the assignment `v = v + k` (or k + v, v - k)
  const Expr *stepValue;  ///< k
  bool negated;           ///< `v - k`: the step is -k
  /// Every iteration that goes on steps v exactly once: the step is a
  /// statement of the body itself and the body has no `continue`.
  bool everyIteration;
  /// Whether v grows (< <=) or shrinks (> >=) toward the bound.
  bool upward() const { return op == BinaryOp::Lt || op == BinaryOp::Le; }
};

/// The counted form of `s`, if it has one (`facts` describes its body).
std::optional<CountedWhile> countedWhile(const WhileStmt &s,
                                         const BodyFacts &facts);

} // namespace kiln::relay::irgen
