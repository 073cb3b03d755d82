// Compiler: lowers one analysed Relay function to interpreter bytecode.
//
// The lowering keeps docs/relay.md's evaluation order operation by
// operation (operands left to right, a[i] = v as a, i, v, then the check),
// writes a destination only with the last instruction of an expression (so
// `x = (a + x) * x` reads the old x throughout), and walks left-nested
// chains (`a + b + c ...`, `p && q && ...`) in loops, never recursively, so
// a 100k-term chain cannot exhaust the C++ stack.
#pragma once

#include "Bytecode.h"

namespace kiln::relay::interp {

/// `fn` must have passed Sema. Never fails: every analysed program lowers.
std::unique_ptr<Code> compile(const FuncDecl &fn);

} // namespace kiln::relay::interp
