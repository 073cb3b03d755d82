// Grad: the adjoint rules (Grad.h).
//
// The adjoint of a node may be "lazily broadcast": an expression whose
// shape broadcasts to the node's shape and stands for that broadcast (the
// seed 1, or the gradient of a sum). A contribution through an elementwise
// operation is wrapped in SumTo(contribution, arg, node), which the planner
// drops when arg and node have one shape and otherwise turns into a sum
// over the broadcast dimensions. Each wrt value's gradient ends in
// SumTo(adjoint, w, w), which expands a lazy broadcast to w's shape.
#include "Grad.h"

#include <map>

namespace kiln::tensor::graph {

namespace {

class Reverse {
public:
  Reverse(NodeGraph &g, SourceLoc loc) : G(g), Loc(loc) {}

  Status run(unsigned loss, const std::vector<unsigned> &wrt);
  std::vector<unsigned> results(const std::vector<unsigned> &wrt);

private:
  NodeGraph &G;
  SourceLoc Loc;
  std::vector<bool> Needs; ///< depends on a wrt value
  std::map<unsigned, std::vector<unsigned>> Adj;
  unsigned N = 0;   ///< the node being differentiated
  unsigned Bar = 0; ///< its adjoint
  DType T = DType::F64;

  unsigned num(double v) { return G.number(v, T); }
  unsigned mul(unsigned a, unsigned b) { return G.binary(BinaryOp::Mul, a, b); }
  unsigned div(unsigned a, unsigned b) { return G.binary(BinaryOp::Div, a, b); }
  unsigned neg(unsigned a) { return G.unary(UnaryOp::Neg, a); }
  unsigned sub(unsigned a, unsigned b) { return G.binary(BinaryOp::Sub, a, b); }
  unsigned cast(unsigned v, DType to) {
    Node c;
    c.proto.kind = ExprKind::Cast;
    c.proto.castTo = to;
    c.args = {v};
    c.type = to;
    c.isArray = G.nodes[v].isArray;
    return G.add(std::move(c));
  }
  unsigned gate(unsigned cond, unsigned v) { return G.where(cond, v, num(0)); }
  /// `e` (broadcastable to this node's shape) flows to argument `x`.
  void elementwise(unsigned x, unsigned e) {
    if (Needs[x])
      Adj[x].push_back(G.special(NodeOp::SumTo, {e, x, N}, kLazySumTo));
  }
  /// `e` already broadcasts to `x`'s shape and stands for it.
  void direct(unsigned x, unsigned e) {
    if (Needs[x])
      Adj[x].push_back(e);
  }
  unsigned total(unsigned id) {
    const std::vector<unsigned> &c = Adj[id];
    unsigned sum = c[0];
    for (size_t i = 1; i < c.size(); ++i)
      sum = G.binary(BinaryOp::Add, sum, c[i]);
    return sum;
  }
  Status node(const Node &n);
  Status binary(const Node &n);
  Status call(const Node &n);
  void piecewise(const Node &n);
  void reduce(const Node &n);
  void matmul(const Node &n);
  Status unsupported(const std::string &what) {
    return Diagnostic{Loc,
                      "cannot differentiate " + what +
                          " (docs/tensor-graphs.md lists the rules)",
                      Severity::Error, ErrorKind::Type};
  }
};

Status Reverse::run(unsigned loss, const std::vector<unsigned> &wrt) {
  Needs.assign(loss + 1, false);
  for (unsigned w : wrt)
    if (w <= loss)
      Needs[w] = true;
  for (unsigned id = 0; id <= loss; ++id)
    for (unsigned a : G.nodes[id].args)
      if (Needs[a])
        Needs[id] = true;
  T = G.nodes[loss].type;
  Adj[loss].push_back(num(1));
  for (unsigned id = loss + 1; id-- > 0;) {
    if (!Needs[id] || !Adj.count(id) || G.nodes[id].op == NodeOp::Input)
      continue;
    N = id;
    Bar = total(id);
    Node n = G.nodes[id]; // a copy: adding nodes moves the vector
    T = n.type;
    if (Status s = node(n); !s)
      return s;
  }
  return {};
}

Status Reverse::node(const Node &n) {
  if (n.op != NodeOp::Expr)
    return unsupported("a gradient again (grad of grad)");
  const Expr &p = n.proto;
  if (!isFloat(n.type))
    return {}; // bool and integer values carry no gradient
  switch (p.kind) {
  case ExprKind::Unary: elementwise(n.args[0], neg(Bar)); return {};
  case ExprKind::Binary: return binary(n);
  case ExprKind::Call: return call(n);
  case ExprKind::Where:
    elementwise(n.args[1], gate(n.args[0], Bar));
    elementwise(n.args[2], G.where(n.args[0], num(0), Bar));
    return {};
  case ExprKind::Cast: {
    unsigned x = n.args[0];
    if (!isFloat(G.nodes[x].type))
      return {};
    elementwise(x, cast(Bar, G.nodes[x].type));
    return {};
  }
  case ExprKind::Reduce: reduce(n); return {};
  case ExprKind::MatMul: matmul(n); return {};
  default: return {};
  }
}

Status Reverse::binary(const Node &n) {
  unsigned a = n.args[0], b = n.args[1];
  switch (n.proto.binary) {
  case BinaryOp::Add:
    elementwise(a, Bar);
    elementwise(b, Bar);
    return {};
  case BinaryOp::Sub:
    elementwise(a, Bar);
    elementwise(b, neg(Bar));
    return {};
  case BinaryOp::Mul:
    if (a == b) { // x * x (also pow(x, 2)): one contribution, 2·g·x
      elementwise(a, mul(mul(num(2), Bar), a));
      return {};
    }
    elementwise(a, mul(Bar, b));
    elementwise(b, mul(Bar, a));
    return {};
  case BinaryOp::Div:
    elementwise(a, div(Bar, b));
    elementwise(b, neg(div(mul(Bar, N), b)));
    return {};
  case BinaryOp::Rem:
    if (Needs[b])
      return unsupported("'%' by its right operand");
    elementwise(a, Bar);
    return {};
  default: return {};
  }
}

/// The piecewise builtins: the adjoint flows where a branch is taken.
void Reverse::piecewise(const Node &n) {
  const std::vector<unsigned> &x = n.args;
  auto cmp = [&](BinaryOp op, unsigned l, unsigned r) {
    return G.binary(op, l, r);
  };
  switch (n.proto.builtin) {
  case Builtin::Abs:
    elementwise(x[0], G.where(cmp(BinaryOp::Lt, x[0], num(0)), neg(Bar), Bar));
    break;
  case Builtin::Min:
  case Builtin::Max: {
    BinaryOp op = n.proto.builtin == Builtin::Max ? BinaryOp::Ge : BinaryOp::Le;
    unsigned first = cmp(op, x[0], x[1]);
    elementwise(x[0], gate(first, Bar));
    elementwise(x[1], G.where(first, num(0), Bar));
    break;
  }
  case Builtin::Relu: // relu(x) > 0 exactly where x > 0: reads the result,
                      // so x need not be kept for the backward pass
    elementwise(x[0], gate(cmp(BinaryOp::Gt, N, num(0)), Bar));
    break;
  case Builtin::Clamp: {
    unsigned inside = G.binary(BinaryOp::And, cmp(BinaryOp::Ge, x[0], x[1]),
                               cmp(BinaryOp::Le, x[0], x[2]));
    elementwise(x[0], gate(inside, Bar));
    elementwise(x[1], gate(cmp(BinaryOp::Lt, x[0], x[1]), Bar));
    elementwise(x[2], gate(cmp(BinaryOp::Gt, x[0], x[2]), Bar));
    break;
  }
  default: break; // floor, ceil: zero almost everywhere
  }
}

Status Reverse::call(const Node &n) {
  const std::vector<unsigned> &x = n.args;
  auto fn = [&](Builtin f, unsigned v) { return G.call(f, {v}); };
  switch (n.proto.builtin) {
  case Builtin::Sqrt: elementwise(x[0], div(Bar, mul(num(2), N))); break;
  case Builtin::Exp: elementwise(x[0], mul(Bar, N)); break;
  case Builtin::Log: elementwise(x[0], div(Bar, x[0])); break;
  case Builtin::Sin: elementwise(x[0], mul(Bar, fn(Builtin::Cos, x[0]))); break;
  case Builtin::Cos:
    elementwise(x[0], neg(mul(Bar, fn(Builtin::Sin, x[0]))));
    break;
  case Builtin::Tanh:
    elementwise(x[0], mul(Bar, sub(num(1), mul(N, N))));
    break;
  case Builtin::Sigmoid:
    elementwise(x[0], mul(Bar, mul(N, sub(num(1), N))));
    break;
  case Builtin::Pow:
    elementwise(x[0], mul(Bar, mul(x[1], G.call(Builtin::Pow,
                                                {x[0], sub(x[1], num(1))}))));
    elementwise(x[1], mul(Bar, mul(N, fn(Builtin::Log, x[0]))));
    break;
  default: piecewise(n); break;
  }
  return {};
}

/// sum/mean spread the adjoint over the reduced elements; min/max give it
/// to the extreme elements, split evenly between ties (as PyTorch's amax).
void Reverse::reduce(const Node &n) {
  const Expr &p = n.proto;
  unsigned x = n.args[0];
  bool axis = p.hasAxis;
  std::vector<int> axes{p.axis}; // axis=(0, 1): all of them
  axes.insert(axes.end(), p.moreAxes.begin(), p.moreAxes.end());
  auto back = [&](unsigned v) {
    if (!axis || p.keepdims)
      return v;
    Node u; // Unsqueeze of every reduced axis (more in proto.moreAxes)
    u.op = NodeOp::Unsqueeze;
    u.axis = p.axis;
    u.proto.moreAxes = p.moreAxes;
    u.args = {v, x};
    u.type = G.nodes[v].type;
    u.isArray = true;
    return G.add(std::move(u));
  };
  unsigned g = back(Bar);
  switch (p.reduce) {
  case ReduceOp::Sum: direct(x, g); break;
  case ReduceOp::Mean: {
    unsigned count = G.special(NodeOp::Count, {x}, axis ? axes[0] : kWhole);
    for (size_t k = 1; axis && k < axes.size(); ++k)
      count = mul(count, G.special(NodeOp::Count, {x}, axes[k]));
    direct(x, div(g, count));
    break;
  }
  case ReduceOp::Prod: direct(x, div(mul(g, back(N)), x)); break;
  case ReduceOp::Min:
  case ReduceOp::Max: {
    unsigned mask = G.binary(BinaryOp::Eq, x, back(N));
    unsigned one = cast(mask, T);
    unsigned ties = one; // counted axis by axis (keepdims keeps them valid)
    for (size_t k = 0; axis && k < axes.size(); ++k)
      ties = G.reduce(ReduceOp::Sum, ties, true, axes[k], true);
    if (!axis)
      ties = G.reduce(ReduceOp::Sum, one, false, 0, false);
    direct(x, gate(mask, div(g, ties)));
    break;
  }
  default: break; // argmax/argmin: integer results
  }
}

/// d(a @ b) = g @ b^T for a and a^T @ g for b, each summed down to its
/// operand's shape when batch dimensions were broadcast. A 1-D operand
/// takes part as '@' promotes it (a as [1, K], b as [K, 1]; g gets the
/// dropped dimension back), and its gradient drops that dimension again:
/// A @ v gives A the outer product g v^T, v @ B gives B v g^T.
void Reverse::matmul(const Node &n) {
  unsigned a = n.args[0], b = n.args[1];
  auto lift = [&](unsigned v, unsigned operand, int axis) {
    return G.special(NodeOp::Lift, {v, operand}, axis);
  };
  unsigned full = G.special(NodeOp::SumTo, {Bar, N, N});
  unsigned g = lift(lift(full, b, -1), a, -2);
  auto mm = [&](unsigned l, unsigned r) {
    Node m;
    m.proto.kind = ExprKind::MatMul;
    m.args = {l, r};
    m.type = G.nodes[l].type;
    m.isArray = true;
    return G.add(std::move(m));
  };
  auto flow = [&](unsigned x, unsigned e, int axis) {
    e = G.special(NodeOp::Drop, {e, x}, axis);
    Adj[x].push_back(G.special(NodeOp::SumTo, {e, x, e}));
  };
  if (Needs[a])
    flow(a, mm(g, G.special(NodeOp::Transpose, {lift(b, b, -1)})), -2);
  if (Needs[b])
    flow(b, mm(G.special(NodeOp::Transpose, {lift(a, a, -2)}), g), -1);
}

std::vector<unsigned> Reverse::results(const std::vector<unsigned> &wrt) {
  std::vector<unsigned> out;
  for (unsigned w : wrt) {
    T = G.nodes[w].type;
    unsigned adj = Adj.count(w) ? total(w) : num(0);
    out.push_back(G.special(NodeOp::SumTo, {adj, w, w}));
  }
  return out;
}

} // namespace

Expected<std::vector<unsigned>> differentiate(NodeGraph &g, unsigned loss,
                                              const std::vector<unsigned> &wrt,
                                              SourceLoc loc) {
  Reverse r(g, loc);
  if (Status s = r.run(loss, wrt); !s)
    return s.takeDiagnostics();
  return r.results(wrt);
}

} // namespace kiln::tensor::graph
