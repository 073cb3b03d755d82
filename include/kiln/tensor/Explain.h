// Explain: tensor kernels compiled stage by stage for `kiln explain`.
//
// The kernels of one .tk source through the same IR generation and
// pipeline as `kiln tensor build`, every stage kept as data
// (kiln/core/Explanation.h). No LLVM types here.
#pragma once

#include "kiln/core/Explanation.h"
#include "kiln/support/Expected.h"
#include "kiln/support/OptLevel.h"

#include <string>

namespace kiln::tensor {

/// Tokens, AST, IR, each changing pass, assembly and phase times of every
/// kernel in `source` (named `file`), compiled for the host at `level`;
/// every parse and type error, located, when it does not compile. Kernels
/// get function-level debug locations (each generated function at its
/// kernel's body line), so the page maps a kernel's lines to its code.
Expected<core::Explanation> explain(const std::string &file,
                                    const std::string &source,
                                    OptLevel level = OptLevel::O3);

} // namespace kiln::tensor
