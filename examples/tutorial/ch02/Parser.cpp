// Parser: Ember's grammar, one function per rule.
//
// The parser holds the current token and asks the lexer for more; `expect`
// reports a missing token at the token that is there instead. Expressions use
// precedence climbing over the table in Operators.def, so a new operator
// needs no new parse function.
#include "Parser.h"

#include <charconv>

namespace ember {

namespace {

/// Deeper nesting than this is refused rather than risking the C++ stack.
constexpr unsigned MaxDepth = 200;

// [tutorial:precedence]
/// The precedence of `kind` as a binary operator, or -1 if it is none.
int precedence(Tok kind) {
  switch (kind) {
// clang-format off
#define EMBER_BINOP(kind, spelling, precedence) case Tok::kind: return precedence;
#include "Operators.def"
  // clang-format on
  default: return -1;
  }
}

BinOp toBinOp(Tok kind) {
  switch (kind) {
// clang-format off
#define EMBER_BINOP(kind, spelling, precedence) case Tok::kind: return BinOp::kind;
#include "Operators.def"
  // clang-format on
  default: return BinOp::Add; // unreachable: callers check precedence()
  }
}
// [/tutorial]

class Parser {
public:
  explicit Parser(std::string_view source) : Lex(source) { Cur = Lex.next(); }
  Program parseProgram();
  kiln::Diagnostics Diags;

private:
  // Token handling.
  void advance() { Cur = Lex.next(); }
  bool accept(Tok kind);
  bool expect(Tok kind, const char *what);
  Tok peekKind() const;
  void error(kiln::SourceLoc loc, std::string message);
  void syncStatement();
  // Grammar rules.
  bool parseFunction(Program &program);
  bool parsePrototype(Function &fn);
  bool parseBlock(Block &block);
  StmtPtr parseStmt();
  StmtPtr parseVar();
  StmtPtr parseIf();
  StmtPtr parseWhile();
  StmtPtr parseFor();
  StmtPtr parseSimple();
  ExprPtr parseExpr();
  ExprPtr parseBinaryRhs(int minPrec, ExprPtr lhs);
  ExprPtr parseUnary();
  ExprPtr parsePrimary();
  ExprPtr parseIdentExpr();
  std::vector<ExprPtr> parseArgs();

  Lexer Lex;
  Token Cur;
  unsigned Depth = 0;
};

bool Parser::accept(Tok kind) {
  if (Cur.kind != kind)
    return false;
  advance();
  return true;
}

// [tutorial:expect]
bool Parser::expect(Tok kind, const char *what) {
  if (accept(kind))
    return true;
  std::string found =
      Cur.kind == Tok::Eof ? "end of file" : "'" + std::string(Cur.text) + "'";
  error(Cur.loc, std::string("expected ") + tokName(kind) + " " + what +
                     ", found " + found);
  return false;
}

void Parser::error(kiln::SourceLoc loc, std::string message) {
  // After one error at a place, later ones there are usually echoes.
  if (!Diags.empty() && Diags.back().loc.line == loc.line &&
      Diags.back().loc.col == loc.col)
    return;
  Diags.push_back(
      {loc, std::move(message), kiln::Severity::Error, kiln::ErrorKind::Parse});
}
// [/tutorial]

Tok Parser::peekKind() const {
  Lexer copy = Lex; // lexers are cheap to copy: a view and a position
  return copy.next().kind;
}

/// Skips to just after the next ';' or to a '}' or the end: where a new
/// statement can start, so parsing resumes after an error.
void Parser::syncStatement() {
  while (Cur.kind != Tok::Eof && Cur.kind != Tok::RBrace) {
    Tok skipped = Cur.kind;
    advance();
    if (skipped == Tok::Semi)
      return;
  }
}

// [tutorial:parse-program]
/// program ::= (externDecl | funcDef)* EOF
Program Parser::parseProgram() {
  Program program;
  while (Cur.kind != Tok::Eof) {
    if (parseFunction(program))
      continue;
    // Recover at the next top-level keyword.
    while (Cur.kind != Tok::Eof && Cur.kind != Tok::KwDef &&
           Cur.kind != Tok::KwExtern)
      advance();
  }
  return program;
}
// [/tutorial]

/// externDecl ::= 'extern' prototype ';'
/// funcDef    ::= 'def' prototype block
bool Parser::parseFunction(Program &program) {
  Function fn;
  fn.loc = Cur.loc;
  if (accept(Tok::KwExtern)) {
    fn.isExtern = true;
    if (!parsePrototype(fn) || !expect(Tok::Semi, "after extern"))
      return false;
  } else if (accept(Tok::KwDef)) {
    if (!parsePrototype(fn) || !parseBlock(fn.body))
      return false;
  } else {
    error(Cur.loc, "expected 'def' or 'extern' at top level");
    advance();
    return false;
  }
  program.functions.push_back(std::move(fn));
  return true;
}

/// prototype ::= ident '(' (ident (',' ident)*)? ')'
bool Parser::parsePrototype(Function &fn) {
  fn.name = Cur.text;
  if (!expect(Tok::Ident, "for the function name") ||
      !expect(Tok::LParen, "after the function name"))
    return false;
  while (Cur.kind == Tok::Ident) {
    fn.params.emplace_back(Cur.text);
    advance();
    if (!accept(Tok::Comma))
      break;
  }
  return expect(Tok::RParen, "after the parameters");
}

// [tutorial:parse-block]
/// block ::= '{' stmt* '}'
bool Parser::parseBlock(Block &block) {
  if (!expect(Tok::LBrace, "to open a block"))
    return false;
  if (Depth == MaxDepth) {
    error(Cur.loc, "blocks nested too deeply");
    return false;
  }
  ++Depth;
  while (Cur.kind != Tok::RBrace && Cur.kind != Tok::Eof) {
    if (StmtPtr stmt = parseStmt())
      block.push_back(std::move(stmt));
    else
      syncStatement();
  }
  --Depth;
  return expect(Tok::RBrace, "to close the block");
}
// [/tutorial]

/// stmt ::= varStmt | ifStmt | whileStmt | forStmt | simpleStmt
StmtPtr Parser::parseStmt() {
  switch (Cur.kind) {
  case Tok::KwVar: return parseVar();
  case Tok::KwIf: return parseIf();
  case Tok::KwWhile: return parseWhile();
  case Tok::KwFor: return parseFor();
  default: return parseSimple();
  }
}

/// varStmt ::= 'var' ident '=' expr ';'
StmtPtr Parser::parseVar() {
  kiln::SourceLoc loc = Cur.loc;
  advance();
  std::string name(Cur.text);
  if (!expect(Tok::Ident, "after 'var'") || !expect(Tok::Assign, "after name"))
    return nullptr;
  ExprPtr init = parseExpr();
  if (!init || !expect(Tok::Semi, "after the initial value"))
    return nullptr;
  return std::make_unique<VarStmt>(Stmt::Kind::Var, loc, name, std::move(init));
}

// [tutorial:parse-if]
/// ifStmt ::= 'if' expr block ('else' (ifStmt | block))?
StmtPtr Parser::parseIf() {
  kiln::SourceLoc loc = Cur.loc;
  advance();
  ExprPtr cond = parseExpr();
  Block thenBody, elseBody;
  if (!cond || !parseBlock(thenBody))
    return nullptr;
  if (accept(Tok::KwElse)) {
    if (Cur.kind == Tok::KwIf) {
      StmtPtr elseIf = parseIf();
      if (!elseIf)
        return nullptr;
      elseBody.push_back(std::move(elseIf));
    } else if (!parseBlock(elseBody)) {
      return nullptr;
    }
  }
  return std::make_unique<IfStmt>(loc, std::move(cond), std::move(thenBody),
                                  std::move(elseBody));
}
// [/tutorial]

/// whileStmt ::= 'while' expr block
StmtPtr Parser::parseWhile() {
  kiln::SourceLoc loc = Cur.loc;
  advance();
  ExprPtr cond = parseExpr();
  Block body;
  if (!cond || !parseBlock(body))
    return nullptr;
  return std::make_unique<WhileStmt>(loc, std::move(cond), std::move(body));
}

/// forStmt ::= 'for' ident 'in' expr '..' expr block
StmtPtr Parser::parseFor() {
  kiln::SourceLoc loc = Cur.loc;
  advance();
  std::string var(Cur.text);
  if (!expect(Tok::Ident, "after 'for'") || !expect(Tok::KwIn, "after name"))
    return nullptr;
  ExprPtr start = parseExpr();
  if (!start || !expect(Tok::DotDot, "between the bounds"))
    return nullptr;
  ExprPtr end = parseExpr();
  Block body;
  if (!end || !parseBlock(body))
    return nullptr;
  return std::make_unique<ForStmt>(loc, var, std::move(start), std::move(end),
                                   std::move(body));
}

/// simpleStmt ::= 'return' expr ';' | ident '=' expr ';' | expr ';'
StmtPtr Parser::parseSimple() {
  kiln::SourceLoc loc = Cur.loc;
  Stmt::Kind kind = Stmt::Kind::ExprStmt;
  std::string assigned;
  if (accept(Tok::KwReturn)) {
    kind = Stmt::Kind::Return;
  } else if (Cur.kind == Tok::Ident && peekKind() == Tok::Assign) {
    kind = Stmt::Kind::Assign;
    assigned = Cur.text;
    advance();
    advance();
  }
  ExprPtr value = parseExpr();
  if (!value || !expect(Tok::Semi, "after the statement"))
    return nullptr;
  if (kind == Stmt::Kind::Assign)
    return std::make_unique<VarStmt>(kind, loc, assigned, std::move(value));
  return std::make_unique<ExprStmt>(kind, loc, std::move(value));
}

/// expr ::= unary (binop unary)*
ExprPtr Parser::parseExpr() {
  if (Depth == MaxDepth) {
    error(Cur.loc, "nested too deeply (blocks and parentheses count)");
    return nullptr;
  }
  ++Depth;
  ExprPtr lhs = parseUnary();
  ExprPtr result = lhs ? parseBinaryRhs(0, std::move(lhs)) : nullptr;
  --Depth;
  return result;
}

// [tutorial:binary-rhs]
/// Precedence climbing: folds `op rhs` pairs into `lhs` while the operator
/// binds at least as tightly as `minPrec`; a tighter operator after `rhs`
/// takes `rhs` as its own left operand first. All operators are
/// left-associative: 1 - 2 - 3 is (1 - 2) - 3, so a chain of n operators is
/// a tree n deep, and each fold counts against the depth limit.
ExprPtr Parser::parseBinaryRhs(int minPrec, ExprPtr lhs) {
  for (unsigned folds = 1; precedence(Cur.kind) >= minPrec; ++folds) {
    Token op = Cur;
    if (Depth + folds >= MaxDepth) {
      error(op.loc, "too many operators in one expression");
      return nullptr;
    }
    advance();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    if (precedence(Cur.kind) > precedence(op.kind)) {
      rhs = parseBinaryRhs(precedence(op.kind) + 1, std::move(rhs));
      if (!rhs)
        return nullptr;
    }
    lhs = std::make_unique<BinaryExpr>(op.loc, toBinOp(op.kind), std::move(lhs),
                                       std::move(rhs));
  }
  return lhs;
}
// [/tutorial]

/// unary ::= '-' unary | primary
ExprPtr Parser::parseUnary() {
  if (Cur.kind != Tok::Sub)
    return parsePrimary();
  kiln::SourceLoc loc = Cur.loc;
  advance();
  if (Depth == MaxDepth) {
    error(loc, "expression nested too deeply");
    return nullptr;
  }
  ++Depth;
  ExprPtr operand = parseUnary();
  --Depth;
  return operand ? std::make_unique<UnaryExpr>(loc, std::move(operand))
                 : nullptr;
}

// [tutorial:parse-primary]
/// primary ::= number | identExpr | '(' expr ')'
ExprPtr Parser::parsePrimary() {
  Token tok = Cur;
  if (accept(Tok::Number)) {
    double value = 0;
    auto [end, ec] = std::from_chars(tok.text.data(),
                                     tok.text.data() + tok.text.size(), value);
    if (ec != std::errc()) // more digits than a double can hold
      error(tok.loc, "number out of range");
    return std::make_unique<NumberExpr>(tok.loc, value);
  }
  if (tok.kind == Tok::Ident)
    return parseIdentExpr();
  if (accept(Tok::LParen)) {
    ExprPtr inner = parseExpr();
    if (!inner || !expect(Tok::RParen, "to close the parenthesis"))
      return nullptr;
    return inner;
  }
  if (tok.kind == Tok::Error)
    error(tok.loc, "unexpected character '" + std::string(tok.text) + "'");
  else
    error(tok.loc,
          std::string("expected an expression, found ") + tokName(tok.kind));
  return nullptr;
}
// [/tutorial]

/// identExpr ::= ident | ident '(' (expr (',' expr)*)? ')'
ExprPtr Parser::parseIdentExpr() {
  Token name = Cur;
  advance();
  if (Cur.kind != Tok::LParen)
    return std::make_unique<VariableExpr>(name.loc, std::string(name.text));
  advance();
  std::vector<ExprPtr> args = parseArgs();
  if (!expect(Tok::RParen, "after the arguments"))
    return nullptr;
  return std::make_unique<CallExpr>(name.loc, std::string(name.text),
                                    std::move(args));
}

std::vector<ExprPtr> Parser::parseArgs() {
  std::vector<ExprPtr> args;
  if (Cur.kind == Tok::RParen)
    return args;
  do {
    if (ExprPtr arg = parseExpr())
      args.push_back(std::move(arg));
    else
      break;
  } while (accept(Tok::Comma));
  return args;
}

} // namespace

kiln::Expected<Program> parseProgram(std::string_view source) {
  Parser parser(source);
  Program program = parser.parseProgram();
  if (!parser.Diags.empty())
    return std::move(parser.Diags);
  return program;
}

} // namespace ember
