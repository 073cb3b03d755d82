// Lexer: Relay source text -> tokens with locations.
//
// Newlines are tokens (they end statements) except inside ( ) and [ ],
// where they are skipped; the parser skips the others where a statement
// cannot end (after an operator, ',', '=' or '{').
#pragma once

#include "Diag.h"

#include <string>
#include <string_view>
#include <vector>

namespace kiln::relay {

/// Token kinds, in Tokens.def's order.
enum class Tok {
#define RELAY_TOKEN(Id, Name) Id,
#include "relay/syntax/Tokens.def"
};

/// The spelling used in diagnostics: "'('", "identifier", "end of line".
const char *tokName(Tok t);
/// The source text of a keyword or punctuation token ("(", "fn"); null
/// for the tokens with a value (Number, Ident, ...).
const char *tokSpelling(Tok t);

struct Token {
  Tok kind;
  Loc loc;
  std::string text; ///< identifier name or decoded string literal
  double number = 0;
};

/// Tokenises all of `source`; problems (stray characters, unterminated
/// strings) go to `diags` and the offending text is skipped. The last token
/// is always Eof.
std::vector<Token> lex(std::string_view source, DiagList &diags);

/// One token per line, "line:col kind text", for --emit=tokens.
std::string dumpTokens(const std::vector<Token> &tokens);

} // namespace kiln::relay
