// Shapes: every node's shape for one call's inputs, and which SumTo and
// Unsqueeze nodes are no-ops for them (Plan.h).
//
// NumPy's rules, as the kernels apply them: elementwise operations
// broadcast, an axis reduction drops (or keeps as 1) its axis, a matrix
// product takes [..., M, K] @ [..., K, N]. A mismatch is the caller's
// error, reported with the statement's line and column.
#include "Plan.h"

#include "tensor/syntax/Limits.h"
#include "tensor/syntax/MatmulShape.h"

#include <algorithm>

namespace kiln::tensor::graph {

namespace {

std::string shapeText(const std::vector<int64_t> &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

Diagnostic at(const Node &n, std::string message) {
  std::string where =
      n.proto.loc.line ? " (line " + std::to_string(n.proto.loc.line) +
                             ", column " + std::to_string(n.proto.loc.col) + ")"
                       : "";
  return callError(message + where);
}

Shape arrayOf(std::vector<int64_t> d) { return {false, std::move(d)}; }

/// [..., M, K] @ [..., K, N] with broadcast batch dimensions, 1-D operands
/// as in NumPy: the kernels' rule (syntax/MatmulShape.h), so modes agree.
Expected<Shape> matmulShape(const Node &n, const Shape &a, const Shape &b) {
  std::vector<int64_t> out;
  std::string problem = syntax::matmulShape(a.dims, b.dims, out);
  if (!problem.empty())
    return at(n, problem);
  return arrayOf(out);
}

/// An axis as an index into dims of rank `rank`, or -1.
int normalAxis(int axis, size_t rank) {
  int r = static_cast<int>(rank);
  int a = axis < 0 ? axis + r : axis;
  return a >= 0 && a < r ? a : -1;
}

/// An axis reduction's shape: each axis of `axis=` (one, or several as
/// `axis=(0, 1)`) removed, or kept as 1 with keepdims.
Expected<Shape> reducedShape(const Node &n, const Shape &x) {
  const Expr &p = n.proto;
  std::vector<int> axes{p.axis}; // axis=(0, 1): every axis, erased last first
  axes.insert(axes.end(), p.moreAxes.begin(), p.moreAxes.end());
  std::vector<int> seen;
  for (int w : axes) {
    int a = normalAxis(w, x.dims.size());
    bool twice = std::count(seen.begin(), seen.end(), a) != 0;
    if (x.scalar || a < 0 || twice)
      return at(n,
                std::string("'") + reduceName(p.reduce) + "': axis " +
                    std::to_string(w) +
                    (twice ? " names a dimension twice" : " is out of range") +
                    " for shape " + shapeText(x.dims));
    seen.push_back(a);
  }
  std::sort(seen.rbegin(), seen.rend());
  std::vector<int64_t> d = x.dims;
  for (int a : seen)
    if (p.keepdims)
      d[a] = 1;
    else
      d.erase(d.begin() + a);
  return arrayOf(d);
}

Expected<Shape> exprShape(const Node &n, const std::vector<Shape> &args) {
  const Expr &p = n.proto;
  if (p.kind == ExprKind::Number)
    return Shape{};
  if (p.kind == ExprKind::MatMul)
    return matmulShape(n, args[0], args[1]);
  if (p.kind == ExprKind::Reduce) {
    if (!p.hasAxis)
      return Shape{};
    return reducedShape(n, args[0]);
  }
  std::vector<std::vector<int64_t>> shapes;
  for (const Shape &s : args)
    if (!s.scalar)
      shapes.push_back(s.dims);
  if (shapes.empty())
    return Shape{};
  auto b = broadcastShapes(shapes);
  if (!b) {
    std::string list;
    for (auto &s : shapes)
      list += (list.empty() ? "" : " and ") + shapeText(s);
    return at(n, "shapes " + list + " do not broadcast");
  }
  return arrayOf(*b);
}

/// Unsqueeze: v (which broadcasts to `of` without the reduced axes) with
/// the axes back as 1; a scalar stays a scalar.
Shape unsqueezed(const Shape &v, const Shape &of, const Node &n) {
  if (v.scalar)
    return v;
  size_t r = of.dims.size(), k = 1 + n.proto.moreAxes.size();
  std::vector<int> at{normalAxis(n.axis, r)};
  for (int a : n.proto.moreAxes)
    at.push_back(normalAxis(a, r));
  std::sort(at.begin(), at.end()); // inserted lowest first
  std::vector<int64_t> d(r - k - std::min(r - k, v.dims.size()), 1);
  d.insert(d.end(), v.dims.begin(), v.dims.end());
  for (int a : at)
    d.insert(d.begin() + a, 1);
  return arrayOf(d);
}

/// Lift and Drop: the size-1 dimension '@' adds to a 1-D operand, put in
/// at n.axis (-1 or -2) or taken out; a no-op unless args[1] is 1-D.
Shape liftShape(const Node &n, const std::vector<Shape> &args, bool &noop) {
  noop = args[1].scalar || args[1].dims.size() != 1;
  Shape out = args[0];
  if (noop)
    return out;
  auto at = out.dims.end() + (n.axis + (n.op == NodeOp::Lift ? 1 : 0));
  if (n.op == NodeOp::Lift)
    out.dims.insert(at, 1);
  else
    out.dims.erase(at);
  return out;
}

/// Node `n`'s shape from its arguments' (`args`); `noop` is set when the
/// node passes its first argument through unchanged for these shapes.
Expected<Shape> nodeShape(const NodeGraph &g, const Node &n,
                          const std::vector<Shape> &args,
                          const std::vector<Arg> &inputs, bool &noop) {
  noop = false;
  switch (n.op) {
  case NodeOp::Input: {
    const Arg &in = inputs[n.axis];
    return in.isArray
               ? arrayOf({in.array.shape, in.array.shape + in.array.rank})
               : Shape{};
  }
  case NodeOp::Expr: return exprShape(n, args);
  case NodeOp::SumTo: {
    // A value of like's shape that stands for a broadcast to a larger
    // space still sums (a [1, 4] adjoint of an [3, 4] sum: 3 times it).
    bool sameAsLike =
        args[0] == args[1] && args[1] == args[2] && !g.isNumber(n.args[0], 0);
    bool lazy = n.axis == kLazySumTo && args[1] == args[2];
    noop = sameAsLike || lazy;
    return noop ? args[0] : args[1];
  }
  case NodeOp::Count: return Shape{};
  case NodeOp::Unsqueeze:
    noop = args[0].scalar;
    return unsqueezed(args[0], args[1], n);
  case NodeOp::Lift:
  case NodeOp::Drop: return liftShape(n, args, noop);
  case NodeOp::Transpose: {
    Shape out = args[0];
    size_t r = out.dims.size();
    if (r < 2)
      return at(n, "the gradient of '@' needs operands of rank 2 to 4 (a "
                   "1-D operand has no transpose; pass a [1, K] or [K, 1] "
                   "view)");
    std::swap(out.dims[r - 2], out.dims[r - 1]);
    return out;
  }
  }
  return Shape{};
}

} // namespace

Status inferShapes(const NodeGraph &g, const std::vector<Arg> &inputs,
                   Plan &plan) {
  size_t count = g.nodes.size();
  plan.slots.assign(count, {});
  plan.resolved.resize(count);
  std::vector<Shape> args;
  for (unsigned id = 0; id < count; ++id) {
    const Node &n = g.nodes[id];
    args.clear();
    for (unsigned a : n.args)
      args.push_back(plan.slots[plan.resolved[a]].shape);
    bool noop = false;
    auto shape = nodeShape(g, n, args, inputs, noop);
    if (!shape)
      return shape.takeDiagnostics();
    if (syntax::elementCount(shape->dims.data(), int(shape->dims.size())) < 0)
      return at(n, "a value of shape " + shapeText(shape->dims) +
                       " has too many elements (the limit is 2^60)");
    plan.slots[id].shape = *shape;
    plan.resolved[id] = noop ? plan.resolved[n.args[0]] : id;
  }
  return {};
}

} // namespace kiln::tensor::graph
