// PassCapture: records every pass run of one optimiser run as data (name,
// the IR unit it ran on, its time, the module after it when it changed).
//
// `kiln explain` shows the optimiser pass by pass. Reading that back from
// --print-changed text would tie the page to a printing format; this keeps
// the structure instead (kiln/core/Explanation.h's PassCapture).
#pragma once

#include "kiln/core/Explanation.h"

namespace llvm {
class Module;
class PassInstrumentationCallbacks;
} // namespace llvm

namespace kiln::core {

/// Registers callbacks on `pic` that fill `out` while the pipeline runs on
/// `module` (printed now as the first "previous version"). A pass run
/// counts as changed when the printed module differs from the one before
/// it. `out` and `module` must outlive the pipeline run. One pipeline run
/// at a time per `pic`.
void registerPassCapture(llvm::PassInstrumentationCallbacks &pic,
                         const llvm::Module &module, PassCapture &out);

} // namespace kiln::core
