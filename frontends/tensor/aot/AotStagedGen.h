// AotStagedGen: axis-reduction kernels ahead of time — the kernels of their
// passes for a module, and the generated C wrapper holding their plan.
//
// Used by the AOT build and --emit (Aot.cpp) and by `kiln explain`
// (Explain.cpp), which all take a program's kernels as written.
#pragma once

#include "kiln/support/Expected.h"
#include "kiln/tensor/Ast.h"

#include <string>
#include <vector>

namespace kiln::tensor::aot {

/// `kernels` with each axis-reduction kernel replaced by its passes'
/// kernels (StagedLower.h); a kernel that cannot be lowered stays as it is
/// (buildKernelModule then says why).
std::vector<Kernel> expandStaged(const std::vector<Kernel> &kernels);

/// The C wrapper of axis-reduction kernel `k`: the plan and shape program
/// as static tables, and the exported entry `prototype` whose parameters
/// are `names` (C spellings); an error when `k` cannot be lowered.
Expected<std::string> stagedWrapper(const Kernel &k,
                                    const std::string &prototype,
                                    const std::vector<std::string> &names);

/// The static tables of axis-reduction kernel `k` ending with its
/// `kt_aot_staged kt_<name>_staged` (for a wrapper that calls it); an
/// error when `k` cannot be lowered.
Expected<std::string> stagedTables(const Kernel &k);

} // namespace kiln::tensor::aot
