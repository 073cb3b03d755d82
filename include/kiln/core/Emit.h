// Emit: machine code and IR out of a module, for the host or any target.
//
// Codegen runs with the target's TargetLibraryInfo, so calls such as `floorf`
// become single instructions where the target has them. Files follow
// support/Files.h: regular files are replaced atomically (a failed emission
// leaves no partial file), devices and pipes are written through.
#pragma once

#include "kiln/core/Pipeline.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <string_view>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace kiln::core {

enum class EmitKind { Object, Assembly, Bitcode, IR };

/// Parses "obj", "asm", "bc", "ll".
std::optional<EmitKind> parseEmitKind(std::string_view text);

/// Generates `kind` for `module` with `tm`. No optimisation happens here:
/// run optimizeModule first. Sets the module's triple and data layout.
/// `vectorLibrary` should match the one the optimiser used.
llvm::Expected<std::string>
emitToString(llvm::Module &module, llvm::TargetMachine &tm, EmitKind kind,
             VectorLibrary vectorLibrary = VectorLibrary::None);

/// emitToString, then writeOutputFile.
llvm::Error emitToFile(llvm::Module &module, llvm::TargetMachine &tm,
                       EmitKind kind, const std::string &path,
                       VectorLibrary vectorLibrary = VectorLibrary::None);

/// support::writeOutputFile as an llvm::Error: a regular file (or a new
/// name) is written through a temporary and a rename, so readers never see a
/// partial file; a device, FIFO or "-" (stdout) is written through.
/// `executable` makes a new file mode 0755.
llvm::Error writeOutputFile(const std::string &path, llvm::StringRef data,
                            bool executable = false);

} // namespace kiln::core
