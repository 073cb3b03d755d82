// Explain: a Relay program compiled stage by stage for `kiln explain`.
//
// The same front end, IR generation (with debug locations, so source lines
// map to IR and assembly lines) and pipeline as `kiln build`, with every
// stage kept as data (kiln/core/Explanation.h). No LLVM types here.
#pragma once

#include "kiln/core/Explanation.h"
#include "kiln/support/Expected.h"
#include "kiln/support/OptLevel.h"

#include <string>

namespace kiln::relay {

/// Tokens, AST, IR, each changing pass, assembly and phase times of
/// `source` (named `file`) compiled for the host at `level`; every syntax
/// or type error, located, when it does not compile. `guards` as in
/// BuildOptions. Not thread-safe with other Relay compilations.
Expected<core::Explanation> explain(const std::string &file,
                                    const std::string &source, OptLevel level,
                                    bool guards = true);

} // namespace kiln::relay
