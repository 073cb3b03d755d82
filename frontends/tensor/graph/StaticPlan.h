// StaticPlan: a graph's steps decided before any input shape is known — the
// plan an AOT library carries (aot/AotGraph*).
//
// The JIT plans once per set of input shapes (Plan.h): which SumTo, Lift and
// Drop nodes are no-ops, and so what fuses, follows from the shapes. A
// library is built before any call, so it takes the one plan that is right
// for every shape: those nodes stay steps of their own (at run time a no-op
// SumTo is a copy, a no-op Lift or Drop the same view), scalars and arrays
// follow from the node kinds, and everything else is the JIT's own rule
// (Partition in Plan.cpp), so fusion and kernels are the JIT's.
#pragma once

#include "Plan.h"

#include <memory>
#include <string>
#include <vector>

namespace kiln::tensor::graph {

struct StaticPlan {
  std::unique_ptr<Plan> plan;  ///< steps, kept, resolved; no shapes or memory
  /// The distinct kernels, in order of first use, typed: steps whose
  /// kernels differ only in names share one.
  std::vector<Kernel> kernels;
  std::vector<size_t> stepKernels; ///< per Kernel step: its index in kernels
};

/// Which nodes are scalars, and the no-ops every shape has (an Unsqueeze of
/// a scalar), as inferShapes would set them; dims stay empty.
void staticShapes(const NodeGraph &g, Plan &plan);

/// The steps of `g` for `outputs`, kernels named `name`_v<node> and not
/// compiled. Errors: a kernel that does not type-check (an internal error).
Expected<StaticPlan> planWithoutShapes(const NodeGraph &g,
                                       const std::vector<unsigned> &outputs,
                                       const std::string &name);

} // namespace kiln::tensor::graph
