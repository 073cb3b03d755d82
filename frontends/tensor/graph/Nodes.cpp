// Nodes: building a NodeGraph — typed constructors that deduplicate, and
// the lowering of typed statements (Nodes.h).
#include "Nodes.h"

#include "Grad.h"

#include <cmath>
#include <unordered_map>

namespace kiln::tensor::graph {

namespace {

/// What makes two nodes the same operation on the same arguments.
std::string keyOf(const Node &n) {
  const Expr &p = n.proto;
  std::string k = std::to_string(static_cast<int>(n.op)) + ":" +
                  std::to_string(static_cast<int>(p.kind)) + ":" +
                  std::to_string(static_cast<int>(n.type)) + ":" +
                  std::to_string(n.axis);
  if (n.op == NodeOp::Expr) {
    char num[40];
    std::snprintf(num, sizeof num, "%.17g", p.number);
    k += ":" + std::to_string(static_cast<int>(p.unary)) + "," +
         std::to_string(static_cast<int>(p.binary)) + "," +
         std::to_string(static_cast<int>(p.builtin)) + "," +
         std::to_string(static_cast<int>(p.reduce)) + "," +
         std::to_string(p.hasAxis) + std::to_string(p.keepdims) +
         std::to_string(p.axis) + "," +
         std::to_string(static_cast<int>(p.castTo)) + "," + num +
         std::to_string(p.numberIsInt);
  }
  for (int a : n.proto.moreAxes) // axis=(0, 1) is not axis=0 (Unsqueeze too)
    k += ";" + std::to_string(a);
  for (unsigned a : n.args)
    k += "," + std::to_string(a);
  return k;
}

Node exprNode(ExprKind kind, std::vector<unsigned> args) {
  Node n;
  n.proto.kind = kind;
  n.args = std::move(args);
  return n;
}

} // namespace

unsigned NodeGraph::add(Node n) {
  if (n.op != NodeOp::Input) {
    auto [it, fresh] = Index.emplace(keyOf(n), nodes.size());
    if (!fresh)
      return it->second;
  }
  nodes.push_back(std::move(n));
  return static_cast<unsigned>(nodes.size() - 1);
}

bool NodeGraph::isNumber(unsigned id, double v) const {
  const Node &n = nodes[id];
  return n.op == NodeOp::Expr && n.proto.kind == ExprKind::Number &&
         n.proto.number == v;
}

unsigned NodeGraph::number(double v, DType t) {
  Node n = exprNode(ExprKind::Number, {});
  n.proto.number = v;
  n.proto.numberIsInt = v == std::floor(v) && std::fabs(v) < 9e15;
  n.type = t;
  return add(std::move(n));
}

unsigned NodeGraph::unary(UnaryOp op, unsigned x) {
  // A negated literal folds (sema would give `-(1)` its own i64 type).
  if (op == UnaryOp::Neg && nodes[x].op == NodeOp::Expr &&
      nodes[x].proto.kind == ExprKind::Number)
    return number(-nodes[x].proto.number, nodes[x].type);
  Node n = exprNode(ExprKind::Unary, {x});
  n.proto.unary = op;
  n.type = nodes[x].type;
  n.isArray = nodes[x].isArray;
  return add(std::move(n));
}

/// The dtype of an operation: its first operand that is not a literal.
static DType operandType(const NodeGraph &g, const std::vector<unsigned> &a) {
  for (unsigned id : a)
    if (g.nodes[id].proto.kind != ExprKind::Number ||
        g.nodes[id].op != NodeOp::Expr)
      return g.nodes[id].type;
  return g.nodes[a[0]].type;
}

static bool anyArray(const NodeGraph &g, const std::vector<unsigned> &a) {
  for (unsigned id : a)
    if (g.nodes[id].isArray)
      return true;
  return false;
}

unsigned NodeGraph::binary(BinaryOp op, unsigned a, unsigned b) {
  if (isNumber(a, nodes[a].proto.number) &&
      isNumber(b, nodes[b].proto.number) && op <= BinaryOp::Div) {
    double x = nodes[a].proto.number, y = nodes[b].proto.number;
    double v = op == BinaryOp::Add   ? x + y
               : op == BinaryOp::Sub ? x - y
               : op == BinaryOp::Mul ? x * y
                                     : x / y;
    if (std::isfinite(v))
      return number(v, nodes[a].type);
  }
  Node n = exprNode(ExprKind::Binary, {a, b});
  n.proto.binary = op;
  n.type = op >= BinaryOp::Lt ? DType::Bool : operandType(*this, n.args);
  n.isArray = anyArray(*this, n.args);
  return add(std::move(n));
}

unsigned NodeGraph::call(Builtin fn, std::vector<unsigned> args) {
  Node n = exprNode(ExprKind::Call, std::move(args));
  n.proto.builtin = fn;
  n.type = operandType(*this, n.args);
  n.isArray = anyArray(*this, n.args);
  return add(std::move(n));
}

unsigned NodeGraph::where(unsigned c, unsigned a, unsigned b) {
  Node n = exprNode(ExprKind::Where, {c, a, b});
  n.type = operandType(*this, {a, b});
  n.isArray = anyArray(*this, n.args);
  return add(std::move(n));
}

unsigned NodeGraph::reduce(ReduceOp op, unsigned x, bool hasAxis, int axis,
                           bool keepdims) {
  Node n = exprNode(ExprKind::Reduce, {x});
  n.proto.reduce = op;
  n.proto.hasAxis = hasAxis;
  n.proto.axis = axis;
  n.proto.keepdims = keepdims;
  n.type = nodes[x].type;
  n.isArray = hasAxis;
  return add(std::move(n));
}

unsigned NodeGraph::special(NodeOp op, std::vector<unsigned> args, int axis) {
  Node n;
  n.op = op;
  n.axis = axis;
  n.args = std::move(args);
  const Node &first = nodes[n.args[0]];
  n.type = first.type;
  n.isArray = op != NodeOp::Count;
  if (op == NodeOp::SumTo) {
    n.type = nodes[n.args[1]].type;
    n.isArray = nodes[n.args[1]].isArray;
  }
  return add(std::move(n));
}

namespace {

/// Lowers typed statement expressions; Param k is value k's node.
class Lowering {
public:
  explicit Lowering(NodeGraph &g) : G(g) {}

  unsigned lower(const ExprRef &e) {
    if (auto it = Memo.find(e.get()); it != Memo.end())
      return it->second;
    unsigned id = build(*e);
    Memo[e.get()] = id;
    return id;
  }

private:
  NodeGraph &G;
  std::unordered_map<const Expr *, unsigned> Memo;

  unsigned build(const Expr &e) {
    if (e.kind == ExprKind::Param)
      return G.valueNode[e.param];
    std::vector<unsigned> args;
    for (const ExprRef &c : e.children)
      args.push_back(lower(c));
    // pow(x, 2) is x * x: exact, much cheaper, and its derivative is simple.
    if (e.kind == ExprKind::Call && e.builtin == Builtin::Pow &&
        G.isNumber(args[1], 2))
      return G.binary(BinaryOp::Mul, args[0], args[0]);
    Node n;
    n.proto = e;
    n.proto.children.clear();
    n.args = std::move(args);
    n.type = e.type;
    n.isArray = e.isArray;
    return G.add(std::move(n));
  }
};

} // namespace

Expected<NodeGraph> buildNodes(const Graph &g) {
  NodeGraph ng;
  ng.paramCount = g.paramCount;
  for (unsigned k = 0; k < g.paramCount; ++k) {
    Node n;
    n.op = NodeOp::Input;
    n.axis = static_cast<int>(k);
    n.type = g.values[k].type;
    n.isArray = g.values[k].isArray;
    ng.valueNode.push_back(ng.add(std::move(n)));
  }
  Lowering lowering(ng);
  for (const GraphStmt &s : g.stmts) {
    if (!s.isGrad) {
      ng.valueNode.push_back(lowering.lower(s.body));
      continue;
    }
    std::vector<unsigned> wrt;
    for (unsigned v : s.wrt)
      wrt.push_back(ng.valueNode[v]);
    auto grads = differentiate(ng, ng.valueNode[s.of], wrt, s.loc);
    if (!grads)
      return grads.takeDiagnostics();
    for (unsigned id : *grads)
      ng.valueNode.push_back(id);
  }
  return ng;
}

} // namespace kiln::tensor::graph
