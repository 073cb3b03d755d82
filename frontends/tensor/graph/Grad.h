// Grad: reverse-mode differentiation on a NodeGraph.
//
// One rule per operation turns the adjoint of a node into contributions to
// its arguments, appended as new nodes; the planner then fuses the
// backward nodes exactly like the forward ones. The rules and their limits
// are listed in docs/tensor-graphs.md ("Gradients").
#pragma once

#include "Nodes.h"

namespace kiln::tensor::graph {

/// The gradient nodes of scalar `loss` with respect to each of `wrt`, each
/// with its value's shape; an operation without a derivative on a path
/// from `wrt` to `loss` is an error located at `loc`.
Expected<std::vector<unsigned>> differentiate(NodeGraph &g, unsigned loss,
                                              const std::vector<unsigned> &wrt,
                                              SourceLoc loc);

} // namespace kiln::tensor::graph
