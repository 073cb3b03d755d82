// StagedLower: an axis-reduction kernel lowered to the kernels of its passes
// (see StagedLower.h): each axis reduction replaced by a temporary.
#include "StagedLower.h"
#include "PassKernel.h"

#include "tensor/syntax/AxisShape.h"
#include "tensor/syntax/Limits.h"

#include "kiln/tensor/Array.h"
#include "kiln/tensor/Syntax.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace kiln::tensor {
namespace {

// ---- Lowering: the body with each axis reduction replaced by a temporary.

bool isArg(ReduceOp op) {
  return op == ReduceOp::ArgMax || op == ReduceOp::ArgMin;
}

uint64_t bitsOf(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

/// Rewrites a typed body over "global" parameters: the kernel's own, then
/// one per axis reduction (its temporary). Each axis reduction's argument
/// becomes a whole-array reduction body of its own pass.
struct Lowering {
  std::vector<Param> globals;
  std::vector<ExprRef> reduceBodies;  ///< per temporary: whole reduction
  std::vector<const Expr *> reduceOf; ///< per temporary: the axis node
  std::unordered_map<const Expr *, ExprRef> memo;
  std::unordered_map<std::string, ExprRef> byKey; ///< axis reductions
  std::unordered_map<const Expr *, std::string> keys;
  std::vector<ExprRef> keep;

  /// A structural key: equal keys, equal values (kind, operator, type,
  /// literal, parameter and axis fields, then the children's keys).
  const std::string &keyOf(const Expr &e) {
    if (auto it = keys.find(&e); it != keys.end())
      return it->second;
    std::string k =
        "(" + std::to_string(int(e.kind)) + " " + std::to_string(int(e.type)) +
        " " + std::to_string(e.param) + " " + std::to_string(bitsOf(e.number)) +
        std::to_string(e.numberIsInt) + " " + std::to_string(int(e.unary)) +
        std::to_string(int(e.binary)) + " " + std::to_string(int(e.builtin)) +
        std::to_string(int(e.reduce)) + std::to_string(int(e.castTo)) + " " +
        std::to_string(e.hasAxis) + std::to_string(e.keepdims) +
        axisText(e);
    for (const ExprRef &c : e.children)
      k += " " + keyOf(*c);
    return keys[&e] = k + ")";
  }

  ExprRef rewrite(const ExprRef &e) {
    if (auto it = memo.find(e.get()); it != memo.end())
      return it->second;
    auto n = std::make_shared<Expr>(*e);
    n->children.clear();
    for (const ExprRef &c : e->children)
      n->children.push_back(rewrite(c));
    ExprRef result = n;
    if (e->kind == ExprKind::Reduce && e->hasAxis) {
      // The same reduction written twice (softmax's two row maxima) is
      // one pass: keyed by its rewritten text.
      keep.push_back(n); // keys is keyed by address: no reuse
      std::string key = keyOf(*n);
      if (auto it = byKey.find(key); it != byKey.end())
        return memo[e.get()] = it->second;
      n->hasAxis = n->keepdims = n->isArray = false;
      n->axis = 0;
      n->moreAxes.clear();
      reduceBodies.push_back(isArg(e->reduce) ? n->children[0] : n);
      reduceOf.push_back(e.get());
      globals.push_back({"axis." + std::to_string(reduceOf.size() - 1), e->type,
                         true, e->loc});
      auto p = std::make_shared<Expr>();
      p->kind = ExprKind::Param;
      p->loc = e->loc;
      p->type = e->type;
      p->isArray = true;
      p->param = unsigned(globals.size() - 1);
      result = byKey[key] = p;
    }
    return memo[e.get()] = result;
  }
};

/// A kernel computing `body` over only the globals it uses; `sources` gets
/// each parameter's origin (a call argument or kFromTemp + temporary).
Kernel passKernel(const std::string &name, const ExprRef &body,
                  const Lowering &low, size_t ownParams,
                  std::vector<int> &sources) {
  std::vector<unsigned> used;
  Kernel k = tensor::passKernel(name, body, low.globals, used);
  for (unsigned global : used)
    sources.push_back(global < ownParams ? int(global)
                                         : kFromTemp + int(global - ownParams));
  return k;
}

std::shared_ptr<Expr> newNode(ExprKind kind, std::vector<ExprRef> kids,
                              SourceLoc loc) {
  auto n = std::make_shared<Expr>();
  n->kind = kind;
  n->loc = loc;
  n->children = std::move(kids);
  return n;
}

/// `acc OP arg`, untyped (typeCheck types it): the step of reduction `op`.
ExprRef combineNode(ReduceOp op, DType argType, ExprRef acc, ExprRef arg) {
  SourceLoc loc = arg->loc;
  if (op == ReduceOp::Mean && !isFloat(argType)) { // integer means: f64
    auto cast = newNode(ExprKind::Cast, {arg}, loc);
    cast->castTo = DType::F64;
    arg = cast;
  }
  const bool isBool = argType == DType::Bool;
  if (op == ReduceOp::Min || op == ReduceOp::Max) {
    if (!isBool) {
      auto n = newNode(ExprKind::Call, {acc, arg}, loc);
      n->builtin = op == ReduceOp::Min ? Builtin::Min : Builtin::Max;
      return n;
    }
  }
  auto n = newNode(ExprKind::Binary, {acc, arg}, loc);
  n->binary = op == ReduceOp::Prod  ? BinaryOp::Mul
              : op == ReduceOp::Min ? BinaryOp::And
              : op == ReduceOp::Max ? BinaryOp::Or
                                    : BinaryOp::Add;
  return n;
}

ExprRef accParam(unsigned index, SourceLoc loc) {
  auto p = newNode(ExprKind::Param, {}, loc);
  p->param = index;
  return p;
}

/// pass.row: the pass kernel `k` with each temporary that is constant along
/// its rows (an earlier keepdims reduction along the same axis) a scalar. A
/// variant that no longer type-checks (no array left to reduce) is not made.
void addRowKernel(LoweredPass &pass, const Lowering &low, const Expr &reduce) {
  Kernel row = pass.kernel;
  row.name += "_row";
  bool any = false;
  pass.asScalar.assign(row.params.size(), false);
  for (size_t q = 0; q < row.params.size(); ++q) {
    int source = pass.sources[q];
    if (source < kFromTemp)
      continue;
    const Expr &earlier = *low.reduceOf[size_t(source - kFromTemp)];
    if (earlier.keepdims && earlier.axis == reduce.axis &&
        earlier.moreAxes == reduce.moreAxes)
      any = pass.asScalar[q] = true, row.params[q].isArray = false;
  }
  if (any && typeCheck(row).empty())
    pass.row = std::move(row);
  else
    pass.asScalar.clear();
}

/// pass.column (and mean's pass.scale) for a reduction pass whose kernel is
/// a whole-array reduction over its parameters.
void addColumnKernels(LoweredPass &pass, const Expr &r) {
  if (isArg(r.reduce) || !r.moreAxes.empty()) // slices: one axis
    return;
  const Kernel &k = pass.kernel;
  Kernel col;
  col.name = k.name + "_slices";
  col.params.push_back({"axis.acc", r.type, true, r.loc});
  std::map<unsigned, unsigned> shift;
  for (unsigned q = 0; q < k.params.size(); ++q)
    shift[q] = q + 1, col.params.push_back(k.params[q]);
  std::unordered_map<const Expr *, ExprRef> memo;
  const ExprRef &arg = k.body->children[0];
  col.body = combineNode(r.reduce, arg->type, accParam(0, r.loc),
                         renumberParams(arg, shift, memo));
  col.resultType = r.type;
  col.resultIsArray = true;
  col.loc = r.loc;
  if (!typeCheck(col).empty())
    return; // rows only
  if (r.reduce == ReduceOp::Mean) {
    Kernel scale;
    scale.name = k.name + "_mean";
    scale.params = {{"axis.acc", r.type, true, r.loc},
                    {"axis.n", r.type, false, r.loc}};
    auto div =
        newNode(ExprKind::Binary, {accParam(0, r.loc), accParam(1, r.loc)},
                r.loc);
    div->binary = BinaryOp::Div;
    scale.body = div;
    scale.resultType = r.type;
    scale.resultIsArray = true;
    scale.loc = r.loc;
    if (!typeCheck(scale).empty())
      return;
    pass.scale = std::move(scale);
  }
  pass.column = std::move(col);
}

Status checkPass(const Kernel &kernel, const Kernel &pass) {
  if (pass.params.size() + 1 > syntax::kMaxParams)
    return callError("kernel '" + kernel.name +
                     "': a pass of its axis reductions needs more than " +
                     std::to_string(syntax::kMaxParams) + " parameters");
  if (pass.body && syntax::hasAxisReduce(*pass.body))
    return callError("kernel '" + kernel.name +
                     "' has nodes with shapes of their own that only the "
                     "JIT runs");
  return {};
}

} // namespace

Expected<std::vector<LoweredPass>> lowerStaged(const Kernel &kernel) {
  Lowering low;
  low.globals = kernel.params;
  ExprRef body = low.rewrite(kernel.body);
  std::vector<LoweredPass> passes;
  for (size_t t = 0; t <= low.reduceBodies.size(); ++t) {
    bool last = t == low.reduceBodies.size();
    LoweredPass pass;
    pass.kernel = passKernel(
        kernel.name + (last ? "" : "__axis" + std::to_string(t)),
        last ? body : low.reduceBodies[t], low, kernel.params.size(),
        pass.sources);
    if (last) {
      pass.kernel.resultIsArray = kernel.resultIsArray;
      pass.kernel.resultType = kernel.resultType;
    }
    if (Status ok = checkPass(kernel, pass.kernel); !ok)
      return ok.takeDiagnostics();
    if (!last) {
      const Expr &r = *low.reduceOf[t];
      pass.op = int(r.reduce);
      pass.axes = {r.axis};
      pass.axes.insert(pass.axes.end(), r.moreAxes.begin(), r.moreAxes.end());
      pass.keepdims = r.keepdims;
      pass.dtype = r.type;
      pass.argDtype = r.children[0]->type;
      if (!isArg(r.reduce))
        addRowKernel(pass, low, r);
      addColumnKernels(pass, r);
    }
    passes.push_back(std::move(pass));
  }
  return passes;
}

} // namespace kiln::tensor
