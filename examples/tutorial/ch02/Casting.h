// Casting: isa<>, cast<> and dyn_cast<> for Ember's AST, in a dozen lines.
//
// These are the LLVM-style RTTI helpers of llvm/Support/Casting.h, reduced
// to what the AST needs, so that Ember's front end (lexer, parser, checker,
// interpreter) stays free of LLVM, as Kiln's own syntax layers are. A class
// opts in with a `Kind` and a `static bool classof(const Base *)`.
#pragma once

#include <cassert>

namespace ember {

// [tutorial:casting]
template <typename To, typename From> bool isa(const From *node) {
  return To::classof(node);
}

template <typename To, typename From> To *cast(From *node) {
  assert(isa<To>(node) && "cast<> to the wrong kind of node");
  return static_cast<To *>(node);
}

template <typename To, typename From> To *dyn_cast(From *node) {
  return isa<To>(node) ? static_cast<To *>(node) : nullptr;
}

// The same for const nodes: a const Expr * gives a const NumberExpr *.
template <typename To, typename From> const To *cast(const From *node) {
  assert(isa<To>(node) && "cast<> to the wrong kind of node");
  return static_cast<const To *>(node);
}

template <typename To, typename From> const To *dyn_cast(const From *node) {
  return isa<To>(node) ? static_cast<const To *>(node) : nullptr;
}
// [/tutorial]

} // namespace ember
