// Lexer: Ember source text to tokens, one at a time.
//
// The parser pulls tokens with next() instead of receiving a vector, as
// Kaleidoscope's gettok() does; unlike gettok() the lexer is an object (no
// globals) and every token records its line and column for diagnostics.
#pragma once

#include "Token.h"

#include <string_view>

namespace ember {

// [tutorial:lexer-class]
class Lexer {
public:
  /// `source` must outlive the lexer and every token it returns.
  explicit Lexer(std::string_view source) : Src(source) {}

  /// The next token; Tok::Eof forever once the input is used up.
  Token next();

private:
  void skipSpaceAndComments();
  Token lexNumber();
  Token lexWord();
  Token lexPunct();
  char peek(size_t ahead = 0) const;
  void advance();
  Token make(Tok kind) const; // from TokStart to Pos

  std::string_view Src;
  size_t Pos = 0;
  kiln::SourceLoc Loc{1, 1}; // of Src[Pos]
  size_t TokStart = 0;
  kiln::SourceLoc TokLoc;
};
// [/tutorial]

} // namespace ember
