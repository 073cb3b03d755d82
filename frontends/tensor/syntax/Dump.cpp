// Dump: tensor tokens and AST as indented text.
#include "Dump.h"

#include "Lexer.h"

#include <cstdio>

namespace kiln::tensor::syntax {

namespace {

/// Relay's spelling: `identifier x`, `number 2`, `'('`, `end of file`.
std::string tokenText(const Token &t) {
  switch (t.kind) {
  case Tok::Ident: return "identifier " + t.text;
  case Tok::Int:
  case Tok::Float: return "number " + t.text;
  case Tok::Punct: return "'" + t.text + "'";
  case Tok::End: return "end of file";
  case Tok::Bad: return "bad character " + t.text;
  }
  return "?";
}

std::string at(SourceLoc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

std::string typeText(DType type, bool isArray) {
  return std::string(dtypeName(type)) + (isArray ? "[]" : "");
}

/// The node's own part: "Binary *", "Call tanh", "Param a".
std::string label(const Kernel &k, const Expr &e) {
  switch (e.kind) {
  case ExprKind::Param: return "Param " + k.params[e.param].name;
  case ExprKind::Number: {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", e.number);
    return std::string("Number ") + buf;
  }
  case ExprKind::Unary: return e.unary == UnaryOp::Neg ? "Unary -" : "Unary !";
  case ExprKind::Binary:
    return std::string("Binary ") + binaryOpSpelling(e.binary);
  case ExprKind::Call: return std::string("Call ") + builtinName(e.builtin);
  case ExprKind::Cast: return std::string("Cast ") + dtypeName(e.castTo);
  case ExprKind::Where: return "Where";
  case ExprKind::MatMul: return "MatMul @";
  case ExprKind::Reduce:
    return std::string("Reduce ") + reduceName(e.reduce) +
           (e.hasAxis ? " axis=" + axisText(e) : "") +
           (e.keepdims ? " keepdims" : "");
  }
  return "?";
}

void dumpExpr(const Kernel &k, const Expr &e, int depth, std::string &out) {
  out += at(e.loc) + std::string(size_t(depth) * 2, ' ') + " " + label(k, e) +
         " : " + typeText(e.type, e.isArray) + "\n";
  for (const ExprRef &child : e.children)
    if (child) // a damaged tree prints what it has
      dumpExpr(k, *child, depth + 1, out);
}

} // namespace

std::string dumpTokens(std::string_view source) {
  std::string out;
  for (const Token &t : lex(source))
    out += at(t.loc) + " " + tokenText(t) + "\n";
  return out;
}

std::string dumpAST(const Program &program) {
  std::string out;
  for (const Kernel &k : program.kernels) {
    out += at(k.loc) + " Kernel " + k.name + " -> " +
           typeText(k.resultType, k.resultIsArray) + "\n";
    for (const Param &p : k.params)
      out += at(p.loc) + "   Param " + p.name + " : " +
             typeText(p.type, p.isArray) + "\n";
    if (k.body)
      dumpExpr(k, *k.body, 1, out);
  }
  return out;
}

} // namespace kiln::tensor::syntax
