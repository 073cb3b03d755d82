// Optimiser: runs Kiln's O1-O3 pipeline on a module and keeps a log of
// every pass that changed the IR, with the IR it left behind.
//
// The JIT optimises behind the scenes; this chapter does it in the open, so
// a learner can see what "O2" is made of and which pass did what.
#pragma once

#include "kiln/core/Pipeline.h"
#include "kiln/support/Expected.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace ember {

// [tutorial:pass-change]
/// One pass that changed the IR: its name and the unit it printed (a
/// function, or the whole module for module passes).
struct PassChange {
  std::string pass;
  std::string ir;
};
// [/tutorial]

struct OptimiseLog {
  std::string pipeline; // the pipeline in `opt -passes=` syntax
  std::vector<PassChange> changes;
};

/// Optimises `module` in place at `level` for the host's architecture with
/// a generic CPU (so the log is the same on every x86-64 machine).
kiln::Expected<OptimiseLog> optimiseWithLog(llvm::Module &module,
                                            kiln::OptLevel level);

/// Whether `ir` holds the definition of function `name`.
bool definesFunction(const std::string &ir, const std::string &name);

/// The text of function `name` in `ir` (from "define" to its closing "}").
std::string functionText(const std::string &ir, const std::string &name);

} // namespace ember
