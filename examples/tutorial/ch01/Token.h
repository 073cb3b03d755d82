// Token: the words of an Ember program, as the lexer hands them out.
//
// A token is a kind, the exact text it came from and where it starts. The
// text is a view into the source, so the source must outlive its tokens;
// nothing is copied while lexing.
#pragma once

#include "kiln/support/Diagnostic.h"

#include <cstdint>
#include <string_view>

namespace ember {

// clang-format off
// [tutorial:token-kinds]
enum class Tok : uint8_t {
  Eof,    // end of input
  Error,  // a character that starts no token
  Number, // 42, 3.5
  Ident,  // fib, x1, print
  // Keywords.
  KwDef, KwExtern, KwVar, KwIf, KwElse, KwWhile, KwFor, KwIn, KwReturn,
  // Punctuation.
  LParen, RParen, LBrace, RBrace, Comma, Semi, Assign, DotDot,
  // Binary operators, one per row of Operators.def.
#define EMBER_BINOP(kind, spelling, precedence) kind,
#include "Operators.def"
};
// [/tutorial]
// clang-format on

// [tutorial:token-struct]
struct Token {
  Tok kind = Tok::Eof;
  std::string_view text; // the characters of the token, in the source
  kiln::SourceLoc loc;   // line and column of its first character
};
// [/tutorial]

/// A short name for `kind` ("number", "'def'", "'+'") for dumps and for
/// error messages such as "expected ')'".
const char *tokName(Tok kind);

} // namespace ember
