// Parser: tokens -> Relay AST, by recursive descent (grammar in
// docs/relay.md; each parse function carries its rule).
//
// Errors are collected, the parser resynchronises at the next statement,
// and parsing goes on, so one run reports several syntax errors.
#pragma once

#include "AST.h"
#include "Diag.h"

#include <memory>
#include <string>

namespace kiln::relay {

/// Parses `source` (named `file` in diagnostics). Returns the program even
/// when `diags` is non-empty (possibly partial); callers must check diags.
/// The top-level statements become a FuncDecl named "main".
std::unique_ptr<Program> parseProgram(const std::string &file,
                                      const std::string &source,
                                      DiagList &diags);

} // namespace kiln::relay
