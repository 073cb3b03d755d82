// Parser: the tensor kernel grammar; binary operators by operator
// precedence (kBinary), the rest by recursive descent.
//
//   program ::= kernel*
//   kernel  ::= 'kernel' ident '(' (param (',' param)*)? ')' '->' type '='
//               expr ';'?
//   param   ::= ident ':' type
//   type    ::= dtype ('[' ']')?
#include "Parser.h"
#include "Lexer.h"
#include "Limits.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

namespace kiln::tensor::syntax {

namespace {

std::optional<DType> dtypeFromName(const std::string &s) {
  if (s == "bool")
    return DType::Bool;
  if (s == "i32")
    return DType::I32;
  if (s == "i64")
    return DType::I64;
  if (s == "f32")
    return DType::F32;
  if (s == "f64")
    return DType::F64;
  return std::nullopt;
}

std::optional<Builtin> builtinFromName(const std::string &s) {
  for (unsigned k = 0; k < kBuiltinCount; ++k)
    if (s == builtinName(static_cast<Builtin>(k)))
      return static_cast<Builtin>(k);
  return std::nullopt;
}

std::optional<ReduceOp> reduceFromName(const std::string &s) {
  for (int k = 0; k <= static_cast<int>(ReduceOp::ArgMin); ++k)
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

/// The binary operators, loosest first (docs/tensor.md's grammar):
///   expr ::= and ('||' and)*      and ::= cmp ('&&' cmp)*
///   cmp  ::= add (('<'|'<='|'>'|'>='|'=='|'!=') add)*
///   add  ::= mul (('+'|'-') mul)*  mul ::= unary (('*'|'/'|'%'|'@') unary)*
/// `@` (matrix multiply) binds like `*`, as in Python; it makes a MatMul node.
struct BinaryInfo {
  const char *spelling;
  BinaryOp op;
  int precedence;
  bool matmul = false;
};
constexpr BinaryInfo kBinary[] = {
    {"||", BinaryOp::Or, 1}, {"&&", BinaryOp::And, 2}, {"<", BinaryOp::Lt, 3},
    {"<=", BinaryOp::Le, 3}, {">", BinaryOp::Gt, 3},   {">=", BinaryOp::Ge, 3},
    {"==", BinaryOp::Eq, 3}, {"!=", BinaryOp::Ne, 3},  {"+", BinaryOp::Add, 4},
    {"-", BinaryOp::Sub, 4}, {"*", BinaryOp::Mul, 5},  {"/", BinaryOp::Div, 5},
    {"%", BinaryOp::Rem, 5}, {"@", BinaryOp::Mul, 5, true}};

/// A character the lexer does not know; bytes that are not printable ASCII
/// (UTF-8, control characters) by their value, not raw.
std::string badCharacter(const std::string &text) {
  unsigned char c = text.empty() ? 0 : static_cast<unsigned char>(text[0]);
  if (c > 0x20 && c < 0x7f)
    return "unexpected character '" + text + "'";
  const char *hex = "0123456789abcdef";
  return std::string("unexpected byte 0x") + hex[c >> 4] + hex[c & 15] +
         (c >= 0x80 ? " (names and operators are ASCII)" : "");
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
      Height.clear();
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
  /// unaryExpr calls active: parentheses, calls and unary operators.
  unsigned Nesting = 0;
  /// Every node of the kernel being parsed: 1 + its deepest child's height.
  std::unordered_map<const Expr *, unsigned> Height;

  /// `e` when its height is within kMaxNesting (so no later walker over the
  /// tree runs out of stack), else the error at `e`.
  ExprRef bounded(std::shared_ptr<Expr> e) {
    unsigned h = 1;
    for (const ExprRef &c : e->children) {
      auto it = Height.find(c.get());
      h = std::max(h, 1 + (it == Height.end() ? 1 : it->second));
    }
    if (h > kMaxNesting)
      return error(e->loc, nestingTooDeep());
    Height[e.get()] = h;
    return e;
  }

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
    case Tok::Bad: return badCharacter(t.text);
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
    auto t =
        cur().kind == Tok::Ident ? dtypeFromName(cur().text) : std::nullopt;
    if (!t) {
      error(cur().loc, std::string("expected a dtype (bool, i32, i64, f32, "
                                   "f64) ") +
                           context + ", found " + describe(cur()));
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
      return error(cur().loc,
                   "expected a parameter name, found " + describe(cur())),
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
    if (cur().kind == Tok::Ident && cur().text == "graph")
      return error(cur().loc, "`kiln tensor run` takes kernels only; a graph "
                              "runs through compileGraph (C++, C, Python) or "
                              "an AOT library (`kiln tensor build`, "
                              "docs/tensor-graphs.md)"),
             false;
    if (!(cur().kind == Tok::Ident && cur().text == "kernel"))
      return error(cur().loc, "expected 'kernel', found " + describe(cur())),
             false;
    k.loc = cur().loc;
    ++Pos;
    if (cur().kind != Tok::Ident)
      return error(cur().loc,
                   "expected a kernel name, found " + describe(cur())),
             false;
    k.name = cur().text;
    ++Pos;
    if (!expect("(", "after the kernel name"))
      return false;
    if (!isPunct(")"))
      do
        if (k.params.size() == kMaxParams)
          return error(cur().loc, tooManyParams(k.name)), false;
        else if (!param(k))
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
        !(cur().kind == Tok::Ident &&
          (cur().text == "kernel" || cur().text == "graph"))) // kernel() says
      return error(cur().loc, "expected an operator or the next 'kernel', "
                              "found " +
                                  describe(cur())),
             false;
    return true;
  }

  ExprRef binary(BinaryOp op, SourceLoc loc, ExprRef l, ExprRef r) {
    if (!l || !r)
      return nullptr;
    auto e = node(ExprKind::Binary, loc, {l, r});
    e->binary = op;
    return bounded(e);
  }

  ExprRef matmul(SourceLoc loc, ExprRef l, ExprRef r) {
    if (!l || !r)
      return nullptr;
    return bounded(node(ExprKind::MatMul, loc, {l, r}));
  }

  /// The binary operator at the cursor, or null.
  const BinaryInfo *binaryOp() const {
    if (cur().kind != Tok::Punct)
      return nullptr;
    for (const BinaryInfo &b : kBinary)
      if (cur().text == b.spelling)
        return &b;
    return nullptr;
  }

  /// Applies the innermost pending operator to the last two operands.
  bool reduceTop(std::vector<ExprRef> &operands,
                 std::vector<std::pair<const BinaryInfo *, SourceLoc>> &ops) {
    ExprRef r = std::move(operands.back());
    operands.pop_back();
    auto [info, loc] = ops.back();
    ops.pop_back();
    operands.back() = info->matmul ? matmul(loc, operands.back(), r)
                                   : binary(info->op, loc, operands.back(), r);
    return operands.back() != nullptr;
  }

  /// expr ::= unary (binop unary)*, grouped by kBinary's precedence, every
  /// operator left-associative. Operator-precedence parsing with explicit
  /// stacks: a long chain `a + b + ...` takes no stack of its own, and one
  /// level of parentheses only the few frames back to here.
  ExprRef expr() {
    std::vector<ExprRef> operands;
    std::vector<std::pair<const BinaryInfo *, SourceLoc>> ops;
    operands.push_back(unaryExpr());
    if (!operands.back())
      return nullptr;
    while (const BinaryInfo *b = binaryOp()) {
      SourceLoc loc = cur().loc;
      ++Pos;
      while (!ops.empty() && ops.back().first->precedence >= b->precedence)
        if (!reduceTop(operands, ops))
          return nullptr;
      ops.push_back({b, loc});
      operands.push_back(unaryExpr());
      if (!operands.back())
        return nullptr;
    }
    while (!ops.empty())
      if (!reduceTop(operands, ops))
        return nullptr;
    return operands.back();
  }

  /// Every recursion of the grammar passes here: bounds it by kMaxNesting.
  ExprRef unaryExpr() {
    if (Nesting >= kMaxNesting)
      return error(cur().loc, nestingTooDeep());
    ++Nesting;
    ExprRef e = unaryOrPrimary();
    --Nesting;
    return e;
  }

  /// unary ::= ('-' | '!') unary | primary   (a negated literal folds)
  ExprRef unaryOrPrimary() {
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
      return bounded(e);
    }
    auto e = node(ExprKind::Unary, loc, {x});
    e->unary = neg ? UnaryOp::Neg : UnaryOp::Not;
    return bounded(e);
  }

  ExprRef number();
  ExprRef primary();
  ExprRef callOrName();
  bool callArgs(Expr &call);
  bool namedArg(Expr &call);
  bool axisLiteral(int &axis);
  bool axisTuple(std::vector<int> &axes);
  ExprRef logSumExp(const Token &name, const Expr &call);
  bool classifyCall(const Token &name, Expr &e);
};

/// Integer literals must be exact in a double (Expr::number): |v| <= 2^53.
ExprRef Parser::number() {
  const Token &t = cur();
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Number;
  e->loc = t.loc;
  e->numberIsInt = t.kind == Tok::Int;
  e->number = std::strtod(t.text.c_str(), nullptr);
  // Compared as an integer: 2^53 + 1 rounds to 2^53 as a double.
  if (e->numberIsInt &&
      (e->number > 9007199254740992.0 ||
       std::strtoull(t.text.c_str(), nullptr, 10) > (1ull << 53)))
    return error(t.loc, "integer literal " + t.text +
                            " is too large (the limit is 2^53)");
  if (!std::isfinite(e->number))
    return error(t.loc, "number " + t.text + " is out of range");
  ++Pos;
  return bounded(e);
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

/// args ::= '(' (arg (',' arg)*)? ')'
/// arg  ::= expr | 'axis' '=' (axis | '(' axis (',' axis)* ','? ')')
///        | 'keepdims'
/// axis ::= '-'? int
bool Parser::callArgs(Expr &call) {
  ++Pos; // '('
  if (!isPunct(")"))
    do {
      if (namedArg(call)) {
        if (Failed)
          return false;
        continue;
      }
      ExprRef a = expr();
      if (!a)
        return false;
      if (call.hasAxis || call.keepdims)
        return error(a->loc, "positional arguments come before 'axis=' "
                             "and 'keepdims'"),
               false;
      call.children.push_back(a);
    } while (accept(","));
  return expect(")", "after the call's arguments");
}

/// `axis=N` or `keepdims` at the cursor: consumed into `call` (true; an
/// error is reported when malformed), else false and nothing consumed.
bool Parser::namedArg(Expr &call) {
  const Token &t = cur();
  if (t.kind != Tok::Ident || (t.text != "axis" && t.text != "keepdims"))
    return false;
  const Token &next = Toks[Pos + 1];
  bool assign = next.kind == Tok::Punct && next.text == "=";
  if (t.text == "keepdims") {
    if (assign)
      return error(t.loc, "write 'keepdims' alone (it takes no value)"), true;
    if (call.keepdims)
      return error(t.loc, "'keepdims' is given twice"), true;
    call.keepdims = true; // sema checks that an axis goes with it
    ++Pos;
    return true;
  }
  if (!assign)
    return false; // a parameter called `axis`
  SourceLoc loc = t.loc;
  Pos += 2;
  std::vector<int> axes(1);
  if (accept("(") ? !axisTuple(axes) : !axisLiteral(axes[0]))
    return true;
  if (call.hasAxis)
    return error(loc, "'axis' is given twice"), true;
  call.hasAxis = true;
  call.axis = axes[0];
  call.moreAxes.assign(axes.begin() + 1, axes.end());
  return true;
}

/// axis ::= '-'? int, from -4 to 3; false after reporting the error.
bool Parser::axisLiteral(int &axis) {
  bool neg = accept("-");
  if (cur().kind != Tok::Int || cur().text.size() > 3)
    return error(cur().loc, "'axis=' takes an integer from -4 to 3, found " +
                                describe(cur())),
           false;
  axis = std::stoi(cur().text) * (neg ? -1 : 1);
  if (axis < -4 || axis >= 4)
    return error(cur().loc, "axis " + std::to_string(axis) +
                                " is out of range: arrays have at most 4 "
                                "dimensions (axis -4 to 3)"),
           false;
  ++Pos;
  return true;
}

/// The rest of '(' axis (',' axis)* ','? ')': at least one axis, each
/// named once; false after reporting the error.
bool Parser::axisTuple(std::vector<int> &axes) {
  axes.clear();
  do {
    if (isPunct(")") && !axes.empty())
      break; // (0, 1,)
    SourceLoc at = cur().loc;
    int a = 0;
    if (!axisLiteral(a))
      return false;
    for (int b : axes)
      if (b == a)
        return error(at, "'axis' names " + std::to_string(a) + " twice"),
               false;
    if (axes.size() == 4)
      return error(at, "'axis' names more than 4 axes"), false;
    axes.push_back(a);
  } while (accept(","));
  return expect(")", "to close the tuple of axes");
}

/// Sets the kind of the call `e` to `name` (a reduction, builtin, cast or
/// where) after checking its arity; false after reporting the error.
bool Parser::classifyCall(const Token &name, Expr &e) {
  size_t got = e.children.size();
  auto arity = [&](size_t want) -> bool {
    if (got == want)
      return true;
    error(name.loc, "'" + name.text + "' takes " + plural(want, "argument") +
                        ", got " + std::to_string(got));
    return false;
  };
  auto builtin = builtinFromName(name.text);
  auto reduce = reduceFromName(name.text);
  if (reduce && (got == 1 || !builtin)) {
    e.kind = ExprKind::Reduce;
    e.reduce = *reduce;
    if (!e.moreAxes.empty() &&
        (e.reduce == ReduceOp::ArgMax || e.reduce == ReduceOp::ArgMin))
      return error(name.loc, "'" + name.text + "' takes one axis, not a tuple"),
             false;
    if (e.keepdims && !e.hasAxis)
      return error(name.loc, "'keepdims' needs an axis, e.g. " + name.text +
                                 "(x, axis=-1, keepdims)"),
             false;
    return arity(1);
  }
  if (e.hasAxis || e.keepdims)
    return error(name.loc, "'" + name.text +
                               "' takes no 'axis=' or 'keepdims'; only the "
                               "reductions sum prod min max mean argmax "
                               "argmin and logsumexp do"),
           false;
  if (builtin) {
    e.kind = ExprKind::Call;
    e.builtin = *builtin;
    return arity(builtinArity(*builtin));
  }
  if (auto cast = dtypeFromName(name.text)) {
    e.kind = ExprKind::Cast;
    e.castTo = *cast;
    return arity(1);
  }
  if (name.text == "where") {
    e.kind = ExprKind::Where;
    return arity(3);
  }
  error(name.loc, "unknown function '" + name.text + "'");
  return false;
}

/// callOrName ::= ident args | ident
ExprRef Parser::callOrName() {
  Token name = cur();
  ++Pos;
  if (!isPunct("(")) {
    for (unsigned k = 0; k < Current->params.size(); ++k)
      if (Current->params[k].name == name.text) {
        auto e = node(ExprKind::Param, name.loc);
        e->param = k;
        return bounded(e);
      }
    return error(name.loc, "unknown name '" + name.text + "'");
  }
  auto e = std::make_shared<Expr>();
  e->loc = name.loc;
  if (name.text == "logsumexp")
    return callArgs(*e) ? logSumExp(name, *e) : nullptr;
  if (!callArgs(*e) || !classifyCall(name, *e))
    return nullptr;
  return bounded(e);
}

/// logsumexp(x, axis=A[, keepdims]), spelled out as the numerically stable
///   max(x, axis=A[, keepdims]) + log(sum(exp(x - max(x, axis=A, keepdims)),
///                                        axis=A[, keepdims]))
/// (the staged JIT computes the shared row maximum once).
ExprRef Parser::logSumExp(const Token &name, const Expr &call) {
  if (call.children.size() != 1)
    return error(name.loc, "'logsumexp' takes 1 argument, got " +
                               std::to_string(call.children.size()));
  if (!call.hasAxis)
    return error(name.loc, "'logsumexp' needs an axis, e.g. logsumexp(x, "
                           "axis=-1)");
  if (!call.moreAxes.empty())
    return error(name.loc, "'logsumexp' takes one axis, not a tuple");
  const ExprRef &x = call.children[0];
  auto reduce = [&](ReduceOp op, ExprRef of, bool keep) {
    auto r = node(ExprKind::Reduce, name.loc, {std::move(of)});
    r->reduce = op;
    r->hasAxis = true;
    r->axis = call.axis;
    r->keepdims = keep;
    return bounded(r);
  };
  auto fn = [&](Builtin b, ExprRef of) -> ExprRef {
    if (!of)
      return nullptr;
    auto c = node(ExprKind::Call, name.loc, {std::move(of)});
    c->builtin = b;
    return bounded(c);
  };
  auto binary = [&](BinaryOp op, ExprRef a, ExprRef b) -> ExprRef {
    if (!a || !b)
      return nullptr;
    auto n = node(ExprKind::Binary, name.loc, {std::move(a), std::move(b)});
    n->binary = op;
    return bounded(n);
  };
  ExprRef shifted = binary(BinaryOp::Sub, x, reduce(ReduceOp::Max, x, true));
  ExprRef sum = fn(Builtin::Exp, shifted);
  sum = sum ? reduce(ReduceOp::Sum, sum, call.keepdims) : nullptr;
  return binary(BinaryOp::Add, reduce(ReduceOp::Max, x, call.keepdims),
                fn(Builtin::Log, sum));
}

} // namespace

void parse(std::string_view source, Program &program,
           std::vector<Diag> &errors) {
  Parser(source, errors).program(program);
}

} // namespace kiln::tensor::syntax
