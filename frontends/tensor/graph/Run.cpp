// Run: executing a plan's steps — kernel calls on the planned temporaries,
// the SumTo loops, and views (transposes, re-inserted axes) recomputed from
// the call's input views (Plan.h).
#include "Plan.h"

#include <algorithm>
#include <cstring>

namespace kiln::tensor::graph {

namespace {

Scalar readScalar(const ArrayView &v) {
  Scalar s;
  s.dtype = v.dtype;
  const void *p = v.data;
  switch (v.dtype) {
  case DType::F32: s.f = *static_cast<const float *>(p); break;
  case DType::F64: s.f = *static_cast<const double *>(p); break;
  case DType::I32: s.i = *static_cast<const int32_t *>(p); break;
  case DType::I64: s.i = *static_cast<const int64_t *>(p); break;
  case DType::Bool: s.i = *static_cast<const uint8_t *>(p) != 0; break;
  }
  return s;
}

/// `src` with the axes `at` (sorted, of a rank-`rank` shape) put back as
/// size-1 dimensions (after padding src with leading 1s to rank - k).
ArrayView unsqueezeView(const ArrayView &src, int rank, const int *at, int k) {
  ArrayView v = src;
  int pad = std::max(0, rank - k - src.rank);
  v.rank = 0;
  for (int d = 0; d < pad; ++d) {
    v.shape[v.rank] = 1;
    v.strides[v.rank++] = 0;
  }
  for (int d = 0; d < src.rank; ++d) {
    v.shape[v.rank] = src.shape[d];
    v.strides[v.rank++] = src.strides[d];
  }
  for (int i = 0; i < k; ++i) {
    int a = at[i];
    for (int d = v.rank; d > a; --d) {
      v.shape[d] = v.shape[d - 1];
      v.strides[d] = v.strides[d - 1];
    }
    v.shape[a] = 1;
    v.strides[a] = 0;
    ++v.rank;
  }
  return v;
}

ArrayView transposeView(const ArrayView &src) {
  ArrayView v = src;
  int r = v.rank;
  std::swap(v.shape[r - 2], v.shape[r - 1]);
  std::swap(v.strides[r - 2], v.strides[r - 1]);
  return v;
}

/// `src` with the size-1 dimension at `at` (an index) inserted (Lift) or
/// removed (Drop).
ArrayView liftView(const ArrayView &src, NodeOp op, int at) {
  if (op == NodeOp::Lift)
    return unsqueezeView(src, src.rank + 1, &at, 1);
  ArrayView v = src;
  for (int d = at; d + 1 < v.rank; ++d) {
    v.shape[d] = v.shape[d + 1];
    v.strides[d] = v.strides[d + 1];
  }
  --v.rank;
  return v;
}

bool sameArg(const Arg &a, const Arg &b) {
  if (a.isArray != b.isArray)
    return false;
  if (!a.isArray)
    return a.scalar.dtype == b.scalar.dtype && a.scalar.i == b.scalar.i &&
           std::memcmp(&a.scalar.f, &b.scalar.f, sizeof(double)) == 0;
  const ArrayView &x = a.array, &y = b.array;
  if (x.data != y.data || x.dtype != y.dtype || x.rank != y.rank)
    return false;
  for (int d = 0; d < x.rank; ++d)
    if (x.shape[d] != y.shape[d] || x.strides[d] != y.strides[d])
      return false;
  return true;
}

/// The step's call bound to its current arguments (rebound when they
/// changed); false when the engine cannot bind this kernel.
bool ensureBound(Step &step, ArrayView *out) {
  if (!step.bindable)
    return false;
  bool same = step.bound && step.boundArgs.size() == step.args.size();
  for (size_t i = 0; same && i < step.args.size(); ++i)
    same = sameArg(step.args[i], step.boundArgs[i]);
  if (same)
    return true;
  auto b = step.kernel->bind(step.args.data(), step.args.size(), out);
  if (!b) {
    step.bindable = false;
    return false;
  }
  step.bound.emplace(std::move(*b));
  step.boundArgs = step.args;
  return true;
}

Status runKernel(Plan &plan, Step &step) {
  for (size_t i = 0; i < step.params.size(); ++i) {
    const Slot &in = plan.slots[step.params[i]];
    step.args[i] = in.shape.scalar ? Arg::of(in.s) : Arg::of(in.v);
  }
  Slot &out = plan.slots[step.node];
  ArrayView *view = step.scalarResult ? nullptr : &out.v;
  Status s = ensureBound(step, view)
                 ? step.bound->run(step.scalarResult ? &out.s : nullptr)
                 : step.kernel->run(step.args.data(), step.args.size(), view,
                                    step.scalarResult ? &out.s : nullptr);
  if (s && !step.scalarResult && out.shape.scalar)
    out.s = readScalar(out.v);
  return s;
}

void runView(Plan &plan, const NodeGraph &g, const Step &step) {
  const Node &n = g.nodes[step.node];
  const Slot &src = plan.slots[plan.resolved[n.args[0]]];
  Slot &out = plan.slots[step.node];
  if (n.op == NodeOp::Transpose) {
    out.v = transposeView(src.v);
    return;
  }
  if (n.op == NodeOp::Lift || n.op == NodeOp::Drop) { // rank after Lift
    int rank = src.v.rank + (n.op == NodeOp::Lift ? 1 : 0);
    out.v = liftView(src.v, n.op, rank + n.axis);
    return;
  }
  int rank = static_cast<int>(plan.slots[n.args[1]].shape.dims.size());
  int at[kMaxRank] = {n.axis}, k = 1; // axis=(0, 1): several (no allocation)
  for (size_t i = 0; i < n.proto.moreAxes.size() && k < kMaxRank; ++i)
    at[k++] = n.proto.moreAxes[i];
  for (int i = 0; i < k; ++i)
    at[i] = at[i] < 0 ? at[i] + rank : at[i];
  std::sort(at, at + k);
  out.v = unsqueezeView(src.v, rank, at, k);
}

} // namespace

Status runPlan(Plan &plan, const NodeGraph &g, const std::vector<Arg> &inputs) {
  for (unsigned k = 0; k < g.paramCount; ++k) {
    Slot &slot = plan.slots[g.valueNode[k]];
    if (inputs[k].isArray)
      slot.v = inputs[k].array;
    else
      slot.s = inputs[k].scalar;
  }
  for (Step &step : plan.steps) {
    switch (step.kind) {
    case StepKind::Kernel:
      if (Status s = runKernel(plan, step); !s)
        return s;
      break;
    case StepKind::View: runView(plan, g, step); break;
    case StepKind::SumTo: {
      const Node &n = g.nodes[step.node];
      unsigned v = plan.resolved[n.args[0]];
      sumTo(plan.slots[v], g, v, plan.slots[n.args[2]].shape.dims,
            plan.slots[step.node]);
      break;
    }
    }
  }
  return {};
}

} // namespace kiln::tensor::graph
