// Diag: syntax and type errors collected by the Relay front end, so one run
// reports several: the support layer's diagnostics; this layer stays LLVM-free.
#pragma once

#include "AST.h"

#include <string>
#include <vector>

namespace kiln::relay {

/// The syntax layer fills `loc` and `message`; the driver attaches the file
/// and source line (kiln::attachSource) before anything is rendered.
using Diag = kiln::Diagnostic;
using DiagList = kiln::Diagnostics;

} // namespace kiln::relay
