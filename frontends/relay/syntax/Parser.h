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

/// The deepest nesting the parser accepts: each expression inside another
/// (parentheses, brackets, call arguments, indices), each unary or postfix
/// operator, each block and each `else if` is a level. The tree's walkers
/// (sema, interpreter, IR generator, dump) recurse about this deep and no
/// deeper (binary chains are walked in loops), so this bounds their stack:
/// far above real programs, far below what the stack holds under
/// AddressSanitizer or on the router's compile thread.
inline constexpr int kMaxNesting = 256;

/// The most arguments one call (`print`, a builtin, a user function) may
/// have. Compiled code keeps every argument live until the call, so the
/// count sizes the caller's native frame (an -O0 frame holds each one) and
/// the optimiser's work on one block; unbounded, a 30,000-argument print in
/// a recursive function overflowed the stack before the depth limit and a
/// 200,000-argument one took minutes to compile. The 257th argument is a
/// located error in every mode. The bound is on arguments held at once, so
/// a call nested in another's arguments counts those before it too: 120
/// nested 256-argument calls made a 240 KiB -O0 frame, and recursion
/// overflowed the stack (SIGSEGV) long before the depth limit. A function
/// takes at most as many parameters (no call could pass more): LLVM's
/// interprocedural passes (CalledValuePropagation, IPSCCP) are quadratic in
/// a function's arguments, so a 20,000-parameter function never called took
/// over two minutes at -O2.
inline constexpr size_t kMaxArguments = 256;

/// Parses `source` (named `file` in diagnostics). Returns the program even
/// when `diags` is non-empty (possibly partial); callers must check diags.
/// The top-level statements become a FuncDecl named "main".
std::unique_ptr<Program> parseProgram(const std::string &file,
                                      const std::string &source,
                                      DiagList &diags);

} // namespace kiln::relay
