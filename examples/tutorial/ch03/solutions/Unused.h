// Unused: exercise 1 of chapter 3, warnings for variables never read.
//
// A warning is a kiln::Diagnostic with Severity::Warning: the same data,
// rendered as "warning:" by kiln::render, and no reason to stop compiling.
#pragma once

#include "Ast.h"

#include "kiln/support/Diagnostic.h"

namespace ember {

/// One warning per `var` (or parameter) that no expression reads.
kiln::Diagnostics findUnused(const Program &program);

} // namespace ember
