// StaticPlan: scalars and arrays of a graph's nodes without shapes
// (StaticPlan.h); the partition itself is Plan.cpp's.
#include "StaticPlan.h"

namespace kiln::tensor::graph {

namespace {

/// Whether node `n` is a scalar, from its kind and its arguments' (as
/// nodeShape in Shapes.cpp decides it for real shapes).
bool scalarNode(const Node &n, const Plan &p) {
  auto argScalar = [&](size_t i) {
    return p.slots[p.resolved[n.args[i]]].shape.scalar;
  };
  switch (n.op) {
  case NodeOp::Input: return !n.isArray;
  case NodeOp::Count: return true;
  case NodeOp::SumTo: return argScalar(1);
  case NodeOp::Transpose: return false;
  case NodeOp::Expr: break;
  default: return argScalar(0); // Unsqueeze, Lift, Drop
  }
  if (n.proto.kind == ExprKind::Number)
    return true;
  if (n.proto.kind == ExprKind::MatMul)
    return false;
  if (n.proto.kind == ExprKind::Reduce)
    return !n.proto.hasAxis;
  for (size_t i = 0; i < n.args.size(); ++i)
    if (!argScalar(i))
      return false;
  return true;
}

} // namespace

void staticShapes(const NodeGraph &g, Plan &plan) {
  size_t count = g.nodes.size();
  plan.slots.assign(count, {});
  plan.resolved.resize(count);
  for (unsigned id = 0; id < count; ++id) {
    const Node &n = g.nodes[id];
    plan.slots[id].shape.scalar = scalarNode(n, plan);
    bool noop = n.op == NodeOp::Unsqueeze && plan.slots[id].shape.scalar;
    plan.resolved[id] = noop ? plan.resolved[n.args[0]] : id;
  }
}

} // namespace kiln::tensor::graph
