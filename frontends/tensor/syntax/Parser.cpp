// Parser: the tensor kernel grammar, precedence climbing by levels.
//
//   program ::= kernel*
//   kernel  ::= 'kernel' ident '(' (param (',' param)*)? ')' '->' type '='
//               expr ';'?
//   param   ::= ident ':' type
//   type    ::= dtype ('[' ']')?
#include "Parser.h"
#include "Lexer.h"

#include <cmath>
#include <optional>

namespace kiln::tensor::syntax {

namespace {

std::optional<DType> dtypeFromName(const std::string &s) {
  if (s == "bool") return DType::Bool;
  if (s == "i32") return DType::I32;
  if (s == "i64") return DType::I64;
  if (s == "f32") return DType::F32;
  if (s == "f64") return DType::F64;
  return std::nullopt;
}

std::optional<Builtin> builtinFromName(const std::string &s) {
  for (int k = 0; k <= static_cast<int>(Builtin::Clamp); ++k)
    if (s == builtinName(static_cast<Builtin>(k)))
      return static_cast<Builtin>(k);
  return std::nullopt;
}

std::optional<ReduceOp> reduceFromName(const std::string &s) {
  for (int k = 0; k <= static_cast<int>(ReduceOp::Mean); ++k)
    if (s == reduceName(static_cast<ReduceOp>(k)))
      return static_cast<ReduceOp>(k);
  return std::nullopt;
}

std::shared_ptr<Expr> node(ExprKind kind, SourceLoc loc,
                           std::vector<ExprRef> children = {}) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->loc = loc;
  e->children = std::move(children);
  return e;
}

std::string plural(size_t n, const char *word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

class Parser {
public:
  Parser(std::string_view source, std::vector<Diag> &errors)
      : Toks(lex(source)), Errors(errors) {}

  void program(Program &out) {
    while (cur().kind != Tok::End) {
      Failed = false;
      Kernel k;
      if (kernel(k))
        out.kernels.push_back(std::move(k));
      else
        recover();
    }
  }

private:
  std::vector<Token> Toks;
  size_t Pos = 0;
  std::vector<Diag> &Errors;
  bool Failed = false;
  const Kernel *Current = nullptr;

  const Token &cur() const { return Toks[Pos]; }
  bool isPunct(const char *s) const {
    return cur().kind == Tok::Punct && cur().text == s;
  }
  bool accept(const char *s) {
    if (!isPunct(s))
      return false;
    ++Pos;
    return true;
  }
  std::string describe(const Token &t) const {
    switch (t.kind) {
    case Tok::End: return "end of file";
    case Tok::Bad: return "unexpected character '" + t.text + "'";
    default: return "'" + t.text + "'";
    }
  }
  std::nullptr_t error(SourceLoc loc, std::string message) {
    if (!Failed)
      Errors.push_back({loc, std::move(message)});
    Failed = true;
    return nullptr;
  }
  bool expect(const char *s, const char *context) {
    if (accept(s))
      return true;
    error(cur().loc, std::string("expected '") + s + "' " + context +
                         ", found " + describe(cur()));
    return false;
  }
  bool atKernel() const {
    return cur().kind == Tok::Ident && cur().text == "kernel";
  }
  /// Skips to the next `kernel` (an error inside a kernel may stop at it).
  void recover() {
    if (cur().kind != Tok::End && !atKernel())
      ++Pos;
    while (cur().kind != Tok::End &&
           !(cur().kind == Tok::Ident && cur().text == "kernel"))
      ++Pos;
  }

  /// type ::= dtype ('[' ']')?
  bool type(DType &dt, bool &isArray, const char *context) {
    auto t = cur().kind == Tok::Ident ? dtypeFromName(cur().text) : std::nullopt;
    if (!t) {
      error(cur().loc, std::string("expected a dtype (bool, i32, i64, f32, "
                                   "f64) ") + context + ", found " +
                           describe(cur()));
      return false;
    }
    dt = *t;
    ++Pos;
    isArray = accept("[");
    return !isArray || expect("]", "after '[' in an array type");
  }

  /// param ::= ident ':' type
  bool param(Kernel &k) {
    if (cur().kind != Tok::Ident)
      return error(cur().loc, "expected a parameter name, found " +
                                  describe(cur())),
             false;
    Param p;
    p.name = cur().text;
    p.loc = cur().loc;
    for (const Param &q : k.params)
      if (q.name == p.name)
        return error(p.loc, "duplicate parameter '" + p.name + "'"), false;
    ++Pos;
    if (!expect(":", "after the parameter name") ||
        !type(p.type, p.isArray, "for the parameter"))
      return false;
    k.params.push_back(p);
    return true;
  }

  bool kernel(Kernel &k) {
    if (!(cur().kind == Tok::Ident && cur().text == "kernel"))
      return error(cur().loc, "expected 'kernel', found " + describe(cur())),
             false;
    k.loc = cur().loc;
    ++Pos;
    if (cur().kind != Tok::Ident)
      return error(cur().loc, "expected a kernel name, found " +
                                  describe(cur())),
             false;
    k.name = cur().text;
    ++Pos;
    if (!expect("(", "after the kernel name"))
      return false;
    if (!isPunct(")"))
      do
        if (!param(k))
          return false;
      while (accept(","));
    if (!expect(")", "after the parameters") ||
        !expect("->", "before the result type") ||
        !type(k.resultType, k.resultIsArray, "for the result") ||
        !expect("=", "before the kernel body"))
      return false;
    Current = &k;
    k.body = expr();
    if (!k.body)
      return false;
    accept(";");
    if (cur().kind != Tok::End &&
        !(cur().kind == Tok::Ident && cur().text == "kernel"))
      return error(cur().loc, "expected an operator or the next 'kernel', "
                              "found " + describe(cur())),
             false;
    return true;
  }

  ExprRef binary(BinaryOp op, SourceLoc loc, ExprRef l, ExprRef r) {
    if (!l || !r)
      return nullptr;
    auto e = node(ExprKind::Binary, loc, {l, r});
    e->binary = op;
    return e;
  }

  /// A left-associative level: operand (op operand)*.
  template <typename Next>
  ExprRef level(Next next, std::initializer_list<std::pair<const char *,
                                                           BinaryOp>> ops) {
    ExprRef l = (this->*next)();
    for (bool more = true; l && more;) {
      more = false;
      for (auto [spelling, op] : ops)
        if (isPunct(spelling)) {
          SourceLoc loc = cur().loc;
          ++Pos;
          l = binary(op, loc, l, (this->*next)());
          more = true;
          break;
        }
    }
    return l;
  }

  /// expr ::= and ('||' and)*
  ExprRef expr() { return level(&Parser::andExpr, {{"||", BinaryOp::Or}}); }
  /// and ::= cmp ('&&' cmp)*
  ExprRef andExpr() {
    return level(&Parser::cmpExpr, {{"&&", BinaryOp::And}});
  }
  /// cmp ::= add (('<'|'<='|'>'|'>='|'=='|'!=') add)*
  ExprRef cmpExpr() {
    return level(&Parser::addExpr,
                 {{"<=", BinaryOp::Le}, {">=", BinaryOp::Ge},
                  {"<", BinaryOp::Lt}, {">", BinaryOp::Gt},
                  {"==", BinaryOp::Eq}, {"!=", BinaryOp::Ne}});
  }
  /// add ::= mul (('+'|'-') mul)*
  ExprRef addExpr() {
    return level(&Parser::mulExpr,
                 {{"+", BinaryOp::Add}, {"-", BinaryOp::Sub}});
  }
  /// mul ::= unary (('*'|'/'|'%') unary)*
  ExprRef mulExpr() {
    return level(&Parser::unaryExpr, {{"*", BinaryOp::Mul},
                                      {"/", BinaryOp::Div},
                                      {"%", BinaryOp::Rem}});
  }

  /// unary ::= ('-' | '!') unary | primary   (a negated literal folds)
  ExprRef unaryExpr() {
    SourceLoc loc = cur().loc;
    bool neg = isPunct("-");
    if (!neg && !isPunct("!"))
      return primary();
    ++Pos;
    ExprRef x = unaryExpr();
    if (!x)
      return nullptr;
    if (neg && x->kind == ExprKind::Number) {
      auto e = std::make_shared<Expr>(*x);
      e->number = -e->number;
      e->loc = loc;
      return e;
    }
    auto e = node(ExprKind::Unary, loc, {x});
    e->unary = neg ? UnaryOp::Neg : UnaryOp::Not;
    return e;
  }

  ExprRef number();
  ExprRef primary();
  ExprRef callOrName();
  bool callArgs(std::vector<ExprRef> &args);
};

/// Integer literals must be exact in a double (Expr::number): |v| <= 2^53.
ExprRef Parser::number() {
  const Token &t = cur();
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Number;
  e->loc = t.loc;
  e->numberIsInt = t.kind == Tok::Int;
  e->number = std::strtod(t.text.c_str(), nullptr);
  if (e->numberIsInt && e->number > 9007199254740992.0)
    return error(t.loc, "integer literal " + t.text +
                            " is too large (the limit is 2^53)");
  if (!std::isfinite(e->number))
    return error(t.loc, "number " + t.text + " is out of range");
  ++Pos;
  return e;
}

/// primary ::= number | '(' expr ')' | ident | ident '(' args ')'
ExprRef Parser::primary() {
  if (cur().kind == Tok::Int || cur().kind == Tok::Float)
    return number();
  if (accept("(")) {
    ExprRef e = expr();
    if (!e || !expect(")", "to close '('"))
      return nullptr;
    return e;
  }
  if (cur().kind == Tok::Ident && cur().text != "kernel")
    return callOrName();
  return error(cur().loc, "expected an expression, found " + describe(cur()));
}

/// args ::= '(' (expr (',' expr)*)? ')'
bool Parser::callArgs(std::vector<ExprRef> &args) {
  ++Pos; // '('
  if (!isPunct(")"))
    do {
      ExprRef a = expr();
      if (!a)
        return false;
      args.push_back(a);
    } while (accept(","));
  return expect(")", "after the call's arguments");
}

ExprRef Parser::callOrName() {
  Token name = cur();
  ++Pos;
  if (!isPunct("(")) {
    for (unsigned k = 0; k < Current->params.size(); ++k)
      if (Current->params[k].name == name.text) {
        auto e = node(ExprKind::Param, name.loc);
        e->param = k;
        return e;
      }
    return error(name.loc, "unknown name '" + name.text + "'");
  }
  std::vector<ExprRef> args;
  if (!callArgs(args))
    return nullptr;
  auto arity = [&](size_t want) -> bool {
    if (args.size() == want)
      return true;
    error(name.loc, "'" + name.text + "' takes " + plural(want, "argument") +
                        ", got " + std::to_string(args.size()));
    return false;
  };
  auto e = std::make_shared<Expr>();
  e->loc = name.loc;
  e->children = args;
  auto builtin = builtinFromName(name.text);
  auto reduce = reduceFromName(name.text);
  if (reduce && (args.size() == 1 || !builtin)) {
    if (!arity(1))
      return nullptr;
    e->kind = ExprKind::Reduce;
    e->reduce = *reduce;
  } else if (builtin) {
    if (!arity(builtinArity(*builtin)))
      return nullptr;
    e->kind = ExprKind::Call;
    e->builtin = *builtin;
  } else if (auto cast = dtypeFromName(name.text)) {
    if (!arity(1))
      return nullptr;
    e->kind = ExprKind::Cast;
    e->castTo = *cast;
  } else if (name.text == "where") {
    if (!arity(3))
      return nullptr;
    e->kind = ExprKind::Where;
  } else {
    return error(name.loc, "unknown function '" + name.text + "'");
  }
  return e;
}

} // namespace

void parse(std::string_view source, Program &program,
           std::vector<Diag> &errors) {
  Parser(source, errors).program(program);
}

} // namespace kiln::tensor::syntax
