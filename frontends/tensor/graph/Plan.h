// Plan: a NodeGraph for one set of input shapes — every node's shape, what
// is fused and what is kept, the compiled kernels and the temporaries.
//
// Which SumTo is a no-op, where an axis goes and how many elements a mean
// divides by depend on the shapes, so fusion is decided here, once per set
// of input shapes, and the result is kept: a later call with the same
// shapes only fills in the input views and runs the steps, allocating
// nothing. Not thread-safe (CompiledGraph serialises calls).
#pragma once

#include "Nodes.h"

#include "kiln/tensor/Tensor.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::tensor::graph {

/// A node's shape; `scalar` for a Scalar value (not a rank-0 array).
struct Shape {
  bool scalar = true;
  std::vector<int64_t> dims;
  bool operator==(const Shape &o) const {
    return scalar == o.scalar && dims == o.dims;
  }
};

/// A node's value during a run.
struct Slot {
  Shape shape;
  Scalar s;                  ///< when shape.scalar
  ArrayView v;               ///< otherwise (a temporary, an input, or a view)
  std::vector<char> scratch; ///< rank-0 output of a scalar kernel
  std::vector<double> accum; ///< SumTo's sums, one per output element
};

enum class StepKind { Kernel, SumTo, View };

struct Step {
  StepKind kind = StepKind::Kernel;
  unsigned node = 0;
  std::shared_ptr<CompiledKernel> kernel;
  bool scalarResult = false;    ///< a whole-array reduction
  std::vector<unsigned> params; ///< slots passed to the kernel, in order
  std::vector<Arg> args;        ///< refilled each run (no allocation)
  /// The call bound once (BoundCall: no checks, no allocation) and rebound
  /// only when an argument's view or scalar changes; kernels the engine
  /// cannot bind run through CompiledKernel::run.
  std::optional<BoundCall> bound;
  std::vector<Arg> boundArgs;
  bool bindable = true;
};

struct Plan {
  std::vector<Slot> slots;        ///< by node id
  std::vector<unsigned> resolved; ///< node id after no-op SumTo/Unsqueeze
  std::vector<bool> kept;         ///< materialised (has a slot value)
  std::vector<Step> steps;
  std::vector<std::string> kernelText;
  std::vector<std::vector<char>> buffers; ///< the temporaries (Memory.cpp)
  uint64_t allocations = 0, bytes = 0;
};

/// Shapes and no-op resolution (Shapes.cpp); errors are InvalidArgument.
Status inferShapes(const NodeGraph &g, const std::vector<Arg> &inputs,
                   Plan &plan);

/// The whole plan for `inputs`' shapes: shapes, fusion, kernels compiled on
/// `engine`, temporaries allocated. `outputs` are the node ids returned.
Expected<std::unique_ptr<Plan>> makePlan(Engine &engine, const NodeGraph &g,
                                         const std::vector<unsigned> &outputs,
                                         const std::vector<Arg> &inputs,
                                         const std::string &name);

/// Runs the plan's steps on `inputs` (same shapes as planned).
Status runPlan(Plan &plan, const NodeGraph &g, const std::vector<Arg> &inputs);

/// Gives every array a step writes a buffer of `p.buffers`, shared between
/// values whose lifetimes do not overlap; `outputs` live past the run.
/// Throws bad_alloc beyond the machine's memory (makePlan reports it).
void assignBuffers(const NodeGraph &g, Plan &p,
                   const std::vector<unsigned> &outputs);

/// Sums `value` (broadcast over `space`) down to `out`'s shape (SumTo.cpp).
void sumTo(const Slot &value, const NodeGraph &g, unsigned valueNode,
           const std::vector<int64_t> &space, Slot &out);

} // namespace kiln::tensor::graph
