// KernelLines: function-level debug locations for generated kernels.
//
// Tensor IR generation emits no DWARF (a kernel is one expression), but
// `kiln explain` maps source lines to IR and assembly lines through debug
// locations. This gives every instruction of a kernel's functions its
// kernel's body line: coarse, and enough to tell kernels apart.
#pragma once

#include "kiln/tensor/Ast.h"

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace kiln::tensor {

/// Adds a compile unit for `file`, a subprogram per generated function of
/// `program`'s kernels (symbols without suffix) and a location on each of
/// their instructions, plus the module flags debug info needs.
void addKernelLines(llvm::Module &module, const Program &program,
                    const std::string &file);

} // namespace kiln::tensor
