// Dump: a tensor source's tokens and a typed program's AST as text, one
// item per line with its line:column (`kiln explain FILE.tk`).
//
// The shape follows Relay's --emit=tokens|ast dumps so a learner reads both
// languages the same way. Internal to the frontend; LLVM-free.
#pragma once

#include "kiln/tensor/Ast.h"

#include <string>
#include <string_view>

namespace kiln::tensor::syntax {

/// "LINE:COL token" per token of `source` (`identifier a`, `'+'`, ...),
/// the end included.
std::string dumpTokens(std::string_view source);

/// Each kernel as an indented tree: kernel, params, result, then the body's
/// expressions with their kind, operator and type ("f32[]" for arrays).
std::string dumpAST(const Program &program);

} // namespace kiln::tensor::syntax
