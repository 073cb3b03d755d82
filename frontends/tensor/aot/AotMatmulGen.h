// AotMatmulGen: kernels with `a @ b` ahead of time — the pieces of their
// plan (engine/MatmulLower.h) as kernels for the module, the tile functions
// for the target CPU, and the generated C wrapper holding the plan.
//
// Used by the AOT build and --emit (Aot.cpp); the plan is the JIT's, run by
// aot/AotMatmul.c (products on KILN_THREADS threads, AotThreads.h).
#pragma once

#include "kiln/tensor/Ast.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace kiln::tensor::aot {

/// An error naming the first kernel with `@` that a library cannot hold
/// yet (a plan step with more than 64 arguments), else success.
llvm::Error checkMatmul(const std::vector<Kernel> &kernels);

/// `kernels` with each kernel with `@` replaced by the ordinary kernels of
/// its plan (`<name>__mm<t>` for operands, `<name>__rest` for the rest).
std::vector<Kernel> expandMatmul(const std::vector<Kernel> &kernels);

/// Adds the tile functions of the kernels with `@` in `kernels` to
/// `module`, each with its block table, for `tm`'s CPU.
llvm::Error emitMatmulTiles(llvm::Module &module,
                            const std::vector<Kernel> &kernels,
                            const llvm::TargetMachine &tm);

/// The C wrapper of kernel `k` (which has `@`): its plan as static tables
/// and the exported entry `prototype` with parameters `names` (C
/// spellings). `desc(kernel)` writes a kernel's kt_aot_kernel table,
/// `<name>_desc`.
std::string matmulWrapper(const Kernel &k, const std::string &prototype,
                          const std::vector<std::string> &names,
                          const std::function<std::string(const Kernel &)> &desc);

} // namespace kiln::tensor::aot
