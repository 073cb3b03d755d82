// Suggest: exercise 2 of chapter 3, "did you mean" for unknown functions.
//
// clang and rustc suggest the closest known name when one is misspelt; the
// suggestion is a note attached to the error, so it renders under it.
#pragma once

#include "Ast.h"

#include "kiln/support/Diagnostic.h"

namespace ember {

/// Adds a "did you mean" note to each "call to undefined function" error in
/// `diags` when a function of `program` is at most 2 edits away.
void addSuggestions(const Program &program, kiln::Diagnostics &diags);

} // namespace ember
