// Sema: name resolution and type inference for Relay.
//
// Types are inferred over the whole program with unification (a parameter's
// type may come from its uses or from call sites); every expression, frame
// slot, parameter and return type is then written into the AST. Errors are
// collected with their locations; an analysed program with no errors is
// ready for the interpreter and the IR generator.
#pragma once

#include "AST.h"
#include "Diag.h"

namespace kiln::relay {

/// A variable the top-level code starts with (kept by a REPL from earlier
/// entries); globals take the first slots of main's frame, in order.
struct Global {
  std::string name;
  Type type;
};

/// Analyses `program` in place; returns true when it found no errors.
bool analyze(Program &program, DiagList &diags,
             const std::vector<Global> &globals = {});

} // namespace kiln::relay
