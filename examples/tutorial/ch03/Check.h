// Check: the meaning checks that come after parsing — names and arity.
//
// The parser knows only shapes; this pass knows what names mean. It reports
// every use of an undefined variable or function, every call with the wrong
// number of arguments and every name defined twice (with a note pointing at
// the first definition), so that IR generation may assume a correct program.
#pragma once

#include "Ast.h"

#include "kiln/support/Diagnostic.h"

namespace ember {

/// Every problem found in `program`; empty when it is correct.
kiln::Diagnostics checkProgram(const Program &program);

} // namespace ember
