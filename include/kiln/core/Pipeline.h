// Pipeline: the optimiser, LLVM's new pass manager at O0-O3/Os/Oz.
//
// Every frontend optimises through here, so pipelines are built in exactly one
// place, always with the TargetMachine attached (host cost models) and with the
// loop and SLP vectorizers on at O2 and O3.
#pragma once

#include "kiln/core/Explanation.h"
#include "kiln/core/VectorLibrary.h"
#include "kiln/support/OptLevel.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <string_view>

namespace llvm {
class Error;
class Module;
class TargetMachine;
class raw_ostream;
} // namespace llvm

namespace kiln::core {

// The level type and its spelling live in the support layer.
using kiln::OptLevel;
using kiln::optLevelName;
using kiln::parseOptLevel;

struct PipelineOptions {
  OptLevel level = OptLevel::O2;
  /// Print the textual pipeline (as `opt -passes=` takes it) before running.
  llvm::raw_ostream *printPipeline = nullptr;
  /// Print the IR after every pass that changed it (teaching aid).
  llvm::raw_ostream *printChanged = nullptr;
  /// Every pass run as data: name, time, the module after each change
  /// (`kiln explain`). Costs a module print per changing run.
  PassCapture *capture = nullptr;
  /// Math calls the vectorizer may map to vector functions.
  VectorLibrary vectorLibrary = VectorLibrary::None;
  /// Run LICM on a function's loops after GVN has run on it (the default
  /// pipeline's late function simplification and post-vectorization runs).
  /// Code whose loops the early runs already promote and hoist completely,
  /// like a Faust DSP's one big sample loop, gains nothing from those runs
  /// and may skip them: each costs as much as the first on a large loop.
  bool lateLicm = true;
  /// When set, counts the pass runs left out (lateLicm = false).
  unsigned *skippedRuns = nullptr;
};

/// Optimises `module` in place for `tm`. The module must already verify.
/// Not thread-safe for one module; different modules (in different
/// LLVMContexts) may be optimised concurrently.
llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                           const PipelineOptions &options);

/// The textual form of the pipeline `optimizeModule` would run.
std::string describePipeline(llvm::TargetMachine &tm, OptLevel level);

} // namespace kiln::core
