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
  if (a.size() < 2 || b.size() < 2)
    return "'@' needs operands with at least 2 dimensions, got " + text(a) +
           " @ " + text(b);
  const int64_t k = a[a.size() - 1], kb = b[b.size() - 2];
  if (k != kb)
    return "'@': inner dimensions differ: " + text(a) + " @ " + text(b) + " (" +
           std::to_string(k) + " != " + std::to_string(kb) + ")";
  std::vector<int64_t> ba(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  auto batch = broadcastShapes({ba, bb});
  if (!batch)
    return "'@': batch dimensions of " + text(a) + " and " + text(b) +
           " do not broadcast";
  out = *batch;
  out.push_back(a[a.size() - 2]);
  out.push_back(b[b.size() - 1]);
  return "";
}

} // namespace kiln::tensor::syntax
