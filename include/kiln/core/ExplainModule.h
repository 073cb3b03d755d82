// ExplainModule: a module compiled stage by stage into a core::Explanation
// (the IR as generated, each pass that changed it, the assembly, the times).
//
// Frontends call explainModule after their IR generation; explainIRFile is
// the whole of `kiln explain FILE.ll`. The page is the tool's business
// (tools/kiln/explain); this is the data.
#pragma once

#include "kiln/core/Explanation.h"
#include "kiln/core/Timing.h"
#include "kiln/core/VectorLibrary.h"
#include "kiln/support/Expected.h"

#include "llvm/Support/Error.h"

#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace kiln::core {

/// Fills `out`'s irGenerated, passes, irOptimized, assembly and target from
/// `module` (verified; compiled for `tm` at out.level), adding "optimize" and
/// "codegen" to `timings`. `module` is optimised in place. Notes when no
/// instruction carries a debug location (nothing for the page to map).
llvm::Error explainModule(llvm::Module &module, llvm::TargetMachine &tm,
                          Explanation &out, PhaseTimings &timings,
                          VectorLibrary vectorLibrary = VectorLibrary::None);

/// `source` (textual IR, read from `file`) parsed, verified and explained
/// for the host at `level`. Bitcode is refused: it is not text to show.
kiln::Expected<Explanation> explainIRFile(const std::string &file,
                                          const std::string &source,
                                          OptLevel level);

/// The phase rows of `timings` into `out.phases`.
void setPhases(Explanation &out, const PhaseTimings &timings);

} // namespace kiln::core
