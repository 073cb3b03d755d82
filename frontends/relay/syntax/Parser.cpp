// Parser: recursive descent over the token stream with error recovery.
#include "Parser.h"
#include "Lexer.h"

namespace kiln::relay {

namespace {

/// Thrown to abandon the current statement after a syntax error; caught
/// where the parser resynchronises. Never leaves this file.
struct SyntaxError {};

/// A binary operator's precedence (Operators.def): higher binds tighter.
constexpr int precedenceOf(BinaryOp op) {
  switch (op) {
    // clang-format off
#define RELAY_BINARY(Id, Token, Precedence) case BinaryOp::Id: return Precedence;
#include "relay/syntax/Operators.def"
    // clang-format on
  }
  return 0;
}

/// The comparisons' precedence: they do not chain.
constexpr int kCmpPrec = precedenceOf(BinaryOp::Lt);

class Parser {
public:
  Parser(std::vector<Token> tokens, DiagList &diags)
      : Toks(std::move(tokens)), Diags(diags) {}

  /// program ::= (function | statement)*
  void parseProgram(Program &program) {
    auto main = std::make_unique<FuncDecl>();
    main->name = "main";
    main->body = std::make_unique<BlockStmt>(Loc{1, 1});
    skipSeparators();
    while (!at(Tok::Eof)) {
      // recover() stops at a '}' (it closes a block elsewhere): here no
      // block is open, so report it and step over it, or this loops forever.
      if (at(Tok::RBrace)) {
        Diags.push_back({take().loc, "unexpected '}' (no block is open here)"});
        skipSeparators();
        continue;
      }
      try {
        if (at(Tok::Fn) || at(Tok::At))
          program.functions.push_back(parseFunction());
        else
          main->body->body.push_back(parseStatement());
        endStatement();
      } catch (SyntaxError &) {
        recover();
      }
      skipSeparators();
    }
    main->body->end = cur().loc;
    program.functions.push_back(std::move(main));
  }

private:
  // ---- token helpers --------------------------------------------------
  const Token &cur() const { return Toks[Pos]; }
  const Token &peekTok(size_t n = 1) const {
    return Toks[std::min(Pos + n, Toks.size() - 1)];
  }
  bool at(Tok k) const { return cur().kind == k; }
  Token take() {
    Token t = cur();
    if (!at(Tok::Eof))
      ++Pos;
    return t;
  }
  bool accept(Tok k) {
    if (!at(k))
      return false;
    take();
    return true;
  }
  [[noreturn]] void fail(Loc loc, std::string message) {
    Diags.push_back({loc, std::move(message)});
    throw SyntaxError{};
  }
  /// One level of nesting while it lives; past kMaxNesting the statement
  /// is abandoned with an error at `at`, the token that went too deep.
  class Nest {
  public:
    Nest(Parser &p, Loc at) : P(p) {
      if (P.Depth >= kMaxNesting)
        P.tooDeep(at);
      ++P.Depth;
    }
    ~Nest() { --P.Depth; }
    Nest(const Nest &) = delete;
    Nest &operator=(const Nest &) = delete;

  private:
    Parser &P;
  };
  [[noreturn]] void tooDeep(Loc at) {
    fail(at, "nesting too deep (more than " + std::to_string(kMaxNesting) +
                 " levels of parentheses, brackets, operators or blocks)");
  }
  [[noreturn]] void failExpected(const std::string &what) {
    fail(cur().loc, "expected " + what + ", found " + describe(cur()));
  }
  static std::string describe(const Token &t) {
    if (t.kind == Tok::Ident)
      return "'" + t.text + "'";
    if (t.kind == Tok::Number)
      return "number '" + t.text + "'";
    return tokName(t.kind);
  }
  Token expect(Tok k, const char *what = nullptr) {
    if (!at(k))
      failExpected(what ? what : tokName(k));
    return take();
  }
  void skipNewlines() {
    while (at(Tok::Newline))
      take();
  }
  void skipSeparators() {
    while (at(Tok::Newline) || at(Tok::Semi))
      take();
  }
  /// A statement ends at a newline, ';', '}' or the end of the file.
  void endStatement() {
    if (at(Tok::Newline) || at(Tok::Semi) || at(Tok::RBrace) || at(Tok::Eof))
      return;
    failExpected("end of statement");
  }
  /// Skips to the next statement boundary (newline or ';' at this nesting,
  /// or the '}' closing the current block).
  void recover() {
    int depth = 0;
    while (!at(Tok::Eof)) {
      if (depth == 0 && (at(Tok::Newline) || at(Tok::Semi)))
        return;
      if (at(Tok::LBrace))
        ++depth;
      if (at(Tok::RBrace)) {
        if (depth == 0)
          return;
        --depth;
      }
      take();
    }
  }

  // ---- declarations -----------------------------------------------------
  /// function ::= '@llvm'? 'fn' ident '(' (param (',' param)*)? ')' ('->'
  /// type)? block
  std::unique_ptr<FuncDecl> parseFunction() {
    auto fn = std::make_unique<FuncDecl>();
    if (accept(Tok::At)) {
      Token attr = expect(Tok::Ident, "attribute name");
      if (attr.text != "llvm")
        fail(attr.loc,
             "unknown attribute '@" + attr.text + "' (only @llvm exists)");
      fn->llvmAttr = true;
      skipNewlines();
    }
    expect(Tok::Fn, "'fn'");
    Token name = expect(Tok::Ident, "function name");
    fn->name = name.text;
    fn->loc = name.loc;
    expect(Tok::LParen);
    if (!at(Tok::RParen)) {
      do {
        if (fn->params.size() == kMaxArguments)
          fail(cur().loc, "too many parameters in function '" + fn->name +
                              "' (more than " +
                              std::to_string(kMaxArguments) + ")");
        fn->params.push_back(parseParam());
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen, "',' or ')'");
    if (accept(Tok::Arrow))
      fn->returnAnnotation = parseType();
    fn->body = parseBlock();
    return fn;
  }

  /// param ::= ident (':' type)?
  Param parseParam() {
    Token name = expect(Tok::Ident, "parameter name");
    Param p{name.text, Type::Unknown, name.loc};
    if (accept(Tok::Colon))
      p.annotation = parseType();
    return p;
  }

  /// type ::= 'number' | 'bool' | 'array'
  Type parseType() {
    Token t = expect(Tok::Ident, "a type (number, bool or array)");
    if (t.text == "number")
      return Type::Number;
    if (t.text == "bool")
      return Type::Bool;
    if (t.text == "array")
      return Type::Array;
    fail(t.loc, "unknown type '" + t.text + "' (use number, bool or array)");
  }

  /// block ::= '{' statement* '}'
  std::unique_ptr<BlockStmt> parseBlock() {
    Nest nest(*this, cur().loc);
    auto block = std::make_unique<BlockStmt>(expect(Tok::LBrace, "'{'").loc);
    skipSeparators();
    while (!at(Tok::RBrace) && !at(Tok::Eof)) {
      try {
        block->body.push_back(parseStatement());
        endStatement();
      } catch (SyntaxError &) {
        recover();
      }
      skipSeparators();
    }
    if (at(Tok::Eof)) // at the '{': the end of the file says nothing
      fail(block->loc,
           "this '{' is never closed (the file ends before its '}')");
    block->end = take().loc;
    return block;
  }

  // ---- statements -------------------------------------------------------
  StmtPtr parseStatement() {
    Loc loc = cur().loc;
    switch (cur().kind) {
    case Tok::Let: return parseLet();
    case Tok::If: return parseIf();
    case Tok::While: {
      take();
      auto w = std::make_unique<WhileStmt>(loc);
      w->cond = parseExpr();
      w->body = parseBlock();
      return w;
    }
    case Tok::For: return parseFor();
    case Tok::Break: take(); return std::make_unique<BreakStmt>(loc);
    case Tok::Continue: take(); return std::make_unique<ContinueStmt>(loc);
    case Tok::Return: {
      take();
      ExprPtr value;
      if (!at(Tok::Newline) && !at(Tok::Semi) && !at(Tok::RBrace) &&
          !at(Tok::Eof))
        value = parseExpr();
      return std::make_unique<ReturnStmt>(loc, std::move(value));
    }
    case Tok::Fn: fail(loc, "functions can only be defined at the top level");
    default: return parseSimple();
    }
  }

  /// 'let' ident '=' expr
  StmtPtr parseLet() {
    Loc loc = take().loc;
    Token name = expect(Tok::Ident, "variable name");
    expect(Tok::Assign, "'='");
    skipNewlines();
    return std::make_unique<LetStmt>(loc, name.text, parseExpr());
  }

  /// 'if' expr block ('else' ('if' ... | block))?
  /// An else-if chain is parsed in a loop: its length is not nesting.
  StmtPtr parseIf() {
    auto first = std::make_unique<IfStmt>(take().loc);
    for (IfStmt *s = first.get();;) {
      s->cond = parseExpr();
      s->thenBlock = parseBlock();
      size_t save = Pos;
      skipNewlines();
      if (!accept(Tok::Else)) {
        Pos = save;
        return first;
      }
      if (!at(Tok::If)) {
        s->elseStmt = parseBlock();
        return first;
      }
      auto next = std::make_unique<IfStmt>(take().loc);
      IfStmt *arm = next.get();
      s->elseStmt = std::move(next);
      s = arm;
    }
  }

  /// 'for' ident 'in' expr ('..' expr)? block
  StmtPtr parseFor() {
    Loc loc = take().loc;
    Token var = expect(Tok::Ident, "loop variable");
    expect(Tok::In, "'in'");
    ExprPtr first = parseExpr();
    if (accept(Tok::DotDot)) {
      auto s = std::make_unique<ForRangeStmt>(loc);
      s->var = var.text;
      s->start = std::move(first);
      s->end = parseExpr();
      s->body = parseBlock();
      return s;
    }
    auto s = std::make_unique<ForEachStmt>(loc);
    s->var = var.text;
    s->array = std::move(first);
    s->body = parseBlock();
    return s;
  }

  /// target '=' expr | expr
  StmtPtr parseSimple() {
    Loc loc = cur().loc;
    ExprPtr e = parseExpr();
    if (!at(Tok::Assign))
      return std::make_unique<ExprStmt>(loc, std::move(e));
    Loc assignLoc = take().loc;
    if (!isa<VarExpr>(e.get()) && !isa<IndexExpr>(e.get()))
      fail(assignLoc, "cannot assign to this expression (only to a variable or "
                      "an array element)");
    skipNewlines();
    return std::make_unique<AssignStmt>(loc, std::move(e), parseExpr());
  }

  // ---- expressions ------------------------------------------------------
  /// expr ::= unary (binop unary)*, with the usual precedence (lowest
  /// first): '||', '&&', comparisons (not chained), '+' '-', '*' '/' '%'.
  ExprPtr parseExpr() {
    Nest nest(*this, cur().loc);
    return parseBinary(1);
  }

  /// The precedence of a binary operator token (0: not one) and its op,
  /// from Operators.def.
  static int precedence(Tok k, BinaryOp &op) {
    switch (k) {
      // clang-format off
#define RELAY_BINARY(Id, Token, Precedence) case Tok::Token: op = BinaryOp::Id; return Precedence;
#include "relay/syntax/Operators.def"
      // clang-format on
    default: return 0;
    }
  }

  /// Operators of precedence >= minPrec, by precedence climbing: a chain
  /// of any length is one loop (left-associative), and a right operand
  /// recurses at most once per precedence level, so each nesting level of
  /// the source costs a few frames, not one per level of the grammar.
  ExprPtr parseBinary(int minPrec) {
    ExprPtr lhs = parseUnary();
    BinaryOp op;
    for (int prec;
         (prec = precedence(cur().kind, op)) >= minPrec && prec > 0;) {
      Loc loc = take().loc;
      skipNewlines();
      ExprPtr rhs = parseBinary(prec + 1);
      BinaryOp next;
      if (prec == kCmpPrec && precedence(cur().kind, next) == kCmpPrec)
        fail(cur().loc, "comparisons cannot be chained; use '&&'");
      lhs =
          std::make_unique<BinaryExpr>(loc, op, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  /// unary ::= ('-'|'!') unary | postfix
  ExprPtr parseUnary() {
    if (at(Tok::Minus) || at(Tok::Bang)) {
      UnaryOp op = at(Tok::Minus) ? UnaryOp::Neg : UnaryOp::Not;
      Loc loc = take().loc;
      Nest nest(*this, loc);
      return std::make_unique<UnaryExpr>(loc, op, parseUnary());
    }
    return parsePostfix();
  }

  /// postfix ::= primary ('[' expr ']' | '.' 'push' '(' expr ')')*
  ExprPtr parsePostfix() {
    ExprPtr e = parsePrimary();
    // Each postfix operator nests the tree one level deeper.
    struct Levels {
      Parser &P;
      int n = 0;
      ~Levels() { P.Depth -= n; }
    } levels{*this};
    while (true) {
      if (at(Tok::LBracket) || at(Tok::Dot)) {
        if (Depth >= kMaxNesting)
          tooDeep(cur().loc);
        ++Depth, ++levels.n;
      }
      if (at(Tok::LBracket)) {
        Loc loc = take().loc;
        ExprPtr index = parseExpr();
        expect(Tok::RBracket, "']'");
        e = std::make_unique<IndexExpr>(loc, std::move(e), std::move(index));
      } else if (at(Tok::Dot)) {
        take();
        Token method = expect(Tok::Ident, "method name");
        if (method.text != "push")
          fail(method.loc,
               "unknown method '" + method.text + "' (arrays have push)");
        auto call = std::make_unique<CallExpr>(method.loc, "push");
        call->args.push_back(std::move(e));
        expect(Tok::LParen, "'('");
        if (!at(Tok::RParen))
          call->args.push_back(parseExpr());
        expect(Tok::RParen, "')'");
        e = std::move(call);
      } else {
        return e;
      }
    }
  }

  /// primary ::= number | string | 'true' | 'false' | ident | ident '(' args
  /// ')'
  ///           | '[' (expr (',' expr)*)? ']' | '(' expr ')'
  ExprPtr parsePrimary() {
    Loc loc = cur().loc;
    switch (cur().kind) {
    case Tok::Number: return std::make_unique<NumberExpr>(loc, take().number);
    case Tok::String: return std::make_unique<StringExpr>(loc, take().text);
    case Tok::True: take(); return std::make_unique<BoolExpr>(loc, true);
    case Tok::False: take(); return std::make_unique<BoolExpr>(loc, false);
    case Tok::LParen: {
      take();
      ExprPtr e = parseExpr();
      expect(Tok::RParen, "')'");
      return e;
    }
    case Tok::LBracket: return parseArrayLit();
    case Tok::Ident: return parseNameOrCall();
    default: failExpected("an expression");
    }
  }

  /// arrayLit ::= '[' (expr (',' expr)* ','?)? ']'
  ExprPtr parseArrayLit() {
    auto lit = std::make_unique<ArrayLitExpr>(take().loc);
    if (!at(Tok::RBracket)) {
      do
        lit->elements.push_back(parseExpr());
      while (accept(Tok::Comma) && !at(Tok::RBracket));
    }
    expect(Tok::RBracket, "',' or ']'");
    return lit;
  }

  /// nameOrCall ::= ident | ident '(' (expr (',' expr)*)? ')'
  ExprPtr parseNameOrCall() {
    Token name = take();
    if (!at(Tok::LParen))
      return std::make_unique<VarExpr>(name.loc, name.text);
    take();
    auto call = std::make_unique<CallExpr>(name.loc, name.text);
    struct Restore { // also when a syntax error unwinds
      size_t &held, outer;
      ~Restore() { held = outer; }
    } restore{Held, Held};
    if (!at(Tok::RParen)) {
      do {
        if (restore.outer + call->args.size() == kMaxArguments)
          tooManyArguments(name.text, restore.outer != 0);
        Held = restore.outer + call->args.size();
        call->args.push_back(parseExpr());
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen, "',' or ')'");
    return call;
  }

  /// The argument at the current token would be the 257th held at once:
  /// of one call, or (`nested`) of a call and the calls it is an argument of.
  [[noreturn]] void tooManyArguments(const std::string &callee, bool nested) {
    std::string limit = std::to_string(kMaxArguments);
    if (!nested)
      fail(cur().loc, "too many arguments in a call to '" + callee +
                          "' (more than " + limit + ")");
    fail(cur().loc, "too many arguments in nested calls: '" + callee +
                        "' and the calls around it would hold more than " +
                        limit + " at once");
  }

  std::vector<Token> Toks;
  DiagList &Diags;
  size_t Pos = 0;
  int Depth = 0; ///< levels of nesting open (see Nest)
  /// Arguments already parsed of the calls enclosing the current point
  /// (see kMaxArguments): compiled code holds them all until the calls.
  size_t Held = 0;
};

} // namespace

std::unique_ptr<Program> parseProgram(const std::string &file,
                                      const std::string &source,
                                      DiagList &diags) {
  auto program = std::make_unique<Program>();
  program->file = file;
  program->source = source;
  DiagList lexDiags;
  std::vector<Token> tokens = lex(source, lexDiags);
  diags.insert(diags.end(), lexDiags.begin(), lexDiags.end());
  Parser(std::move(tokens), diags).parseProgram(*program);
  return program;
}

} // namespace kiln::relay
