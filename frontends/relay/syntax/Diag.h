// Diag: syntax and type errors collected by the Relay front end, so one run
// reports several. Rendering (with the source line and a caret) happens in
// the driver through kiln::core diagnostics; this layer stays LLVM-free.
#pragma once

#include "AST.h"

#include <string>
#include <vector>

namespace kiln::relay {

struct Diag {
  Loc loc;
  std::string message;
};

using DiagList = std::vector<Diag>;

} // namespace kiln::relay
