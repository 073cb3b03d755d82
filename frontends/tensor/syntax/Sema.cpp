// Sema: types a kernel body — dtype per node, array or scalar, literal
// adaptation — and reports type errors at the offending operator.
//
// Nodes may be shared (the builder makes DAGs) and are immutable, so sema
// builds a typed copy instead of writing into the input. Every error names
// the types involved and suggests the fix (usually a cast).
#include "kiln/tensor/Syntax.h"

#include "Limits.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

namespace kiln::tensor {

namespace {

/// A typed node; `literal` while it is a bare number that may still adapt.
struct Typed {
  ExprRef e;
  bool literal = false;
  bool bad = false;
};

bool isNumeric(DType t) { return t != DType::Bool; }

/// The cast the "cast one side" hint suggests: the wider of two types.
DType wider(DType a, DType b) { return a > b ? a : b; }

std::string numberText(const Expr &e) {
  if (e.numberIsInt)
    return std::to_string(static_cast<long long>(e.number));
  std::string s = std::to_string(e.number);
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.')
    s.pop_back();
  return s;
}

class Sema {
public:
  Sema(const Kernel &k, std::vector<Diag> &errors) : K(k), Errors(errors) {}

  Typed visit(const ExprRef &e, bool inReduce);
  bool retype(Typed &t, DType to, const std::string &context);
  std::optional<DType> unify(std::vector<Typed *> ops, const std::string &what,
                             SourceLoc loc);
  bool sawReduce = false;

private:
  const Kernel &K;
  std::vector<Diag> &Errors;

  Typed fail(SourceLoc loc, std::string message) {
    Errors.push_back({loc, std::move(message)});
    return {nullptr, false, true};
  }
  /// A typed copy of `from`; an array when any child is one.
  Typed make(const Expr &from, DType type, std::vector<Typed> kids) {
    auto n = std::make_shared<Expr>(from);
    n->type = type;
    n->children.clear();
    n->isArray = false;
    for (Typed &k : kids) {
      n->isArray = n->isArray || k.e->isArray;
      n->children.push_back(k.e);
    }
    return {n, false, false};
  }
  Typed binary(const Expr &e, std::vector<Typed> kids);
  Typed unary(const Expr &e, Typed x);
  Typed call(const Expr &e, std::vector<Typed> kids);
  Typed reduce(const Expr &e, Typed x);
  Typed matmul(const Expr &e, std::vector<Typed> kids);
};

/// Fixes a literal's dtype: integers adapt to any number type, floats only
/// to f32/f64, nothing adapts to bool.
bool Sema::retype(Typed &t, DType to, const std::string &context) {
  const Expr &e = *t.e;
  if (to == DType::Bool) {
    Errors.push_back({e.loc, "the number " + numberText(e) +
                                 " cannot be used as bool" + context +
                                 "; compare it, e.g. x != 0"});
    return false;
  }
  if (!e.numberIsInt && !isFloat(to)) {
    Errors.push_back({e.loc, "cannot mix the float literal " + numberText(e) +
                                 " with " + dtypeName(to) + context +
                                 "; write an integer or cast, e.g. f64(x)"});
    return false;
  }
  if (to == DType::I32 && std::fabs(e.number) > 2147483648.0 - (e.number > 0)) {
    Errors.push_back({e.loc, "the integer literal " + numberText(e) +
                                 " does not fit in i32"});
    return false;
  }
  auto n = std::make_shared<Expr>(e);
  n->type = to;
  t = {n, false, false};
  return true;
}

/// Gives all operands one dtype: literals adapt to the first typed operand
/// (or to i64/f64 when all are literals); typed operands must agree.
std::optional<DType> Sema::unify(std::vector<Typed *> ops,
                                 const std::string &what, SourceLoc loc) {
  std::optional<DType> type;
  bool anyFloatLiteral = false;
  for (Typed *t : ops) {
    if (t->literal) {
      anyFloatLiteral = anyFloatLiteral || !t->e->numberIsInt;
      continue;
    }
    if (type && *type != t->e->type) {
      DType hint = wider(*type, t->e->type);
      Errors.push_back({loc, std::string("cannot mix ") + dtypeName(*type) +
                                 " and " + dtypeName(t->e->type) + " in " +
                                 what + "; cast one side, e.g. " +
                                 dtypeName(hint) + "(x)"});
      return std::nullopt;
    }
    type = t->e->type;
  }
  if (!type)
    type = anyFloatLiteral ? DType::F64 : DType::I64;
  for (Typed *t : ops)
    if (t->literal && !retype(*t, *type, " in " + what))
      return std::nullopt;
  return type;
}

Typed Sema::visit(const ExprRef &ref, bool inReduce) {
  const Expr &e = *ref;
  switch (e.kind) {
  case ExprKind::Param: {
    if (e.param >= K.params.size()) // a builder's nodes in another kernel
      return fail(e.loc, "parameter " + std::to_string(e.param) +
                             " is not one of the kernel's " +
                             std::to_string(K.params.size()) +
                             " parameters (a KernelBuilder's parameters go "
                             "to the first kernel it makes)");
    const Param &p = K.params[e.param];
    auto n = std::make_shared<Expr>(e);
    n->type = p.type;
    n->isArray = p.isArray;
    return {n, false, false};
  }
  case ExprKind::Number: {
    auto n = std::make_shared<Expr>(e);
    n->type = e.numberIsInt ? DType::I64 : DType::F64;
    n->isArray = false;
    return {n, true, false};
  }
  default: break;
  }
  bool whole = e.kind == ExprKind::Reduce && !e.hasAxis;
  if (whole && inReduce)
    return fail(e.loc, "reductions cannot be nested; '" +
                           std::string(reduceName(e.reduce)) +
                           "' is inside another reduction");
  std::vector<Typed> kids;
  bool bad = false;
  for (const ExprRef &c : e.children) {
    kids.push_back(visit(c, inReduce || e.kind == ExprKind::Reduce));
    bad = bad || kids.back().bad;
  }
  if (bad)
    return {nullptr, false, true};
  switch (e.kind) {
  case ExprKind::Unary: return unary(e, kids[0]);
  case ExprKind::Binary: return binary(e, std::move(kids));
  case ExprKind::Reduce: return reduce(e, kids[0]);
  case ExprKind::Cast: return make(e, e.castTo, std::move(kids));
  case ExprKind::MatMul: return matmul(e, std::move(kids));
  default: return call(e, std::move(kids));
  }
}

Typed Sema::unary(const Expr &e, Typed x) {
  DType t = x.e->type;
  if (e.unary == UnaryOp::Not && t != DType::Bool)
    return fail(e.loc, std::string("'!' takes a bool operand, got ") +
                           dtypeName(t) + "; compare it, e.g. x != 0");
  if (e.unary == UnaryOp::Neg && !isNumeric(t))
    return fail(e.loc, "cannot negate bool; use '!' or cast it, e.g. i32(x)");
  return make(e, t, {x});
}

Typed Sema::binary(const Expr &e, std::vector<Typed> kids) {
  std::string what = std::string("'") + binaryOpSpelling(e.binary) + "'";
  BinaryOp op = e.binary;
  bool logical = op == BinaryOp::And || op == BinaryOp::Or;
  bool compare = op >= BinaryOp::Lt && op <= BinaryOp::Ne;
  if (logical)
    for (Typed &k : kids)
      if (k.literal || k.e->type != DType::Bool)
        return fail(e.loc, what + " takes bool operands, got " +
                               (k.literal ? "a number" : dtypeName(k.e->type)) +
                               "; compare it, e.g. x != 0");
  auto type = unify({&kids[0], &kids[1]}, what, e.loc);
  if (!type)
    return {nullptr, false, true};
  bool equality = op == BinaryOp::Eq || op == BinaryOp::Ne;
  if (!logical && !equality && *type == DType::Bool)
    return fail(e.loc, std::string("cannot use bool in ") + what +
                           "; cast it first, e.g. i32(x)");
  return make(e, compare ? DType::Bool : *type, std::move(kids));
}

Typed Sema::call(const Expr &e, std::vector<Typed> kids) {
  if (e.kind == ExprKind::Where) {
    if (kids[0].literal || kids[0].e->type != DType::Bool)
      return fail(e.loc, std::string("'where' needs a bool condition, got ") +
                             (kids[0].literal ? "a number"
                                              : dtypeName(kids[0].e->type)));
    auto type = unify({&kids[1], &kids[2]}, "'where'", e.loc);
    if (!type)
      return {nullptr, false, true};
    return make(e, *type, std::move(kids));
  }
  std::string name = builtinName(e.builtin);
  std::vector<Typed *> ops;
  for (Typed &k : kids)
    ops.push_back(&k);
  bool floatOnly = builtinTakesFloatOnly(e.builtin);
  bool allLiteral = true;
  for (Typed &k : kids)
    allLiteral = allLiteral && k.literal;
  if (floatOnly && allLiteral &&
      !retype(kids[0], DType::F64, " in '" + name + "'"))
    return {nullptr, false, true};
  auto type = unify(ops, "'" + name + "'", e.loc);
  if (!type)
    return {nullptr, false, true};
  if (floatOnly && !isFloat(*type))
    return fail(e.loc, "'" + name + "' takes f32 or f64, got " +
                           dtypeName(*type) + "; cast it, e.g. f64(x)");
  if (!isNumeric(*type))
    return fail(e.loc, "'" + name +
                           "' takes a number, got bool; cast it, "
                           "e.g. i32(x)");
  return make(e, *type, std::move(kids));
}

Typed Sema::reduce(const Expr &e, Typed x) {
  std::string name = reduceName(e.reduce);
  bool arg = e.reduce == ReduceOp::ArgMax || e.reduce == ReduceOp::ArgMin;
  if (arg && !e.hasAxis)
    return fail(e.loc,
                "'" + name + "' needs an axis, e.g. " + name + "(x, axis=-1)");
  if (arg && !e.moreAxes.empty()) // the parser says so too; the builder
    return fail(e.loc, "'" + name + "' takes one axis, not a tuple");
  if (e.moreAxes.size() > 3)
    return fail(e.loc, "'axis' names more than 4 axes");
  if (K.resultIsArray && !e.hasAxis)
    return fail(e.loc, "a reduction cannot be mixed with elementwise array "
                       "values in one kernel; compute it in a separate kernel");
  if (!x.e->isArray && e.hasAxis)
    return fail(e.loc, "'" + name +
                           "' along an axis needs an array "
                           "argument, got a scalar");
  if (!x.e->isArray)
    return fail(e.loc,
                "the argument of '" + name + "' must be an array expression");
  DType t = x.e->type;
  bool minMax = arg || e.reduce == ReduceOp::Min || e.reduce == ReduceOp::Max;
  if (!minMax && t == DType::Bool)
    return fail(e.loc, "'" + name +
                           "' cannot reduce bool; cast it first, "
                           "e.g. i64(x)");
  sawReduce = sawReduce || !e.hasAxis;
  DType result = e.reduce == ReduceOp::Mean && !isFloat(t) ? DType::F64 : t;
  if (arg)
    result = DType::I64;
  auto n = std::make_shared<Expr>(e);
  n->type = result;
  n->isArray = e.hasAxis;
  n->children = {x.e};
  return {n, false, false};
}

/// a @ b: two arrays of one float dtype (shapes are checked per call).
Typed Sema::matmul(const Expr &e, std::vector<Typed> kids) {
  for (Typed &k : kids)
    if (k.literal || !k.e->isArray)
      return fail(e.loc, std::string("'@' takes array operands, got a ") +
                             (k.literal ? "number" : "scalar") +
                             "; scale with '*' instead");
  auto type = unify({&kids[0], &kids[1]}, "'@'", e.loc);
  if (!type)
    return {nullptr, false, true};
  if (!isFloat(*type))
    return fail(e.loc, std::string("'@' takes f32 or f64 arrays, got ") +
                           dtypeName(*type) + "; cast it, e.g. f64(x)");
  return make(e, *type, std::move(kids));
}

std::string typeText(DType t, bool isArray) {
  return std::string(dtypeName(t)) + (isArray ? "[]" : "");
}

/// The first node (in post-order) whose height exceeds kMaxNesting, or null.
/// Iterative, and linear in the nodes of a DAG: this runs before the
/// recursive walkers, on trees built from C++ as well as parsed ones.
const Expr *tooDeep(const Expr *root) {
  std::unordered_map<const Expr *, unsigned> height;
  std::vector<std::pair<const Expr *, size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto &[e, next] = stack.back();
    if (next < e->children.size()) {
      const Expr *c = e->children[next++].get();
      if (c && !height.count(c))
        stack.push_back({c, 0});
      continue;
    }
    unsigned h = 1;
    for (const ExprRef &c : e->children)
      h = std::max(h, c ? 1 + height[c.get()] : 1);
    if (h > syntax::kMaxNesting)
      return e;
    height[e] = h;
    stack.pop_back();
  }
  return nullptr;
}

/// Kernel-level limits, checked before the body is walked recursively.
bool withinLimits(const Kernel &kernel, std::vector<Diag> &errors) {
  if (kernel.params.size() > syntax::kMaxParams)
    errors.push_back({kernel.params[syntax::kMaxParams].loc,
                      syntax::tooManyParams(kernel.name)});
  if (const Expr *deep = tooDeep(kernel.body.get()))
    errors.push_back({deep->loc, syntax::nestingTooDeep()});
  return errors.empty();
}

/// The result declaration against the typed body.
void checkResult(const Kernel &kernel, const Typed &body, bool sawReduce,
                 std::vector<Diag> &errors) {
  SourceLoc loc = body.e->loc;
  if (!kernel.resultIsArray && body.e->isArray)
    errors.push_back({loc, "kernel '" + kernel.name +
                               "' returns a scalar but its body is "
                               "elementwise; reduce it, e.g. sum(...)"});
  else if (!kernel.resultIsArray && !sawReduce)
    errors.push_back({loc, "kernel '" + kernel.name +
                               "' returns a scalar: its body needs a "
                               "reduction such as sum(...)"});
  else if (body.e->type != kernel.resultType)
    errors.push_back(
        {loc, "kernel '" + kernel.name + "' is declared to return " +
                  typeText(kernel.resultType, kernel.resultIsArray) +
                  " but its body has type " +
                  typeText(body.e->type, kernel.resultIsArray)});
}

void typeCheckInto(Kernel &kernel, std::vector<Diag> &errors) {
  if (!kernel.body) {
    errors.push_back({kernel.loc, "kernel '" + kernel.name + "' has no body"});
    return;
  }
  if (!withinLimits(kernel, errors))
    return;
  Sema sema(kernel, errors);
  Typed body = sema.visit(kernel.body, false);
  if (body.bad)
    return;
  if (body.literal &&
      !sema.retype(body, kernel.resultType, " as the kernel's result"))
    return;
  checkResult(kernel, body, sema.sawReduce, errors);
  if (errors.empty())
    kernel.body = body.e;
}

} // namespace

std::vector<Diag> typeCheck(Kernel &kernel) {
  std::vector<Diag> errors;
  typeCheckInto(kernel, errors);
  for (Diag &d : errors)
    d.kind = ErrorKind::Type;
  return errors;
}

} // namespace kiln::tensor
