// GraphParser: source files with kernels and graphs — the graph grammar,
// and the split that leaves kernels to the kernel parser.
//
//   file  ::= (kernel | graph)*
//   graph ::= 'graph' ident '(' (param (',' param)*)? ')' '{' stmt*
//             'return' ident (',' ident)* ';'? '}'
//   stmt  ::= ident '=' expr ';'
//           | ident (',' ident)* '=' 'grad' '(' ident ',' '[' ident
//             (',' ident)* ']' ')' ';'
//
// Graphs are cut out of the text (replaced by blanks, so every location
// stays put) and the rest goes to parseProgram; each statement's
// expression goes to the kernel parser through StmtExpr.
#include "StmtExpr.h"

#include "tensor/syntax/Lexer.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>

namespace kiln::tensor {

using syntax::Tok;
using syntax::Token;

namespace {

bool isWord(const Token &t, const char *w) {
  return t.kind == Tok::Ident && t.text == w;
}
/// `{` and `}` are not kernel tokens: the lexer calls them Tok::Bad.
bool isSym(const Token &t, const char *s) {
  return (t.kind == Tok::Punct || t.kind == Tok::Bad) && t.text == s;
}

std::optional<DType> dtypeNamed(const std::string &s) {
  for (DType t : {DType::Bool, DType::I32, DType::I64, DType::F32, DType::F64})
    if (s == dtypeName(t))
      return t;
  return std::nullopt;
}

/// Byte offsets of line starts, for cutting text at token locations.
struct Lines {
  std::vector<size_t> starts{0, 0};
  explicit Lines(std::string_view src) {
    if (src.substr(0, 3) == "\xEF\xBB\xBF")
      starts[1] = 3;
    for (size_t i = 0; i < src.size(); ++i)
      if (src[i] == '\n')
        starts.push_back(i + 1);
  }
  size_t at(SourceLoc loc) const { return starts[loc.line] + loc.col - 1; }
};

class GraphParser {
public:
  GraphParser(std::string_view src, const std::vector<Token> &toks,
              std::vector<Diag> &errors)
      : Src(src), L(src), Toks(toks), Errors(errors) {}

  /// graph at Toks[pos] (on 'graph'); true with `out` filled.
  bool graph(size_t pos, Graph &out) {
    Pos = pos + 1;
    G = &out;
    if (!name(out.name, "a graph name"))
      return false;
    out.loc = Toks[pos].loc;
    if (!expect("(", "after the graph name") || !params() ||
        !expect("{", "before the graph's statements"))
      return false;
    while (!isWord(cur(), "return"))
      if (!stmt())
        return false;
    ++Pos;
    do {
      auto v = lookup("'return' takes the names of values");
      if (!v)
        return false;
      out.results.push_back(*v);
    } while (accept(","));
    accept(";");
    return expect("}", "after the return list");
  }

private:
  std::string_view Src;
  Lines L;
  const std::vector<Token> &Toks;
  std::vector<Diag> &Errors;
  size_t Pos = 0;
  Graph *G = nullptr;
  /// G's values by name: a graph of many statements looks names up in
  /// constant time (a scan per statement made parsing quadratic).
  std::unordered_map<std::string, unsigned> ByName;

  const Token &cur() const { return Toks[Pos]; }
  bool fail(SourceLoc loc, std::string message) {
    Errors.push_back(
        {loc, std::move(message), Severity::Error, ErrorKind::Parse});
    return false;
  }
  /// The token at the cursor for a message; bytes that are not printable
  /// ASCII by their value (as the kernel parser does), never raw.
  std::string found() const {
    if (cur().kind == Tok::End)
      return "end of file";
    unsigned char c = cur().text.empty() ? 0 : cur().text[0];
    if (cur().kind != Tok::Bad || (c > 0x20 && c < 0x7f))
      return "'" + cur().text + "'";
    const char *hex = "0123456789abcdef";
    return std::string("byte 0x") + hex[c >> 4] + hex[c & 15] +
           (c >= 0x80 ? " (names and operators are ASCII)" : "");
  }
  bool accept(const char *s) {
    if (!isSym(cur(), s))
      return false;
    ++Pos;
    return true;
  }
  bool expect(const char *s, const char *context) {
    return accept(s) || fail(cur().loc, std::string("expected '") + s + "' " +
                                            context + ", found " + found());
  }
  bool name(std::string &out, const char *what) {
    if (cur().kind != Tok::Ident)
      return fail(cur().loc,
                  std::string("expected ") + what + ", found " + found());
    out = cur().text;
    ++Pos;
    return true;
  }
  /// A new value `name` at `loc`; duplicates are errors.
  bool define(const std::string &n, SourceLoc loc, DType t, bool isArray) {
    if (!ByName.try_emplace(n, unsigned(G->values.size())).second)
      return fail(loc,
                  "'" + n + "' is already defined in graph '" + G->name + "'");
    G->values.push_back({n, t, isArray, loc});
    return true;
  }
  /// The source text of the expression at the cursor, up to the next
  /// `,` `]` `)` `;` or `}` outside brackets, when it is more than a name
  /// ("" for a name, or a name and `[`, left to the usual messages).
  std::string expressionHere() const {
    size_t p = Pos;
    for (int depth = 0; Toks[p].kind != Tok::End; ++p) {
      const Token &t = Toks[p];
      if (depth == 0 && (isSym(t, ",") || isSym(t, "]") || isSym(t, ")") ||
                         isSym(t, ";") || isSym(t, "}")))
        break;
      depth += isSym(t, "(") || isSym(t, "[");
      depth -= isSym(t, ")") || isSym(t, "]");
    }
    if (p <= Pos + 1 || isSym(Toks[Pos + 1], "["))
      return "";
    size_t from = L.at(cur().loc);
    std::string text(Src.substr(from, L.at(Toks[p].loc) - from));
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
      text.pop_back();
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
  }
  /// A value's name at the cursor. `role` (say, "'return' takes the names
  /// of values") makes an expression there an error that says to name it.
  std::optional<unsigned> lookup(const char *role = nullptr) {
    if (std::string e = role ? expressionHere() : ""; !e.empty()) {
      fail(cur().loc, std::string(role) + ", not an expression: name '" + e +
                          "' in a statement first (v = " + e + ";)");
      return std::nullopt;
    }
    SourceLoc loc = cur().loc;
    std::string n;
    if (!name(n, "a value name"))
      return std::nullopt;
    if (auto it = ByName.find(n); it != ByName.end())
      return it->second;
    fail(loc, "unknown name '" + n + "' in graph '" + G->name + "'");
    return std::nullopt;
  }

  /// params ::= (ident ':' dtype ('[' ']')? (',' ...)*)? ')'
  bool params() {
    if (!accept(")")) {
      do {
        std::string n;
        SourceLoc loc = cur().loc;
        if (!name(n, "a parameter name") ||
            !expect(":", "after the parameter name"))
          return false;
        auto t =
            cur().kind == Tok::Ident ? dtypeNamed(cur().text) : std::nullopt;
        if (!t)
          return fail(cur().loc, "expected a dtype (bool, i32, i64, f32, "
                                 "f64) for the parameter, found " +
                                     found());
        ++Pos;
        bool arr = accept("[");
        if ((arr && !expect("]", "after '['")) || !define(n, loc, *t, arr))
          return false;
      } while (accept(","));
      if (!expect(")", "after the parameters"))
        return false;
    }
    G->paramCount = static_cast<unsigned>(G->values.size());
    return true;
  }

  bool stmt();
  bool gradCall(GraphStmt &s,
                const std::vector<std::pair<std::string, SourceLoc>> &names);
};

/// stmt ::= names '=' (expr | grad(...)) ';'
bool GraphParser::stmt() {
  std::vector<std::pair<std::string, SourceLoc>> names;
  do {
    names.push_back({"", cur().loc});
    if (!name(names.back().first, "a statement name or 'return'"))
      return false;
  } while (accept(","));
  if (!expect("=", "after the statement's name"))
    return false;
  GraphStmt s;
  s.loc = names[0].second;
  if (isWord(cur(), "grad") && isSym(Toks[Pos + 1], "("))
    return gradCall(s, names);
  if (names.size() != 1)
    return fail(names[1].second, "only 'grad(...)' defines several names");
  size_t start = Pos;
  int depth = 0;
  while (cur().kind != Tok::End && !(depth == 0 && isSym(cur(), ";")) &&
         !isSym(cur(), "}")) {
    depth += isSym(cur(), "(") || isSym(cur(), "[");
    depth -= isSym(cur(), ")") || isSym(cur(), "]");
    ++Pos;
  }
  if (!isSym(cur(), ";"))
    return fail(cur().loc,
                "expected ';' after the statement, found " + found());
  graph::StmtText text;
  text.start = Toks[start].loc;
  text.text = Src.substr(L.at(text.start), L.at(cur().loc) - L.at(text.start));
  text.scope = &ByName;
  ++Pos;
  auto body = graph::parseStmtExpr(*G, text, Errors);
  if (!body)
    return false;
  s.body = *body;
  s.defines.push_back(static_cast<unsigned>(G->values.size()));
  if (!define(names[0].first, names[0].second, s.body->type, s.body->isArray))
    return false;
  G->stmts.push_back(std::move(s));
  return true;
}

/// grad(of, [w, ...]): one name per w, each w's type.
bool GraphParser::gradCall(
    GraphStmt &s, const std::vector<std::pair<std::string, SourceLoc>> &names) {
  SourceLoc at = cur().loc;
  Pos += 2;
  s.isGrad = true;
  auto of = lookup("'grad' takes the name of the value to differentiate");
  if (!of || !expect(",", "after the value to differentiate") ||
      !expect("[", "before the values to differentiate by"))
    return false;
  s.of = *of;
  do {
    auto w = lookup("'grad' differentiates by a value's name");
    if (!w)
      return false;
    s.wrt.push_back(*w);
  } while (accept(","));
  if (!expect("]", "after the values") || !expect(")", "to close 'grad('") ||
      !expect(";", "after the statement"))
    return false;
  // A copy: define() below appends to G->values, which may move them.
  const GraphValue loss = G->values[s.of];
  if (loss.isArray || !isFloat(loss.type))
    return fail(at, "'grad' differentiates a scalar f32 or f64 value; '" +
                        loss.name + "' is " + dtypeName(loss.type) +
                        (loss.isArray ? "[]" : ""));
  if (names.size() != s.wrt.size())
    return fail(s.loc, "'grad' by " + std::to_string(s.wrt.size()) +
                           " values defines as many names, got " +
                           std::to_string(names.size()));
  for (size_t i = 0; i < names.size(); ++i) {
    const GraphValue w = G->values[s.wrt[i]];
    if (w.type != loss.type)
      return fail(at, "'grad' by '" + w.name + "' (" + dtypeName(w.type) +
                          ") needs the dtype of '" + loss.name + "' (" +
                          dtypeName(loss.type) + ")");
    s.defines.push_back(static_cast<unsigned>(G->values.size()));
    if (!define(names[i].first, names[i].second, w.type, w.isArray))
      return false;
  }
  G->stmts.push_back(std::move(s));
  return true;
}

/// The token after the graph starting at `pos`: past its matching '}'.
size_t graphEnd(const std::vector<Token> &toks, size_t pos) {
  int depth = 0;
  for (; toks[pos].kind != Tok::End; ++pos) {
    if (isSym(toks[pos], "{"))
      ++depth;
    else if (isSym(toks[pos], "}") && --depth == 0)
      return pos + 1;
  }
  return pos;
}

/// Blanks [from, to) of `text` except its newlines.
void blank(std::string &text, size_t from, size_t to) {
  for (size_t i = from; i < to && i < text.size(); ++i)
    if (text[i] != '\n')
      text[i] = ' ';
}

} // namespace

const Graph *GraphProgram::find(std::string_view name) const {
  for (const Graph &g : graphs)
    if (g.name == name)
      return &g;
  return nullptr;
}

GraphParseResult parseGraphProgram(std::string_view source,
                                   std::string_view file) {
  GraphParseResult r;
  std::vector<Token> toks = syntax::lex(source);
  std::string rest(source);
  Lines lines(source);
  bool kernels = false, graphs = false;
  for (size_t i = 0; toks[i].kind != Tok::End;) {
    // `graph NAME (` cannot occur inside a kernel body.
    bool atGraph = isWord(toks[i], "graph") && toks[i + 1].kind == Tok::Ident &&
                   isSym(toks[i + 2], "(");
    if (!atGraph) {
      kernels = kernels || isWord(toks[i], "kernel");
      ++i;
      continue;
    }
    graphs = true;
    size_t end = graphEnd(toks, i);
    Graph g;
    if (GraphParser(source, toks, r.errors).graph(i, g)) {
      if (r.program.find(g.name))
        r.errors.push_back({g.loc, "graph '" + g.name + "' is defined twice",
                            Severity::Error, ErrorKind::Parse});
      else
        r.program.graphs.push_back(std::move(g));
    }
    size_t stop =
        toks[end].kind == Tok::End ? source.size() : lines.at(toks[end].loc);
    blank(rest, lines.at(toks[i].loc), stop);
    i = end;
  }
  // Text left beside graphs is parsed too: stray tokens are errors.
  if (kernels || !graphs || syntax::lex(rest).front().kind != Tok::End) {
    ParseResult k = parseProgram(rest);
    r.program.program = std::move(k.program);
    r.errors.insert(r.errors.end(), k.errors.begin(), k.errors.end());
  }
  std::stable_sort(r.errors.begin(), r.errors.end(),
                   [](const Diag &a, const Diag &b) {
                     return a.loc.line != b.loc.line ? a.loc.line < b.loc.line
                                                     : a.loc.col < b.loc.col;
                   });
  attachSource(r.errors, file, source);
  return r;
}

} // namespace kiln::tensor
