// IsolatedJit: configuring LLJIT for an executor process (Jit.cpp's
// isolated mode; the process itself is Executor.h's).
#pragma once

#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/SimpleRemoteEPC.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace kiln::core::detail {

/// Points `builder` at the executor behind `epc`: JITLink with the
/// executor's memory manager and EH-frame registration, the executor's
/// symbols as process symbols, no ORC platform.
llvm::Error configureIsolated(llvm::orc::LLJITBuilder &builder,
                              std::unique_ptr<llvm::orc::SimpleRemoteEPC> epc);

/// What a module needs before an isolated engine links it (its own
/// __dso_handle: see IsolatedJit.cpp).
void prepareIsolatedModule(llvm::Module &module);

} // namespace kiln::core::detail
