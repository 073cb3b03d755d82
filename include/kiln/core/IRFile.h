// IRFile: reading LLVM IR (.ll) and bitcode (.bc) files into modules.
//
// Parse errors come back as KilnErrors with file, line, column, the source
// line and a caret, like every other user diagnostic in Kiln.
#pragma once

#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln::core {

llvm::Expected<std::unique_ptr<llvm::Module>>
loadIRFile(const std::string &path, llvm::LLVMContext &context);

/// The same for IR held in memory; `name` is used in diagnostics.
llvm::Expected<std::unique_ptr<llvm::Module>>
parseIR(llvm::StringRef text, const std::string &name,
        llvm::LLVMContext &context);

} // namespace kiln::core
