// MatmulShape: NumPy matmul's shape rule for `a @ b` (see MatmulShape.h).
#include "MatmulShape.h"

#include "kiln/tensor/Array.h"

#include <unordered_set>

namespace kiln::tensor::syntax {
namespace {

std::string text(const std::vector<int64_t> &s) {
  std::string t = "[";
  for (size_t d = 0; d < s.size(); ++d)
    t += (d ? ", " : "") + std::to_string(s[d]);
  return t + "]";
}

} // namespace

bool hasMatmul(const Expr &root) {
  std::vector<const Expr *> todo{&root};
  std::unordered_set<const Expr *> seen; // a DAG: each node once
  while (!todo.empty()) {
    const Expr *e = todo.back();
    todo.pop_back();
    if (e->kind == ExprKind::MatMul)
      return true;
    for (const ExprRef &c : e->children)
      if (c && seen.insert(c.get()).second)
        todo.push_back(c.get());
  }
  return false;
}

std::string matmulShape(const std::vector<int64_t> &a,
                        const std::vector<int64_t> &b,
                        std::vector<int64_t> &out) {
  if (a.empty() || b.empty())
    return "'@' needs array operands of at least 1 dimension, got " + text(a) +
           " @ " + text(b);
  std::vector<int64_t> pa = a, pb = b;
  promoteVectors(pa, pb);
  const int64_t k = pa[pa.size() - 1], kb = pb[pb.size() - 2];
  if (k != kb)
    return "'@': inner dimensions differ: " + text(a) + " @ " + text(b) + " (" +
           std::to_string(k) + " != " + std::to_string(kb) + ")";
  std::vector<int64_t> ba(pa.begin(), pa.end() - 2),
      bb(pb.begin(), pb.end() - 2);
  auto batch = broadcastShapes({ba, bb});
  if (!batch)
    return "'@': batch dimensions of " + text(a) + " and " + text(b) +
           " do not broadcast";
  out = *batch;
  if (a.size() > 1) // a 1-D operand's dimension is dropped again (NumPy)
    out.push_back(pa[pa.size() - 2]);
  if (b.size() > 1)
    out.push_back(pb[pb.size() - 1]);
  return "";
}

void promoteVectors(std::vector<int64_t> &a, std::vector<int64_t> &b) {
  if (a.size() == 1)
    a.insert(a.begin(), 1);
  if (b.size() == 1)
    b.push_back(1);
}

} // namespace kiln::tensor::syntax
