// Plan: call checking, DAG ordering, typed-tree validation and the strided
// gather/scatter shared by the eager executor and the blocked interpreter.
//
// Kernels normally come from sema, but a tree built from C++ might be
// inconsistent; validation turns that into an error string instead of reading
// memory with the wrong element size.
#include "Plan.h"

#include "ElementOps.h"
#include "Loops.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace kiln::tensor::ref {
namespace {

struct Builder {
  Plan &plan;
  const Kernel &kernel;
  std::unordered_map<const Expr *, int> index;
  std::string error;

  int visit(const Expr *e, int depth);
  std::string check(int node) const;
  const char *malformed(int node) const;
  bool operatorOk(int node) const;
  bool reductionOk(int node) const;
};

int Builder::visit(const Expr *e, int depth) {
  if (!e) {
    error = "internal error: null expression node";
    return -1;
  }
  if (depth > 10000) {
    error = "internal error: expression nested too deeply";
    return -1;
  }
  if (auto it = index.find(e); it != index.end())
    return it->second;
  std::array<int, 3> kids = {-1, -1, -1};
  if (e->children.size() > 3) {
    error = "internal error: expression node with more than 3 operands";
    return -1;
  }
  for (size_t k = 0; k < e->children.size(); ++k)
    if ((kids[k] = visit(e->children[k].get(), depth + 1)) < 0)
      return -1;
  const int id = int(plan.nodes.size());
  index[e] = id;
  plan.nodes.push_back(e);
  plan.kids.push_back(kids);
  bool varies = e->kind == ExprKind::Param && e->param < kernel.params.size() &&
                kernel.params[e->param].isArray;
  bool after = e->kind == ExprKind::Reduce;
  for (size_t k = 0; k < e->children.size(); ++k) {
    varies = varies || (e->kind != ExprKind::Reduce && plan.varies[kids[k]]);
    after = after || plan.afterReduce[kids[k]];
  }
  plan.varies.push_back(varies);
  plan.afterReduce.push_back(after);
  return id;
}

/// Operand count and dtypes of one node, and that the loops support it
/// (a zero-length dry run of the operator).
std::string Builder::check(int node) const {
  const char *what = malformed(node);
  if (!what)
    return "";
  return std::string("internal error: malformed ") + what +
         " node (was the kernel type-checked?)";
}

/// The name of node `node`'s kind when it is malformed, else null.
const char *Builder::malformed(int node) const {
  const Expr &e = *plan.nodes[node];
  const size_t arity = e.children.size();
  switch (e.kind) {
  case ExprKind::Param:
    return arity || e.param >= kernel.params.size() ||
                   kernel.params[e.param].type != e.type
               ? "parameter"
               : nullptr;
  case ExprKind::Number: return arity ? "literal" : nullptr;
  case ExprKind::Cast:
    return arity != 1 || e.castTo != e.type ? "cast" : nullptr;
  case ExprKind::Reduce: return reductionOk(node) ? nullptr : "reduction";
  case ExprKind::Unary: return operatorOk(node) ? nullptr : "unary operator";
  case ExprKind::Binary: return operatorOk(node) ? nullptr : "binary operator";
  case ExprKind::Call: return operatorOk(node) ? nullptr : "builtin call";
  case ExprKind::Where: return operatorOk(node) ? nullptr : "where";
  case ExprKind::MatMul: return "matrix product"; // AxisEval evaluates it
  }
  return "unknown";
}

/// A unary, binary, builtin or where node: its operands' count and dtypes,
/// and a zero-length dry run of the loop that computes it.
bool Builder::operatorOk(int node) const {
  const Expr &e = *plan.nodes[node];
  auto kid = [&](int k) { return plan.nodes[plan.kids[node][k]]; };
  const size_t arity = e.children.size();
  uint64_t dummy[3] = {0, 0, 0};
  Operand ops[3] = {{&dummy[0], false}, {&dummy[1], false}, {&dummy[2], false}};
  uint64_t out = 0;
  switch (e.kind) {
  case ExprKind::Unary:
    return arity == 1 && kid(0)->type == e.type &&
           applyUnary(e.unary, e.type, ops[0], &out, 0);
  case ExprKind::Binary: {
    const bool cmp = e.binary >= BinaryOp::Lt && e.binary <= BinaryOp::Ne;
    return arity == 2 && kid(0)->type == kid(1)->type &&
           (cmp ? e.type == DType::Bool : e.type == kid(0)->type) &&
           applyBinary(e.binary, kid(0)->type, ops[0], ops[1], &out, 0);
  }
  case ExprKind::Call:
    if (arity != builtinArity(e.builtin) ||
        !applyCall(e.builtin, e.type, ops, &out, 0))
      return false;
    for (size_t k = 0; k < arity; ++k)
      if (kid(k)->type != e.type)
        return false;
    return true;
  default: // Where
    return arity == 3 && kid(0)->type == DType::Bool &&
           kid(1)->type == e.type && kid(2)->type == e.type;
  }
}

/// A reduction: one operand without a reduction below it, a supported
/// accumulator, and the result dtype sema gives.
bool Builder::reductionOk(int node) const {
  const Expr &e = *plan.nodes[node];
  auto kid = [&](int k) { return plan.nodes[plan.kids[node][k]]; };
  Accum acc;
  if (e.children.size() != 1 || plan.afterReduce[plan.kids[node][0]] ||
      !accumInit(acc, e.reduce, kid(0)->type))
    return false;
  const DType want = e.reduce == ReduceOp::Mean && !isFloat(kid(0)->type)
                         ? DType::F64
                         : kid(0)->type;
  return e.type == want;
}

uint64_t constantOf(DType type, double number, int64_t integer, bool isInt) {
  uint64_t bits = 0;
  switch (type) {
  case DType::Bool:
    *reinterpret_cast<Bool *>(&bits) = isInt ? integer != 0 : number != 0;
    break;
  case DType::I32:
    *reinterpret_cast<int32_t *>(&bits) =
        isInt ? int32_t(integer) : castOp<int32_t>(number);
    break;
  case DType::I64:
    *reinterpret_cast<int64_t *>(&bits) =
        isInt ? integer : castOp<int64_t>(number);
    break;
  case DType::F32:
    *reinterpret_cast<float *>(&bits) = isInt ? float(integer) : float(number);
    break;
  case DType::F64:
    *reinterpret_cast<double *>(&bits) = isInt ? double(integer) : number;
    break;
  }
  return bits;
}

Strided through(const ArrayView &view, const Space &space) {
  Strided s;
  s.base = static_cast<char *>(view.data);
  s.elemSize = dtypeSize(view.dtype);
  for (int d = 0; d < space.rank; ++d) {
    const int vd = d - (space.rank - view.rank);
    s.strides[d] = vd < 0 || view.shape[vd] == 1 ? 0 : view.strides[vd];
  }
  s.direct = view.isContiguous() && view.size() == space.size;
  return s;
}

std::string makeSpace(const std::vector<Arg> &args, Space &space) {
  std::vector<std::vector<int64_t>> shapes;
  for (const Arg &a : args)
    if (a.isArray)
      shapes.emplace_back(a.array.shape, a.array.shape + a.array.rank);
  auto shape = broadcastShapes(shapes);
  if (!shape || shape->size() > size_t(kMaxRank))
    return "internal error: the argument shapes do not broadcast";
  space.rank = int(shape->size());
  space.size = 1;
  for (int d = 0; d < space.rank; ++d) {
    space.shape[d] = (*shape)[d];
    if (space.shape[d] < 0 ||
        (space.shape[d] && space.size > (int64_t(1) << 48) / space.shape[d]))
      return "the broadcast shape has too many elements";
    space.size *= space.shape[d];
  }
  return "";
}

} // namespace

std::string makePlan(const Kernel &kernel, const std::vector<Arg> &args,
                     const ArrayView *out, const Scalar *result, Plan &plan) {
  plan = Plan{};
  if (Status call =
          checkCall(kernel, args, kernel.resultIsArray ? out : nullptr);
      !call)
    return call.diagnostics().front().message;
  if (kernel.resultIsArray && !out)
    return "this kernel returns an array: pass an output view";
  if (!kernel.resultIsArray && !result)
    return "this kernel returns a scalar: pass a result";
  if (std::string err = makeSpace(args, plan.space); !err.empty())
    return err;
  Builder b{plan, kernel, {}, {}};
  plan.root = b.visit(kernel.body.get(), 0);
  if (plan.root < 0)
    return b.error;
  for (int n = 0; n < int(plan.nodes.size()); ++n)
    if (std::string err = b.check(n); !err.empty())
      return err;
  const Expr &root = *plan.nodes[plan.root];
  if (root.type != kernel.resultType)
    return "internal error: the body's dtype is not the result dtype";
  bool anyReduce = false;
  for (const Expr *e : plan.nodes)
    anyReduce = anyReduce || e->kind == ExprKind::Reduce;
  if (kernel.resultIsArray ? anyReduce : plan.varies[plan.root])
    return "internal error: reductions and array values are mixed in the "
           "result";
  plan.constant.assign(plan.nodes.size(), 0);
  for (size_t n = 0; n < plan.nodes.size(); ++n) {
    const Expr &e = *plan.nodes[n];
    if (e.kind == ExprKind::Number)
      plan.constant[n] = constantOf(e.type, e.number, castOp<int64_t>(e.number),
                                    !isFloat(e.type));
    else if (e.kind == ExprKind::Param && !args[e.param].isArray) {
      const Scalar &s = args[e.param].scalar;
      plan.constant[n] = constantOf(e.type, s.f, s.i, !isFloat(s.dtype));
    }
  }
  plan.params.resize(args.size());
  for (size_t p = 0; p < args.size(); ++p)
    if (args[p].isArray)
      plan.params[p] = through(args[p].array, plan.space);
  if (kernel.resultIsArray)
    plan.out = through(*out, plan.space);
  return "";
}

namespace {

/// Visits [start, start+len) of the space in row-major order, one innermost
/// run at a time: f(offset of the run's first element, run length, stride).
template <class F>
void forRuns(const int64_t *strides, const Space &space, int64_t start,
             int64_t len, F f) {
  if (len <= 0)
    return;
  if (space.rank == 0) {
    if (len > 0)
      f(int64_t(0), len, int64_t(0));
    return;
  }
  int64_t idx[kMaxRank] = {0, 0, 0, 0};
  int64_t rem = start, off = 0;
  for (int d = space.rank - 1; d >= 0; --d) {
    idx[d] = rem % space.shape[d];
    rem /= space.shape[d];
    off += idx[d] * strides[d];
  }
  const int last = space.rank - 1;
  const int64_t inner = space.shape[last], step = strides[last];
  while (len > 0) {
    const int64_t run = std::min(len, inner - idx[last]);
    f(off, run, step);
    len -= run;
    off += run * step;
    idx[last] += run;
    for (int d = last; d > 0 && idx[d] == space.shape[d]; --d) {
      off -= space.shape[d] * strides[d];
      idx[d] = 0;
      ++idx[d - 1];
      off += strides[d - 1];
    }
  }
}

template <class E>
void gatherT(const Strided &src, const Space &space, int64_t start, int64_t len,
             E *dst) {
  const E *base = reinterpret_cast<const E *>(src.base);
  forRuns(src.strides, space, start, len,
          [&](int64_t off, int64_t run, int64_t step) {
            const E *p = base + off;
            if (step == 1)
              std::memcpy(dst, p, size_t(run) * sizeof(E));
            else
              for (int64_t k = 0; k < run; ++k)
                dst[k] = p[k * step];
            dst += run;
          });
}

template <class E>
void scatterT(const E *src, bool scalar, const Strided &dst, const Space &space,
              int64_t start, int64_t len) {
  E *base = reinterpret_cast<E *>(dst.base);
  forRuns(dst.strides, space, start, len,
          [&](int64_t off, int64_t run, int64_t step) {
            E *p = base + off;
            if (scalar)
              for (int64_t k = 0; k < run; ++k)
                p[k * step] = *src;
            else if (step == 1)
              std::memmove(p, src, size_t(run) * sizeof(E));
            else
              for (int64_t k = 0; k < run; ++k)
                p[k * step] = src[k];
            if (!scalar)
              src += run;
          });
}

} // namespace

void gather(const Strided &src, const Space &space, int64_t start, int64_t len,
            void *dst) {
  if (len <= 0)
    return;
  if (src.direct) {
    std::memcpy(dst, src.base + start * src.elemSize,
                size_t(len) * src.elemSize);
    return;
  }
  switch (src.elemSize) {
  case 1: gatherT(src, space, start, len, static_cast<uint8_t *>(dst)); break;
  case 4: gatherT(src, space, start, len, static_cast<uint32_t *>(dst)); break;
  default: gatherT(src, space, start, len, static_cast<uint64_t *>(dst)); break;
  }
}

void scatter(const void *src, bool scalar, const Strided &dst,
             const Space &space, int64_t start, int64_t len) {
  if (len <= 0)
    return;
  if (dst.direct && !scalar) {
    std::memmove(dst.base + start * dst.elemSize, src,
                 size_t(len) * dst.elemSize);
    return;
  }
  switch (dst.elemSize) {
  case 1:
    scatterT(static_cast<const uint8_t *>(src), scalar, dst, space, start, len);
    break;
  case 4:
    scatterT(static_cast<const uint32_t *>(src), scalar, dst, space, start,
             len);
    break;
  default:
    scatterT(static_cast<const uint64_t *>(src), scalar, dst, space, start,
             len);
    break;
  }
}

Scalar toScalar(DType type, const void *value) {
  switch (type) {
  case DType::Bool:
    return Scalar::boolean(*static_cast<const Bool *>(value) != 0);
  case DType::I32: return Scalar::i32(*static_cast<const int32_t *>(value));
  case DType::I64: return Scalar::i64(*static_cast<const int64_t *>(value));
  case DType::F32: return Scalar::f32(*static_cast<const float *>(value));
  case DType::F64: return Scalar::f64(*static_cast<const double *>(value));
  }
  return {};
}

} // namespace kiln::tensor::ref
