// AxisShape: per-node shapes of a kernel with axis reductions (NumPy rules:
// operands broadcast aligned at the right; an axis reduction removes its
// axis, or keeps it as 1 with keepdims; min/max of an empty axis raise).
#include "AxisShape.h"
#include "MatmulShape.h"

#include <algorithm>
#include <type_traits>
#include <unordered_set>

namespace kiln::tensor::syntax {
namespace {

std::string text(const Shape &s) {
  std::string t = "[";
  for (size_t d = 0; d < s.size(); ++d)
    t += (d ? ", " : "") + std::to_string(s[d]);
  return t + "]";
}

/// The sentence for an axis reduction whose argument has shape `s`, or "".
std::string axisProblem(const Expr &e, const Shape &s) {
  std::string name = reduceName(e.reduce);
  int r = int(s.size());
  std::vector<int> written{e.axis};
  written.insert(written.end(), e.moreAxes.begin(), e.moreAxes.end());
  for (int a : written)
    if (a < -r || a >= r)
      return "'" + name + "': axis " + std::to_string(a) +
             " is out of range for an argument of shape " + text(s) +
             " (rank " + std::to_string(r) + ")";
  std::vector<int> seen;
  for (int a : written) {
    int n = a < 0 ? a + r : a;
    for (int b : seen)
      if (b == n)
        return "'" + name + "': axis=" + axisText(e) + " names dimension " +
               std::to_string(n) + " twice for an argument of shape " +
               text(s);
    seen.push_back(n);
  }
  bool noIdentity = e.reduce == ReduceOp::Min || e.reduce == ReduceOp::Max ||
                    e.reduce == ReduceOp::ArgMax ||
                    e.reduce == ReduceOp::ArgMin;
  for (size_t k = 0; k < written.size(); ++k)
    if (noIdentity && s[size_t(seen[k])] == 0)
      return "'" + name + "': axis " + std::to_string(written[k]) +
             " of the argument's shape " + text(s) + " is empty, and " + name +
             " has no identity";
  return "";
}

struct Walker {
  const Kernel &K;
  const std::vector<Arg> &Args;
  ShapeMap &Shapes;

  std::string visit(const Expr &e) {
    if (Shapes.count(&e))
      return "";
    Shape out;
    std::vector<Shape> kids;
    for (const ExprRef &c : e.children) {
      if (std::string err = visit(*c); !err.empty())
        return err;
      kids.push_back(Shapes[c.get()]);
    }
    if (e.kind == ExprKind::Param && Args[e.param].isArray) {
      const ArrayView &v = Args[e.param].array;
      out.assign(v.shape, v.shape + v.rank);
    } else if (e.kind == ExprKind::Reduce && e.hasAxis) {
      if (std::string err = axisProblem(e, kids[0]); !err.empty())
        return err;
      out = kids[0];
      std::vector<int> axes = normalAxes(e, out.size());
      for (size_t k = axes.size(); k-- > 0;) // descending: indices hold
        if (e.keepdims)
          out[size_t(axes[k])] = 1;
        else
          out.erase(out.begin() + axes[k]);
    } else if (e.kind == ExprKind::MatMul) {
      if (std::string err = matmulShape(kids[0], kids[1], out); !err.empty())
        return err;
    } else if (e.kind != ExprKind::Reduce && !kids.empty()) {
      auto b = broadcastShapes(kids);
      if (!b)
        return "operand shapes " + text(kids[0]) + " and " + text(kids[1]) +
               (kids.size() > 2 ? " and " + text(kids[2]) : "") +
               " do not broadcast";
      out = *b;
    }
    Shapes[&e] = out;
    return "";
  }
};

template <class T>
int64_t argBestOf(const T *x, int64_t n, int64_t stride, bool isMax) {
  auto at = [&](int64_t i) { // bools by truth value, whatever the byte
    if constexpr (std::is_same_v<T, uint8_t>)
      return T(x[i * stride] != 0);
    else
      return x[i * stride];
  };
  int64_t best = 0;
  for (int64_t i = 0; i < n; ++i) {
    T v = at(i), b = at(best);
    if (v != v) // NaN: the first one wins
      return i;
    if (isMax ? v > b : v < b)
      best = i;
  }
  return best;
}

} // namespace

int64_t argBest(DType type, const void *data, int64_t n, int64_t stride,
                bool isMax) {
  switch (type) {
  case DType::Bool:
    return argBestOf(static_cast<const uint8_t *>(data), n, stride, isMax);
  case DType::I32:
    return argBestOf(static_cast<const int32_t *>(data), n, stride, isMax);
  case DType::I64:
    return argBestOf(static_cast<const int64_t *>(data), n, stride, isMax);
  case DType::F32:
    return argBestOf(static_cast<const float *>(data), n, stride, isMax);
  case DType::F64:
    return argBestOf(static_cast<const double *>(data), n, stride, isMax);
  }
  return 0;
}

bool hasAxisReduce(const Expr &root) {
  std::vector<const Expr *> todo{&root};
  std::unordered_set<const Expr *> seen; // a DAG: each node once
  while (!todo.empty()) {
    const Expr *e = todo.back();
    todo.pop_back();
    if ((e->kind == ExprKind::Reduce && e->hasAxis) ||
        e->kind == ExprKind::MatMul) // a @ b: also a shape of its own
      return true;
    for (const ExprRef &c : e->children)
      if (c && seen.insert(c.get()).second)
        todo.push_back(c.get());
  }
  return false;
}

int normalAxis(const Expr &reduce, size_t rank) {
  return reduce.axis < 0 ? reduce.axis + int(rank) : reduce.axis;
}

std::vector<int> normalAxes(const Expr &reduce, size_t rank) {
  std::vector<int> axes{normalAxis(reduce, rank)};
  for (int a : reduce.moreAxes)
    axes.push_back(a < 0 ? a + int(rank) : a);
  std::sort(axes.begin(), axes.end());
  return axes;
}

std::string nodeShapes(const Kernel &kernel, const std::vector<Arg> &args,
                       ShapeMap &shapes) {
  return Walker{kernel, args, shapes}.visit(*kernel.body);
}

} // namespace kiln::tensor::syntax
