// IRGen: a checked Ember program to LLVM IR, with Kiln's IR helpers.
//
// Every Ember value is a double, so every function is double(double, ...).
// Local variables live in stack slots (allocas) in the entry block; LLVM's
// mem2reg pass turns them into SSA registers later (chapter 6 shows it), so
// IR generation never has to build phi nodes by hand.
#pragma once

#include "Ast.h"

#include "llvm/Support/Error.h"

namespace llvm {
class Module;
} // namespace llvm

namespace ember {

/// Adds one LLVM function per Ember function of `program` to `module` and
/// verifies the result. `program` must have passed checkProgram.
llvm::Error generateIR(const Program &program, llvm::Module &module);

} // namespace ember
