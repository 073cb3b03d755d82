// Explanation: one compilation seen stage by stage, as plain data.
//
// `kiln explain` renders it as a page for learners: the source, its tokens
// and AST, the IR as generated, the IR after every pass that changed it, the
// final assembly and the phase times. The core fills the IR, pass and
// assembly parts (ExplainModule.h); each frontend adds what only it knows
// (tokens, AST). LLVM-free, so frontends' public headers may return it.
#pragma once

#include "kiln/support/OptLevel.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace kiln::core {

/// The module after one pass run that changed it.
struct PassStep {
  std::string pass; ///< "InstCombinePass on fib" (the unit it ran on)
  std::string ir;   ///< the whole module, printed, after the pass
  double ms = 0;    ///< the pass run's own wall-clock time
};

/// Every pass run of one optimiser run; PipelineOptions::capture fills it.
struct PassCapture {
  std::vector<PassStep> changed; ///< in run order
  unsigned runs = 0;             ///< all pass runs, changed or not
  double unchangedMs = 0;        ///< time of the runs that changed nothing
  /// The module is printed after each run that may have changed it, up to
  /// this many bytes in all: time and memory grow with the module's size
  /// times the number of changes. Past it, later steps keep an empty `ir`
  /// (a run then counts as a change when it did not preserve all
  /// analyses) and `truncated` is set.
  size_t limitBytes = size_t(64) << 20;
  size_t printedBytes = 0;
  bool truncated = false;
};

struct Explanation {
  std::string language; ///< "relay", "tensor" or "ll"
  std::string file;     ///< as given to the frontend
  std::string source;
  std::string tokens, ast; ///< empty for IR input
  OptLevel level = OptLevel::O2;
  std::string target;      ///< "x86_64-pc-linux-gnu (cpu znver3)"
  std::string irGenerated; ///< the module before the optimiser
  PassCapture passes;
  std::string irOptimized; ///< the module after the optimiser
  std::string assembly;    ///< with .loc directives when debug info is on
  /// Why some part is missing or approximate ("no debug locations: ..."),
  /// for the page to say so; empty when nothing is.
  std::vector<std::string> notes;
  std::vector<std::pair<std::string, double>> phases; ///< ms, in order
};

} // namespace kiln::core
