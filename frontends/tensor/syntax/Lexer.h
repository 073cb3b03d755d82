// Lexer: tensor kernel source to tokens with 1-based line/column.
//
// Separate from the parser so the token rules (numbers, two-character
// operators, `//` comments) are in one small place.
#pragma once

#include "kiln/tensor/Ast.h"

#include <string>
#include <string_view>
#include <vector>

namespace kiln::tensor::syntax {

enum class Tok { Ident, Int, Float, Punct, End, Bad };

struct Token {
  Tok kind = Tok::End;
  std::string text; ///< identifier, number or operator spelling
  SourceLoc loc;
};

/// All tokens of `source`, ending with Tok::End. A character the language
/// does not use becomes a Tok::Bad token (the parser reports it).
std::vector<Token> lex(std::string_view source);

} // namespace kiln::tensor::syntax
