// Printer: a kernel back to source text, fully parenthesised.
//
// The canonical text is the engine's in-memory cache key and lets tests show
// that a builder-made kernel equals its source form.
#include "kiln/tensor/Syntax.h"

#include <cstdio>

namespace kiln::tensor {

namespace {

std::string number(const Expr &e) {
  if (e.numberIsInt)
    return std::to_string(static_cast<long long>(e.number));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", e.number);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s;
}

std::string print(const Kernel &k, const Expr &e) {
  auto kid = [&](size_t i) { return print(k, *e.children[i]); };
  auto args = [&](const char *name) {
    std::string s = std::string(name) + "(";
    for (size_t i = 0; i < e.children.size(); ++i)
      s += (i ? ", " : "") + kid(i);
    return s + ")";
  };
  switch (e.kind) {
  case ExprKind::Param: return k.params[e.param].name;
  case ExprKind::Number:
    return e.number < 0 ? "(" + number(e) + ")" : number(e);
  case ExprKind::Unary: {
    // A run of unary operators in one pair of parentheses (`(! !x)`, not
    // `(!(!x))`): the text must parse back within the nesting limit, which
    // counts each operator once and each parenthesis pair once more.
    std::string s = "(";
    const Expr *inner = &e;
    for (; inner->kind == ExprKind::Unary; inner = inner->children[0].get())
      s += std::string(s.size() > 1 ? " " : "") +
           (inner->unary == UnaryOp::Neg ? "-" : "!");
    return s + print(k, *inner) + ")";
  }
  case ExprKind::Binary:
    return "(" + kid(0) + " " + binaryOpSpelling(e.binary) + " " + kid(1) + ")";
  case ExprKind::MatMul: return "(" + kid(0) + " @ " + kid(1) + ")";
  case ExprKind::Call: return args(builtinName(e.builtin));
  case ExprKind::Cast: return args(dtypeName(e.castTo));
  case ExprKind::Where: return args("where");
  case ExprKind::Reduce: {
    if (!e.hasAxis)
      return args(reduceName(e.reduce));
    std::string s = args(reduceName(e.reduce));
    s.pop_back(); // ")"
    s += ", axis=" + axisText(e);
    return s + (e.keepdims ? ", keepdims)" : ")");
  }
  }
  return "?";
}

std::string typeText(DType t, bool isArray) {
  return std::string(dtypeName(t)) + (isArray ? "[]" : "");
}

} // namespace

std::string printKernel(const Kernel &kernel) {
  std::string s = "kernel " + kernel.name + "(";
  for (size_t i = 0; i < kernel.params.size(); ++i) {
    const Param &p = kernel.params[i];
    s += (i ? ", " : "") + p.name + ": " + typeText(p.type, p.isArray);
  }
  s += ") -> " + typeText(kernel.resultType, kernel.resultIsArray) + " = ";
  return s + (kernel.body ? print(kernel, *kernel.body) : "?");
}

} // namespace kiln::tensor
