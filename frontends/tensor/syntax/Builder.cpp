// Builder: the C++ expression builder's nodes and operators; the same AST
// the parser produces (without locations), typed by the same sema.
#include "kiln/tensor/Builder.h"
#include "kiln/tensor/Syntax.h"

#include <unordered_set>
#include <vector>

namespace kiln::tensor {

namespace {

ExprRef literal(double v, bool isInt) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Number;
  e->number = v;
  e->numberIsInt = isInt;
  return e;
}

Val make(ExprKind kind, std::vector<Val> kids, void (*set)(Expr &, int),
         int value) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  for (Val &k : kids)
    e->children.push_back(k.node);
  if (set)
    set(*e, value);
  return Val(ExprRef(e));
}

Val bin(BinaryOp op, Val a, Val b) {
  return make(
      ExprKind::Binary, {a, b},
      [](Expr &e, int v) { e.binary = static_cast<BinaryOp>(v); },
      static_cast<int>(op));
}

} // namespace

Val::Val(double v) : node(literal(v, false)) {}
Val::Val(int v) : node(literal(v, true)) {}
Val::Val(long v) : node(literal(static_cast<double>(v), true)) {}

Val operator+(Val a, Val b) { return bin(BinaryOp::Add, a, b); }
Val operator-(Val a, Val b) { return bin(BinaryOp::Sub, a, b); }
Val operator*(Val a, Val b) { return bin(BinaryOp::Mul, a, b); }
Val operator/(Val a, Val b) { return bin(BinaryOp::Div, a, b); }
Val operator%(Val a, Val b) { return bin(BinaryOp::Rem, a, b); }
Val operator<(Val a, Val b) { return bin(BinaryOp::Lt, a, b); }
Val operator<=(Val a, Val b) { return bin(BinaryOp::Le, a, b); }
Val operator>(Val a, Val b) { return bin(BinaryOp::Gt, a, b); }
Val operator>=(Val a, Val b) { return bin(BinaryOp::Ge, a, b); }
Val operator==(Val a, Val b) { return bin(BinaryOp::Eq, a, b); }
Val operator!=(Val a, Val b) { return bin(BinaryOp::Ne, a, b); }
Val operator&&(Val a, Val b) { return bin(BinaryOp::And, a, b); }
Val operator||(Val a, Val b) { return bin(BinaryOp::Or, a, b); }

Val operator-(Val a) {
  if (a.node->kind == ExprKind::Number)
    return Val(literal(-a.node->number, a.node->numberIsInt));
  return make(
      ExprKind::Unary, {a}, [](Expr &e, int) { e.unary = UnaryOp::Neg; }, 0);
}
Val operator!(Val a) {
  return make(
      ExprKind::Unary, {a}, [](Expr &e, int) { e.unary = UnaryOp::Not; }, 0);
}

Val call(Builtin fn, std::vector<Val> args) {
  return make(
      ExprKind::Call, std::move(args),
      [](Expr &e, int v) { e.builtin = static_cast<Builtin>(v); },
      static_cast<int>(fn));
}
Val abs(Val x) { return call(Builtin::Abs, {x}); }
Val sqrt(Val x) { return call(Builtin::Sqrt, {x}); }
Val exp(Val x) { return call(Builtin::Exp, {x}); }
Val log(Val x) { return call(Builtin::Log, {x}); }
Val sin(Val x) { return call(Builtin::Sin, {x}); }
Val cos(Val x) { return call(Builtin::Cos, {x}); }
Val tanh(Val x) { return call(Builtin::Tanh, {x}); }
Val sigmoid(Val x) { return call(Builtin::Sigmoid, {x}); }
Val relu(Val x) { return call(Builtin::Relu, {x}); }
Val floor(Val x) { return call(Builtin::Floor, {x}); }
Val ceil(Val x) { return call(Builtin::Ceil, {x}); }
Val min(Val a, Val b) { return call(Builtin::Min, {a, b}); }
Val max(Val a, Val b) { return call(Builtin::Max, {a, b}); }
Val pow(Val a, Val b) { return call(Builtin::Pow, {a, b}); }
Val clamp(Val x, Val lo, Val hi) { return call(Builtin::Clamp, {x, lo, hi}); }

Val where(Val c, Val x, Val y) {
  return make(ExprKind::Where, {c, x, y}, nullptr, 0);
}
Val cast(DType to, Val x) {
  return make(
      ExprKind::Cast, {x},
      [](Expr &e, int v) { e.castTo = static_cast<DType>(v); },
      static_cast<int>(to));
}
Val reduce(ReduceOp op, Val x) {
  return make(
      ExprKind::Reduce, {x},
      [](Expr &e, int v) { e.reduce = static_cast<ReduceOp>(v); },
      static_cast<int>(op));
}
Val reduce(ReduceOp op, Val x, int axis, bool keepdims) {
  Val r = reduce(op, x);
  auto e = std::make_shared<Expr>(*r.node);
  e->hasAxis = true;
  e->axis = axis;
  e->keepdims = keepdims;
  r.node = e;
  return r;
}
Val reduce(ReduceOp op, Val x, const std::vector<int> &axes, bool keepdims) {
  Val r = reduce(op, x, axes.empty() ? 0 : axes[0], keepdims);
  auto e = std::make_shared<Expr>(*r.node);
  if (axes.size() > 1)
    e->moreAxes.assign(axes.begin() + 1, axes.end());
  r.node = e;
  return r;
}
Val sum(Val x) { return reduce(ReduceOp::Sum, x); }
Val prod(Val x) { return reduce(ReduceOp::Prod, x); }
Val mean(Val x) { return reduce(ReduceOp::Mean, x); }
Val minOf(Val x) { return reduce(ReduceOp::Min, x); }
Val maxOf(Val x) { return reduce(ReduceOp::Max, x); }
Val matmul(Val a, Val b) {
  return make(ExprKind::MatMul, {a, b}, nullptr, 0);
}

Val KernelBuilder::array(const std::string &name, DType type) {
  Params.push_back({name, type, true, {}});
  return make(
      ExprKind::Param, {},
      [](Expr &e, int v) { e.param = static_cast<unsigned>(v); },
      static_cast<int>(Params.size() - 1));
}

Val KernelBuilder::scalar(const std::string &name, DType type) {
  Params.push_back({name, type, false, {}});
  return make(
      ExprKind::Param, {},
      [](Expr &e, int v) { e.param = static_cast<unsigned>(v); },
      static_cast<int>(Params.size() - 1));
}

namespace {

/// Whether `root` contains a whole-array reduction (an axis reduction is an
/// array, like an elementwise operator). Iterative and once per node: a
/// built body may be a deep chain or a DAG with exponentially many paths.
bool hasReduce(const Expr &root) {
  std::vector<const Expr *> todo{&root};
  std::unordered_set<const Expr *> seen{&root};
  while (!todo.empty()) {
    const Expr *e = todo.back();
    todo.pop_back();
    if (e->kind == ExprKind::Reduce && !e->hasAxis)
      return true;
    for (const ExprRef &c : e->children)
      if (c && seen.insert(c.get()).second)
        todo.push_back(c.get());
  }
  return false;
}

} // namespace

Kernel KernelBuilder::kernel(const std::string &name, Val body) {
  Kernel k;
  k.name = name;
  k.params = std::move(Params);
  Params.clear();
  k.body = body.node;
  // Infer the declaration from the body: scalar when it reduces the whole
  // array; the dtype
  // is whatever sema finds (checked again, with errors, at compile time).
  k.resultIsArray = !hasReduce(*k.body);
  Kernel probe = k;
  for (DType t :
       {DType::F64, DType::F32, DType::I64, DType::I32, DType::Bool}) {
    probe.resultType = t;
    probe.body = k.body;
    if (typeCheck(probe).empty()) {
      k.resultType = t;
      break;
    }
  }
  return k;
}

} // namespace kiln::tensor
