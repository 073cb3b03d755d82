// Emit: machine code and IR out of a module, for the host or any target.
//
// Codegen runs with the target's TargetLibraryInfo, so calls such as `floorf`
// become single instructions where the target has them. Files are written
// atomically (temporary + rename): a failed emission leaves no partial file.
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

/// emitToString, then writeFileAtomically.
llvm::Error emitToFile(llvm::Module &module, llvm::TargetMachine &tm,
                       EmitKind kind, const std::string &path,
                       VectorLibrary vectorLibrary = VectorLibrary::None);

/// Writes `data` to `path` through a temporary in the same directory and a
/// rename, so readers never see a partial file. `executable` sets mode 0755.
llvm::Error writeFileAtomically(const std::string &path, llvm::StringRef data,
                                bool executable = false);

} // namespace kiln::core
