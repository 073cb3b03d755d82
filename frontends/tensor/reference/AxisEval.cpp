// AxisEval: node-by-node evaluation with per-node shapes (see AxisEval.h).
#include "AxisEval.h"

#include "Loops.h"
#include "Matmul.h"
#include "Plan.h"
#include "tensor/syntax/AxisShape.h"

#include <cstring>
#include <new>
#include <unordered_map>

namespace kiln::tensor {
namespace {

using syntax::Shape;

int64_t count(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

/// A node's value: contiguous, row-major, of `shape`.
struct Value {
  DType type = DType::F64;
  Shape shape;
  std::vector<uint64_t> words;
  void allocate(DType t, Shape s) {
    type = t;
    shape = std::move(s);
    words.assign(size_t(count(shape) * dtypeSize(t) + 15) / 8, 0);
  }
  char *data() { return reinterpret_cast<char *>(words.data()); }
  const char *data() const {
    return reinterpret_cast<const char *>(words.data());
  }
};

/// Copies between a strided layout and a contiguous one of `shape`:
/// element i of the contiguous side is at sum(idx[d] * strides[d]) of the
/// other (element strides). `toStrided` picks the direction.
void copyStrided(char *contig, char *strided, const Shape &shape,
                 const std::vector<int64_t> &strides, unsigned size,
                 bool toStrided) {
  std::vector<int64_t> idx(shape.size(), 0);
  const int64_t n = count(shape);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      off += idx[d] * strides[d];
    char *s = strided + off * int64_t(size), *c = contig + i * int64_t(size);
    std::memcpy(toStrided ? s : c, toStrided ? c : s, size);
    for (size_t d = shape.size(); d-- > 0;)
      if (++idx[d] < shape[d])
        break;
      else
        idx[d] = 0;
  }
}

/// `v` broadcast to `to` (NumPy rules, aligned at the right), copied.
Value expand(const Value &v, const Shape &to) {
  if (v.shape == to)
    return v;
  std::vector<int64_t> strides(to.size(), 0);
  int64_t step = 1;
  for (size_t d = v.shape.size(); d-- > 0;) {
    strides[to.size() - v.shape.size() + d] = v.shape[d] == 1 ? 0 : step;
    step *= v.shape[d];
  }
  Value out;
  out.allocate(v.type, to);
  copyStrided(out.data(), const_cast<char *>(v.data()), to, strides,
              dtypeSize(v.type), false);
  return out;
}

struct Evaluator {
  const std::vector<Arg> &Args;
  syntax::ShapeMap &Shapes;
  std::unordered_map<const Expr *, Value> Memo;

  const Value &eval(const Expr &e) {
    if (auto it = Memo.find(&e); it != Memo.end())
      return it->second;
    Value v = compute(e);
    return Memo[&e] = std::move(v);
  }

  Value leaf(const Expr &e) {
    Value v;
    if (e.kind == ExprKind::Number) {
      v.allocate(e.type, {});
      ref::applyCast(DType::F64, e.type, {&e.number, true}, v.data(), 1);
    } else if (!Args[e.param].isArray) {
      const Scalar &s = Args[e.param].scalar;
      v.allocate(e.type, {});
      if (isFloat(s.dtype))
        ref::applyCast(DType::F64, e.type, {&s.f, true}, v.data(), 1);
      else
        ref::applyCast(DType::I64, e.type, {&s.i, true}, v.data(), 1);
    } else {
      const ArrayView &a = Args[e.param].array;
      v.allocate(e.type, Shape(a.shape, a.shape + a.rank));
      copyStrided(v.data(), static_cast<char *>(a.data), v.shape,
                  std::vector<int64_t>(a.strides, a.strides + a.rank),
                  dtypeSize(e.type), false);
    }
    return v;
  }

  /// sum/prod/min/max/mean over several axes (`axis=(0, 2)`): per output
  /// element, the reduced positions gathered in row-major order into one
  /// line and folded pairwise, as for one axis.
  Value reduceAxes(const Expr &e, const Value &x) {
    std::vector<int> axes = syntax::normalAxes(e, x.shape.size());
    std::vector<bool> reduced(x.shape.size(), false);
    for (int a : axes)
      reduced[size_t(a)] = true;
    Shape keptShape, lineShape;
    std::vector<int64_t> keptStride, lineStride;
    int64_t step = 1;
    std::vector<int64_t> strides(x.shape.size());
    for (size_t d = x.shape.size(); d-- > 0;)
      strides[d] = step, step *= x.shape[d];
    for (size_t d = 0; d < x.shape.size(); ++d) {
      (reduced[d] ? lineShape : keptShape).push_back(x.shape[d]);
      (reduced[d] ? lineStride : keptStride).push_back(strides[d]);
    }
    Value out, line;
    out.allocate(e.type, Shapes[&e]);
    line.allocate(x.type, lineShape);
    const unsigned size = dtypeSize(x.type);
    const int64_t outer = count(keptShape), len = count(lineShape);
    for (int64_t o = 0; o < outer; ++o) {
      int64_t rest = o, first = 0; // the output element's first input
      for (size_t d = keptShape.size(); d-- > 0;) {
        first += (rest % keptShape[d]) * keptStride[d];
        rest /= keptShape[d];
      }
      copyStrided(line.data(), const_cast<char *>(x.data()) + first * size,
                  lineShape, lineStride, size, false);
      ref::Accum acc;
      ref::accumInit(acc, e.reduce, x.type);
      ref::accumulatePairwise(acc, {line.data(), false}, len);
      ref::accumFinish(acc, e.type, out.data() + o * dtypeSize(e.type));
    }
    return out;
  }

  Value reduceAxis(const Expr &e, const Value &x) {
    if (!e.moreAxes.empty())
      return reduceAxes(e, x);
    size_t a = size_t(syntax::normalAxis(e, x.shape.size()));
    int64_t outer = count(Shape(x.shape.begin(), x.shape.begin() + long(a)));
    int64_t len = x.shape[a];
    int64_t inner = count(Shape(x.shape.begin() + long(a) + 1, x.shape.end()));
    Value out, line;
    out.allocate(e.type, Shapes[&e]);
    line.allocate(x.type, {len});
    const unsigned size = dtypeSize(x.type);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        char *to = out.data() + (o * inner + i) * dtypeSize(e.type);
        const char *first = x.data() + (o * len * inner + i) * size;
        if (e.reduce == ReduceOp::ArgMax || e.reduce == ReduceOp::ArgMin) {
          int64_t best = syntax::argBest(x.type, first, len, inner,
                                         e.reduce == ReduceOp::ArgMax);
          std::memcpy(to, &best, sizeof best);
          continue;
        }
        for (int64_t k = 0; k < len; ++k)
          std::memcpy(line.data() + k * size, first + k * inner * size, size);
        ref::Accum acc;
        ref::accumInit(acc, e.reduce, x.type);
        ref::accumulatePairwise(acc, {line.data(), false}, len);
        ref::accumFinish(acc, e.type, to);
      }
    return out;
  }

  Value compute(const Expr &e) {
    if (e.kind == ExprKind::Number || e.kind == ExprKind::Param)
      return leaf(e);
    if (e.kind == ExprKind::MatMul) { // a plain triple loop (Matmul.h)
      const Value &a = eval(*e.children[0]), &b = eval(*e.children[1]);
      Value out;
      out.allocate(e.type, Shapes[&e]);
      ref::matmul(e.type, a.data(), a.shape, b.data(), b.shape, out.data(),
                  out.shape);
      return out;
    }
    if (e.kind == ExprKind::Reduce) {
      const Value &x = eval(*e.children[0]);
      if (e.hasAxis)
        return reduceAxis(e, x);
      Value out;
      out.allocate(e.type, {});
      ref::Accum acc;
      ref::accumInit(acc, e.reduce, x.type);
      ref::accumulatePairwise(acc, {x.data(), false}, count(x.shape));
      ref::accumFinish(acc, e.type, out.data());
      return out;
    }
    return elementwise(e);
  }

  Value elementwise(const Expr &e) {
    const Shape &shape = Shapes[&e];
    std::vector<Value> kids;
    ref::Operand ops[3];
    for (size_t k = 0; k < e.children.size(); ++k) {
      const Value &c = eval(*e.children[k]);
      kids.push_back(c.shape.empty() ? c : expand(c, shape));
      ops[k] = {nullptr, c.shape.empty()};
    }
    for (size_t k = 0; k < kids.size(); ++k)
      ops[k].data = kids[k].data();
    Value out;
    out.allocate(e.type, shape);
    const int64_t n = count(shape);
    const DType arg = e.children[0]->type;
    switch (e.kind) {
    case ExprKind::Unary:
      ref::applyUnary(e.unary, e.type, ops[0], out.data(), n);
      break;
    case ExprKind::Binary:
      ref::applyBinary(e.binary, arg, ops[0], ops[1], out.data(), n);
      break;
    case ExprKind::Call:
      ref::applyCall(e.builtin, e.type, ops, out.data(), n);
      break;
    case ExprKind::Cast:
      ref::applyCast(arg, e.type, ops[0], out.data(), n);
      break;
    case ExprKind::Where:
      ref::applyWhere(e.type, ops[0], ops[1], ops[2], out.data(), n);
      break;
    default: break;
    }
    return out;
  }
};

std::string run(const Kernel &kernel, const std::vector<Arg> &args,
                ArrayView *out, Scalar *result) {
  if (Status call = checkCall(kernel, args, out); !call)
    return call.diagnostics().front().message;
  syntax::ShapeMap shapes;
  syntax::nodeShapes(kernel, args, shapes);
  Evaluator ev{args, shapes, {}};
  const Value &root = ev.eval(*kernel.body);
  if (!kernel.resultIsArray) {
    *result = ref::toScalar(kernel.resultType, root.data());
    return "";
  }
  Value full = expand(root, root.shape); // the root has the output's shape
  copyStrided(full.data(), static_cast<char *>(out->data), full.shape,
              std::vector<int64_t>(out->strides, out->strides + out->rank),
              dtypeSize(kernel.resultType), true);
  return "";
}

} // namespace

std::string evalAxis(const Kernel &kernel, const std::vector<Arg> &args,
                     ArrayView *out, Scalar *result) {
  try {
    return run(kernel, args, out, result);
  } catch (const std::bad_alloc &) {
    return "out of memory for the reference executor's temporaries";
  }
}

} // namespace kiln::tensor
