// Syntax: tensor kernel source text to typed kernels, and diagnostics.
//
// parseProgram runs the lexer, parser and sema over one source file and
// collects every error with its location, so one run reports several.
// typeCheck is the sema alone, for kernels built from C++ (Builder.h). No
// LLVM here: the reference executors use this library too.
#pragma once

#include "kiln/tensor/Ast.h"

#include <string>
#include <string_view>
#include <vector>

namespace kiln::tensor {

/// One user error; loc.line == 0 for kernels built without source.
using Diag = kiln::Diagnostic;

struct ParseResult {
  Program program; ///< typed kernels (complete only when errors is empty)
  std::vector<Diag> errors;
  bool ok() const { return errors.empty(); }
};

/// Parses and type-checks every kernel of `source`. The errors carry their
/// line, column and source line, and `file` (none when empty: attach it
/// later with kiln::attachSource).
ParseResult parseProgram(std::string_view source, std::string_view file = {});

/// Types `kernel` in place: replaces kernel.body by a typed copy (Expr::type,
/// Expr::isArray set; literals adapted) and checks the result declaration.
/// Returns the errors (empty: the kernel is ready for every executor).
std::vector<Diag> typeCheck(Kernel &kernel);

/// The kernel as source text, every operation parenthesised; parsing it
/// gives the same kernel (the engine's cache key; builder/text comparisons).
std::string printKernel(const Kernel &kernel);

} // namespace kiln::tensor
