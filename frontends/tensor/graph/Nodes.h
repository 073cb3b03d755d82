// Nodes: a graph as one operation per node — the form differentiation and
// fusion work on.
//
// Statements are expression trees over earlier statements; gradients need
// every operation on its own (each gets an adjoint) and a few operations
// the kernel language has no syntax for: reducing a gradient back to the
// shape of a broadcast operand, counting elements, re-inserting a reduced
// axis, transposing a matrix. Nodes are appended in dependency order (an
// argument's id is below its user's) and deduplicated, so the planner can
// walk them by id and fuse chains back into kernels.
#pragma once

#include "kiln/tensor/Graph.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::tensor::graph {

enum class NodeOp {
  Input,     ///< graph parameter `axis`
  Expr,      ///< one kernel-language operation: `proto` over args
  SumTo,     ///< args {value, like, space}: value broadcast to space's shape,
             ///< summed down to like's shape (gradients of broadcasts)
  Count,     ///< elements of args[0] (axis: kWhole, or along that axis)
  Unsqueeze, ///< args {value, of}: value with `axis` of `of` put back as 1
  Transpose, ///< args[0] with its last two dimensions swapped (a view)
  Lift,      ///< args {value, operand}: value with a 1 inserted at `axis`
             ///< (-1 or -2) when operand is 1-D, as '@' promotes it
  Drop,      ///< args {value, operand}: value without its 1 at `axis`
             ///< (-1 or -2) when operand is 1-D (Lift undone)
};

constexpr int kWhole = 1000; ///< Count over every element
/// SumTo's axis field: 0 = the result has exactly like's shape (gradients
/// returned, matmul operands); kLazySumTo = a value that only broadcasts to
/// like's shape may stand for it (adjoints inside the backward pass).
constexpr int kLazySumTo = 1;

struct Node {
  NodeOp op = NodeOp::Expr;
  Expr proto = Expr{}; ///< Expr: kind, operator, literal, axis; children unused
  std::vector<unsigned> args;
  DType type = DType::F64;
  bool isArray = false;
  int axis = 0; ///< Input: parameter index; Count/Unsqueeze: the axis
};

/// The nodes of one graph and the values its statements name.
struct NodeGraph {
  std::vector<Node> nodes;
  std::vector<unsigned> valueNode; ///< Graph::values index -> node id
  unsigned paramCount = 0;

  /// The id of `n`, added unless an equal node exists.
  unsigned add(Node n);
  unsigned number(double v, DType t);
  unsigned unary(UnaryOp op, unsigned x);
  unsigned binary(BinaryOp op, unsigned a, unsigned b);
  unsigned call(Builtin fn, std::vector<unsigned> args);
  unsigned where(unsigned c, unsigned a, unsigned b);
  unsigned reduce(ReduceOp op, unsigned x, bool hasAxis, int axis,
                  bool keepdims);
  unsigned special(NodeOp op, std::vector<unsigned> args, int axis = 0);
  bool isNumber(unsigned id, double v) const;

private:
  std::map<std::string, unsigned> Index;
};

/// The nodes of `g`; grad statements are differentiated here. Errors
/// (an operation with no derivative on the path to a grad) are located.
Expected<NodeGraph> buildNodes(const Graph &g);

} // namespace kiln::tensor::graph
