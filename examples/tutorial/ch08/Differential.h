// Differential: runs every function of a program in the interpreter and in
// the JIT on the same inputs and compares what they return and print.
//
// Two independent implementations of one language are each other's test
// oracle: a disagreement is a bug in one of them (or a hole in the language
// definition). Kiln checks its own frontends the same way — interpreter
// against JIT at O0-O3 — and so does this chapter.
#pragma once

#include "Ast.h"

#include "kiln/support/Expected.h"
#include "kiln/support/OptLevel.h"

#include <string>
#include <vector>

namespace ember {

// [tutorial:diff-result]
struct DiffResult {
  std::string function;
  unsigned inputs = 0;  // argument lists both engines ran
  unsigned skipped = 0; // the interpreter stopped with a runtime error
  std::string mismatch; // the first disagreement; empty when none
};
// [/tutorial]

/// Compares interpreter and JIT (at `level`) on every function with at most
/// four parameters, over all argument lists drawn from a fixed sample.
kiln::Expected<std::vector<DiffResult>> differential(const Program &program,
                                                     kiln::OptLevel level);

} // namespace ember
