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

/// Reads `path` (support/Files.h's input rules) and parses it as textual IR
/// or bitcode. Bitcode from a file is untrusted and LLVM 19's reader can
/// crash on damaged bitcode, so it is parsed first in a forked probe process
/// (about a millisecond): a crash there is an error here.
llvm::Expected<std::unique_ptr<llvm::Module>>
loadIRFile(const std::string &path, llvm::LLVMContext &context);

/// The same for IR held in memory; `name` is used in diagnostics. Bitcode
/// here is trusted (no probe): pass untrusted bitcode through a file and
/// loadIRFile, or run the host that reads it isolated.
llvm::Expected<std::unique_ptr<llvm::Module>>
parseIR(llvm::StringRef text, const std::string &name,
        llvm::LLVMContext &context);

} // namespace kiln::core
