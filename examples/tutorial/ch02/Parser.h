// Parser: tokens to an AST, by recursive descent with precedence climbing.
//
// One function per grammar rule, each carrying its rule in a comment, as in
// Kaleidoscope and Toy. Errors do not stop the parse: each becomes a
// kiln::Diagnostic, the parser skips to the end of the statement and goes
// on, so one run reports every syntax error it can.
#pragma once

#include "Ast.h"
#include "Lexer.h"

#include "kiln/support/Expected.h"

#include <string_view>

namespace ember {

/// Parses a whole program; the diagnostics when there was any error.
/// `source` must outlive the call only (the AST copies names).
kiln::Expected<Program> parseProgram(std::string_view source);

} // namespace ember
