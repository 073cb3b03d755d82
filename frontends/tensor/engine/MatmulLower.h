// MatmulLower: a kernel with `a @ b` as a plan of plain pieces (pure AST
// work, no LLVM) — shared by the JIT (Matmul.cpp compiles the pieces) and
// AOT libraries (aot/AotMatmulGen.cpp emits them).
//
// Every product becomes a step; an operand that is not an array parameter
// becomes an ordinary kernel step before it; the last product, when the
// rest of the body is elementwise over it in the same dtype, is *fused*:
// the rest becomes its epilogue. The rest is always also an ordinary
// kernel, run when a call cannot take the fused path.
#pragma once

#include "kiln/tensor/Ast.h"

#include <optional>
#include <vector>

namespace kiln::tensor {

/// Where a step's argument comes from: call argument `arg`, or temporary
/// `temp` (an earlier step's result).
struct MatmulSource {
  int arg = -1, temp = -1;
};

/// One step of a lowered plan: writes temporary k (step k).
struct LoweredStep {
  /// An ordinary typed kernel over `sources`, or (when empty) the product
  /// sources[0] @ sources[1] of element type `type`.
  std::optional<Kernel> kernel;
  DType type = DType::F32;
  std::vector<MatmulSource> sources;
};

struct LoweredMatmul {
  std::vector<LoweredStep> steps;
  /// The last product fused with the rest (sources: a, b, then the
  /// epilogue's parameters, the product's entry unused); `epilogue` empty
  /// when the body is the product itself.
  bool fused = false;
  std::vector<MatmulSource> fusedSources;
  std::optional<Kernel> epilogue;
  unsigned product = 0; ///< the product's parameter in the epilogue
  /// The rest of the body over the steps' temporaries, as a kernel.
  Kernel rest;
  std::vector<MatmulSource> restSources;
};

/// The plan of typed `kernel` (which has `@`).
LoweredMatmul lowerMatmul(const Kernel &kernel);

} // namespace kiln::tensor
