// Lexer: identifiers, numbers (integers and floats with '.'/exponent),
// one- and two-character operators; `//` comments and whitespace skipped.
#include "Lexer.h"

#include <cctype>

namespace kiln::tensor::syntax {

namespace {

struct Cursor {
  std::string_view src;
  size_t pos = 0;
  uint32_t line = 1, col = 1;

  char peek(size_t ahead = 0) const {
    return pos + ahead < src.size() ? src[pos + ahead] : '\0';
  }
  void advance() {
    if (src[pos++] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  bool done() const { return pos >= src.size(); }
};

void skipSpace(Cursor &c) {
  while (!c.done()) {
    if (std::isspace(static_cast<unsigned char>(c.peek())))
      c.advance();
    else if (c.peek() == '/' && c.peek(1) == '/')
      while (!c.done() && c.peek() != '\n')
        c.advance();
    else
      break;
  }
}

bool isDigit(char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }

/// number ::= digits ('.' digits?)? (('e'|'E') ('+'|'-')? digits)?
///          | '.' digits (exponent)?
Token lexNumber(Cursor &c) {
  Token t{Tok::Int, "", {c.line, c.col}};
  auto take = [&] {
    t.text += c.peek();
    c.advance();
  };
  while (isDigit(c.peek()))
    take();
  if (c.peek() == '.') {
    t.kind = Tok::Float;
    take();
    while (isDigit(c.peek()))
      take();
  }
  char e = c.peek();
  if ((e == 'e' || e == 'E') &&
      (isDigit(c.peek(1)) ||
       ((c.peek(1) == '+' || c.peek(1) == '-') && isDigit(c.peek(2))))) {
    t.kind = Tok::Float;
    take();
    if (!isDigit(c.peek()))
      take();
    while (isDigit(c.peek()))
      take();
  }
  return t;
}

/// ident ::= [A-Za-z_] [A-Za-z0-9_]*
Token lexIdent(Cursor &c) {
  Token t{Tok::Ident, "", {c.line, c.col}};
  while (std::isalnum(static_cast<unsigned char>(c.peek())) ||
         c.peek() == '_') {
    t.text += c.peek();
    c.advance();
  }
  return t;
}

const char *twoCharOps[] = {"->", "<=", ">=", "==", "!=", "&&", "||"};
const std::string_view oneCharOps = "()[],:=+-*/%<>!;@";

/// An operator (two characters first), or one Tok::Bad character.
Token lexPunct(Cursor &c) {
  SourceLoc loc{c.line, c.col};
  char ch = c.peek();
  std::string two{ch, c.peek(1)};
  for (const char *op : twoCharOps)
    if (two == op) {
      c.advance();
      c.advance();
      return {Tok::Punct, two, loc};
    }
  c.advance();
  bool known = oneCharOps.find(ch) != std::string_view::npos;
  return {known ? Tok::Punct : Tok::Bad, std::string(1, ch), loc};
}

} // namespace

std::vector<Token> lex(std::string_view source) {
  std::vector<Token> tokens;
  Cursor c{source};
  // A UTF-8 byte order mark (editors on Windows write one) is not text;
  // columns count from the character after it (as Relay's lexer does).
  if (source.substr(0, 3) == "\xEF\xBB\xBF")
    c.pos = 3;
  for (skipSpace(c); !c.done(); skipSpace(c)) {
    char ch = c.peek();
    if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_')
      tokens.push_back(lexIdent(c));
    else if (isDigit(ch) || (ch == '.' && isDigit(c.peek(1))))
      tokens.push_back(lexNumber(c));
    else
      tokens.push_back(lexPunct(c));
  }
  tokens.push_back({Tok::End, "", {c.line, c.col}});
  return tokens;
}

} // namespace kiln::tensor::syntax
