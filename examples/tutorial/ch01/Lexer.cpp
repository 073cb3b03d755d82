// Lexer: turns characters into tokens, tracking line and column.
//
// Written by hand, as Kaleidoscope's and most production lexers are: the
// language is small, and a hand-written loop gives exact locations and clear
// error tokens for free.
#include "Lexer.h"

#include <cctype>
#include <utility>

namespace ember {

namespace {

bool isIdentStart(char c) { return std::isalpha((unsigned char)c) || c == '_'; }
bool isIdentChar(char c) { return std::isalnum((unsigned char)c) || c == '_'; }
bool isDigit(char c) { return std::isdigit((unsigned char)c); }

// [tutorial:keywords]
constexpr std::pair<std::string_view, Tok> Keywords[] = {
    {"def", Tok::KwDef}, {"extern", Tok::KwExtern}, {"var", Tok::KwVar},
    {"if", Tok::KwIf},   {"else", Tok::KwElse},     {"while", Tok::KwWhile},
    {"for", Tok::KwFor}, {"in", Tok::KwIn},         {"return", Tok::KwReturn},
};
// [/tutorial]

} // namespace

char Lexer::peek(size_t ahead) const {
  return Pos + ahead < Src.size() ? Src[Pos + ahead] : '\0';
}

// [tutorial:lexer-advance]
void Lexer::advance() {
  if (Src[Pos] == '\n') {
    ++Loc.line;
    Loc.col = 1;
  } else {
    ++Loc.col;
  }
  ++Pos;
}
// [/tutorial]

Token Lexer::make(Tok kind) const {
  return Token{kind, Src.substr(TokStart, Pos - TokStart), TokLoc};
}

void Lexer::skipSpaceAndComments() {
  while (Pos < Src.size()) {
    if (std::isspace((unsigned char)peek())) {
      advance();
    } else if (peek() == '#') { // a comment runs to the end of the line
      while (Pos < Src.size() && peek() != '\n')
        advance();
    } else {
      return;
    }
  }
}

// [tutorial:lexer-next]
Token Lexer::next() {
  skipSpaceAndComments();
  TokStart = Pos;
  TokLoc = Loc;
  if (Pos >= Src.size())
    return make(Tok::Eof);
  if (isDigit(peek()))
    return lexNumber();
  if (isIdentStart(peek()))
    return lexWord();
  return lexPunct();
}
// [/tutorial]

// [tutorial:lexer-number]
/// number ::= digit+ ('.' digit+)?
Token Lexer::lexNumber() {
  while (isDigit(peek()))
    advance();
  // "1..10" is 1, '..', 10: take the dot only when a digit follows it.
  if (peek() == '.' && isDigit(peek(1))) {
    advance();
    while (isDigit(peek()))
      advance();
  }
  return make(Tok::Number);
}
// [/tutorial]

/// word ::= (letter | '_') (letter | digit | '_')*
Token Lexer::lexWord() {
  while (isIdentChar(peek()))
    advance();
  Token word = make(Tok::Ident);
  for (auto [spelling, kind] : Keywords)
    if (word.text == spelling)
      word.kind = kind;
  return word;
}

// [tutorial:lexer-punct]
Token Lexer::lexPunct() {
  // Longest match first: "<=" before "<", ".." before an error on '.'.
  static constexpr std::pair<std::string_view, Tok> Puncts[] = {
#define EMBER_BINOP(kind, spelling, precedence) {spelling, Tok::kind},
#include "Operators.def"
      {"..", Tok::DotDot}, {"(", Tok::LParen}, {")", Tok::RParen},
      {"{", Tok::LBrace},  {"}", Tok::RBrace}, {",", Tok::Comma},
      {";", Tok::Semi},    {"=", Tok::Assign},
  };
  std::string_view best;
  Tok kind = Tok::Error;
  for (auto [spelling, k] : Puncts)
    if (Src.substr(Pos).starts_with(spelling) && spelling.size() > best.size())
      best = spelling, kind = k;
  for (size_t i = 0; i < (best.empty() ? 1 : best.size()); ++i)
    advance();
  return make(kind);
}
// [/tutorial]

const char *tokName(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "end of file";
  case Tok::Error: return "error";
  case Tok::Number: return "number";
  case Tok::Ident: return "identifier";
  case Tok::KwDef: return "'def'";
  case Tok::KwExtern: return "'extern'";
  case Tok::KwVar: return "'var'";
  case Tok::KwIf: return "'if'";
  case Tok::KwElse: return "'else'";
  case Tok::KwWhile: return "'while'";
  case Tok::KwFor: return "'for'";
  case Tok::KwIn: return "'in'";
  case Tok::KwReturn: return "'return'";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Semi: return "';'";
  case Tok::Assign: return "'='";
  case Tok::DotDot:
    return "'..'";
// clang-format off
#define EMBER_BINOP(kind, spelling, precedence) case Tok::kind: return "'" spelling "'";
#include "Operators.def"
    // clang-format on
  }
  return "token";
}

} // namespace ember
