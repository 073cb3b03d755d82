// Soak: the parts of kiln_soak (compile -> call -> remove cycles on one
// engine per front end) and what the harness measures between them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kiln::soak {

/// One cycle: compiles, calls, checks and removes one unit (module, kernel,
/// factory); returns "" or what went wrong.
using Cycle = std::function<std::string(int cycle)>;

/// What lives as long as a part's cycles: its engine and, with `leak`, every
/// unit, never removed (kiln_soak --leak: the soak must then see growth).
struct Hold {
  bool leak = false;
  std::vector<std::shared_ptr<void>> objects;
};

struct Part {
  const char *name;
  const char *what; ///< one line for the report: the unit and the cache
  /// Creates the engine (before the first sample, so cycle 0 measures the
  /// engine alone) into `hold`; returns the cycle function, or an empty one
  /// with `error` set.
  std::function<Cycle(Hold &hold, std::string &error)> make;
};

Part irPart();       ///< LLVM IR modules on one core::Jit
Part relayPart();    ///< Relay programs (syntax -> irgen) on one core::Jit
Part relayRunPart(); ///< relay::run in JIT mode: an engine per run
Part tensorPart();   ///< tensor kernels on one tensor::Engine
Part faustPart();    ///< Faust factories + an instance from one Registry

} // namespace kiln::soak
