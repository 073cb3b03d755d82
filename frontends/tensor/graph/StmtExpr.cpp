// StmtExpr: a graph statement's expression through the kernel parser and
// sema, as the body of a synthetic kernel (see StmtExpr.h).
#include "StmtExpr.h"

#include "tensor/syntax/Lexer.h"
#include "tensor/syntax/Limits.h"
#include "tensor/syntax/Parser.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

namespace kiln::tensor::graph {

namespace {

constexpr const char *kMixed =
    "a statement cannot mix a whole-array reduction with array values; "
    "give the reduction its own statement, e.g. m = mean(y); d = y - m";

/// The synthetic kernel's parameters: the values in scope that the text
/// names (so a long graph stays under the kernel parameter limit).
std::vector<unsigned> usedScope(const Graph &g, const StmtText &stmt) {
  std::set<std::string> idents;
  for (const syntax::Token &t : syntax::lex(stmt.text))
    if (t.kind == syntax::Tok::Ident)
      idents.insert(t.text);
  std::vector<unsigned> used;
  for (const std::string &name : idents)
    if (auto it = stmt.scope->find(name); it != stmt.scope->end())
      used.push_back(it->second);
  std::sort(used.begin(), used.end()); // in the order of definition
  return used;
}

/// Synthetic line 2 is the statement's first line: columns are kept.
SourceLoc mapLoc(SourceLoc loc, const StmtText &stmt) {
  if (loc.line < 2)
    return stmt.start;
  return {loc.line + stmt.start.line - 2, loc.col};
}

/// A copy of `e` with source locations and parameter indices mapped.
ExprRef remap(const ExprRef &e, const StmtText &stmt,
              const std::vector<unsigned> &params,
              std::unordered_map<const Expr *, ExprRef> &memo) {
  if (auto it = memo.find(e.get()); it != memo.end())
    return it->second;
  auto n = std::make_shared<Expr>(*e);
  n->loc = mapLoc(e->loc, stmt);
  if (e->kind == ExprKind::Param)
    n->param = params[e->param];
  for (ExprRef &c : n->children)
    c = remap(c, stmt, params, memo);
  memo[e.get()] = n;
  return n;
}

bool mentions(const std::vector<Diag> &errors, std::string_view text) {
  for (const Diag &d : errors)
    if (d.message.find(text) != std::string::npos)
      return true;
  return false;
}

/// A kernel-parser message in a statement's words: the statement is the
/// body of a synthetic kernel, and its end (`;`) is that kernel's end.
void statementWording(Diag &d) {
  static const std::pair<const char *, const char *> kWords[] = {
      {"or the next 'kernel'", "or ';'"},
      {"found end of file", "found ';'"},
      {"kernel '__stmt' returns a scalar: its body needs",
       "this statement needs"},
      {"in one kernel; compute it in a separate kernel",
       "in one statement; give it its own statement"},
      {"as the kernel's result", "as the statement's value"}};
  for (const auto &[from, to] : kWords)
    if (size_t at = d.message.find(from); at != std::string::npos)
      d.message.replace(at, std::strlen(from), to);
}

/// The errors worth showing from a failed typing attempt: the declared
/// result type was a guess, so mismatches with it are not the user's.
std::vector<Diag> userErrors(std::vector<Diag> errors) {
  std::vector<Diag> kept;
  for (Diag &d : errors) {
    if (d.message.find("is declared to return") != std::string::npos)
      continue;
    if (d.message.find("but its body is elementwise") != std::string::npos)
      d.message = kMixed;
    kept.push_back(std::move(d));
  }
  return kept;
}

/// Types `k` as an array statement, then as a scalar (reduction) one, with
/// each result dtype in turn: sema checks a declared result, and a
/// statement has none. The first fit is the statement's type.
std::optional<ExprRef> typeAnyResult(const Kernel &k,
                                     std::vector<Diag> &errors) {
  const DType order[] = {DType::F64, DType::F32, DType::I64, DType::I32,
                         DType::Bool};
  std::vector<Diag> first[2];
  for (int scalar = 0; scalar < 2; ++scalar)
    for (DType t : order) {
      Kernel tryK = k;
      tryK.resultIsArray = scalar == 0;
      tryK.resultType = t;
      std::vector<Diag> e = typeCheck(tryK);
      if (e.empty())
        return tryK.body;
      if (t == DType::F64)
        first[scalar] = std::move(e);
    }
  bool reduces = mentions(first[0], "cannot be mixed with elementwise");
  std::vector<Diag> shown = userErrors(first[reduces ? 1 : 0]);
  if (shown.empty())
    shown.push_back({k.body->loc, kMixed, Severity::Error, ErrorKind::Type});
  errors.insert(errors.end(), shown.begin(), shown.end());
  return std::nullopt;
}

} // namespace

std::optional<ExprRef> parseStmtExpr(const Graph &g, const StmtText &stmt,
                                     std::vector<Diag> &errors) {
  std::vector<unsigned> params = usedScope(g, stmt);
  if (params.size() > syntax::kMaxParams) { // else "kernel '__stmt' has ..."
    errors.push_back({stmt.start,
                      "a statement reads at most " +
                          std::to_string(syntax::kMaxParams) +
                          " values, this one " + std::to_string(params.size()) +
                          "; split it into several statements",
                      Severity::Error, ErrorKind::Type});
    return std::nullopt;
  }
  std::string text = "kernel __stmt(";
  for (size_t i = 0; i < params.size(); ++i) {
    const GraphValue &v = g.values[params[i]];
    text += (i ? ", " : "") + v.name + ": " + dtypeName(v.type) +
            (v.isArray ? "[]" : "");
  }
  text += ") -> f64 =\n" + std::string(stmt.start.col - 1, ' ');
  text += stmt.text;
  Program parsed;
  std::vector<Diag> parseErrors;
  syntax::parse(text, parsed, parseErrors);
  for (Diag &d : parseErrors) {
    d.loc = mapLoc(d.loc, stmt);
    d.kind = ErrorKind::Parse;
    statementWording(d);
  }
  if (!parseErrors.empty() || parsed.kernels.size() != 1) {
    if (parseErrors.empty())
      parseErrors.push_back({stmt.start, "expected an expression"});
    errors.insert(errors.end(), parseErrors.begin(), parseErrors.end());
    return std::nullopt;
  }
  std::vector<Diag> typeErrors;
  auto typed = typeAnyResult(parsed.kernels[0], typeErrors);
  for (Diag &d : typeErrors) {
    d.loc = mapLoc(d.loc, stmt);
    statementWording(d);
  }
  errors.insert(errors.end(), typeErrors.begin(), typeErrors.end());
  if (!typed)
    return std::nullopt;
  std::unordered_map<const Expr *, ExprRef> memo;
  return remap(*typed, stmt, params, memo);
}

} // namespace kiln::tensor::graph
