// StagedLower: an axis-reduction kernel split into the ordinary kernels of
// its passes — one whole-array reduction per distinct axis reduction, then
// the elementwise (or whole-array) rest.
//
// Pure AST work, no LLVM: the JIT compiles each pass kernel (Staged.cpp) and
// the AOT build emits them into the library with the plan as C tables
// (aot/AotStaged.cpp); both run the plan with StagedRun.c. See Staged.h for
// why a softmax is three passes.
#pragma once

#include "kiln/support/Expected.h"
#include "kiln/tensor/Ast.h"

#include <optional>
#include <vector>

namespace kiln::tensor {

/// One pass: kernels to compile and where their parameters come from.
struct LoweredPass {
  /// A row's reduction (argmax/argmin: its elementwise argument), or for
  /// the last pass the kernel's result. Typed.
  Kernel kernel;
  /// Per parameter of `kernel`: a call argument, or kFromTemp + temporary.
  std::vector<int> sources;
  /// The reduction (ReduceOp's value) or -1 for the last pass; its axes as
  /// written (one, or up to 4 for `axis=(0, 1)`), keepdims, result dtype
  /// and argument dtype.
  int op = -1;
  std::vector<int> axes;
  bool keepdims = false;
  DType dtype = DType::F64, argDtype = DType::F64;
  /// `kernel` with the earlier keepdims temporaries along the same axis as
  /// scalars (asScalar marks them); absent when there are none.
  std::optional<Kernel> row;
  std::vector<bool> asScalar;
  /// acc = acc OP arg over slices (params: acc, then kernel's) and mean's
  /// acc / n; absent for argmax/argmin or when they do not type-check.
  std::optional<Kernel> column, scale;
};
constexpr int kFromTemp = 1 << 16; ///< StagedAbi.h's KT_FROM_TEMP

/// The passes of typed `kernel` (which reduces along an axis), in order;
/// pass t's kernels are named `<name>__axis<t>` (+ `_row`, `_slices`,
/// `_mean`), the last pass `<name>`. An error when a pass still has nodes
/// with shapes of their own, or more than 60 parameters.
Expected<std::vector<LoweredPass>> lowerStaged(const Kernel &kernel);

} // namespace kiln::tensor
