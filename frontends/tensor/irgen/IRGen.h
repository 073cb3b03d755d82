// IRGen: a typed tensor kernel to LLVM IR — one fused loop per kernel.
//
// Four functions per kernel (see KernelAbi.h): a contiguous flat loop whose
// body is straight-line code the loop vectorizer widens, a strided loop over
// up to 4 dims, and for reductions a combine and a finish function. No
// temporaries: every operand is loaded, the whole expression evaluated and
// the result stored (or accumulated) in the same iteration.
#pragma once

#include "kiln/tensor/Ast.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace kiln::tensor::irgen {

/// Symbol names of a kernel's generated functions.
struct KernelSymbols {
  std::string flat, strided, combine, finish;
};
/// kiln_tk_<name><suffix>_flat, ... (the JIT adds a suffix so kernels of
/// the same name from different sources can coexist in one engine).
KernelSymbols symbolsFor(const Kernel &kernel, const std::string &suffix = "");

/// The reductions of a typed kernel body, in evaluation order.
std::vector<const Expr *> reductionsOf(const Kernel &kernel);

/// Adds `kernel`'s functions, named `symbols`, to `module` and verifies it
/// (the kernel must be type-checked). A function whose name is empty is not
/// generated (the JIT puts the strided loop in a module of its own).
llvm::Error emitKernel(llvm::Module &module, const Kernel &kernel,
                       const KernelSymbols &symbols);

} // namespace kiln::tensor::irgen
