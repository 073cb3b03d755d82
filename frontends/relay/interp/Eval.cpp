// Eval: the interpreter's expressions and builtins.
//
// Every rule here is docs/relay.md's "Evaluation" section, operation by
// operation: operands left to right, && and || short-circuit, % is fmod,
// min/max as defined there, libm for the math builtins (Builtins.def). Each
// operation is a separate C++ expression, so the compiler cannot contract
// a*b+c into an FMA.
#include "InterpreterImpl.h"

#include <cmath>
#include <cstdio>
#include <iterator>
#include <math.h>

namespace kiln::relay {
using namespace interp;

namespace {

Slot num(double v) { return Slot{.number = v}; }
Slot boolean(bool v) { return Slot{.boolean = v ? 1 : 0}; }
kiln_rt_array *arrayOf(Slot s) { return static_cast<kiln_rt_array *>(s.array); }

/// The numeric builtins take at most this many numbers.
constexpr size_t kMaxMathArity = 2;

double libm1(double (*f)(double), const double *a) { return f(a[0]); }
double libm2(double (*f)(double, double), const double *a) {
  return f(a[0], a[1]);
}

/// A numeric builtin (a RELAY_LIBM or RELAY_MATH row of Builtins.def) of
/// arguments already evaluated: libm's function, or the row's formula.
double math(Builtin b, const double *a) {
  switch (b) {
#define RELAY_LIBM(Id, Name, Arity, Symbol, Doc)                               \
  case Builtin::Id:                                                            \
    return libm##Arity(::Symbol, a);
#include "relay/syntax/Builtins.def"
  case Builtin::Min: return a[1] < a[0] ? a[1] : a[0];
  case Builtin::Max: return a[1] > a[0] ? a[1] : a[0];
  default: assert(false && "not a numeric builtin"); return 0;
  }
}

double arithmetic(BinaryOp op, double l, double r) {
  switch (op) {
  case BinaryOp::Add: return l + r;
  case BinaryOp::Sub: return l - r;
  case BinaryOp::Mul: return l * r;
  case BinaryOp::Div: return l / r;
  default: return ::fmod(l, r);
  }
}

/// `&&`, `||`, and `==`/`!=` on bools: the operators whose left operand is
/// a bool, so a chain of them is a left spine of bool nodes.
bool boolOperands(const BinaryExpr *e) {
  return e->op == BinaryOp::And || e->op == BinaryOp::Or ||
         ((e->op == BinaryOp::Eq || e->op == BinaryOp::Ne) &&
          e->lhs->type == Type::Bool);
}

/// The left spine of `top` while `links` holds for a node's left operand,
/// deepest last, without allocating for short chains.
class Spine {
public:
  template <typename Links> Spine(const BinaryExpr *top, Links links) {
    size_t n = 1;
    for (const BinaryExpr *e = top; links(e);
         e = static_cast<const BinaryExpr *>(e->lhs.get()))
      ++n;
    if (n > std::size(Inline)) {
      Heap.resize(n);
      Nodes = Heap.data();
    }
    Size = n;
    const BinaryExpr *e = top;
    for (size_t i = 0; i + 1 < n;
         ++i, e = static_cast<const BinaryExpr *>(e->lhs.get()))
      Nodes[i] = e;
    Nodes[n - 1] = e;
  }
  size_t size() const { return Size; }
  const BinaryExpr *operator[](size_t i) const { return Nodes[i]; }

private:
  const BinaryExpr *Inline[16];
  std::vector<const BinaryExpr *> Heap;
  const BinaryExpr **Nodes = Inline;
  size_t Size = 0;
};

/// One argument of print, in Relay's output format.
void printValue(Type type, Slot value) {
  switch (type) {
  case Type::Bool: kiln_rt_print_bool(value.boolean != 0); break;
  case Type::Array: kiln_rt_print_array(arrayOf(value)); break;
  default: kiln_rt_print_f64(value.number); break;
  }
}

} // namespace

Slot Interpreter::Impl::eval(const Expr *e, Slot *slots) {
  switch (e->type) {
  case Type::Number: return num(number(e, slots));
  case Type::Bool: return boolean(truth(e, slots));
  default: break;
  }
  switch (e->kind) {
  case Expr::Kind::Var: return slots[static_cast<const VarExpr *>(e)->slot];
  case Expr::Kind::ArrayLit:
    return evalArrayLit(static_cast<const ArrayLitExpr *>(e), slots);
  case Expr::Kind::Call:
    return evalCall(static_cast<const CallExpr *>(e), slots);
  default: break;
  }
  assert(false && "no expression of this kind has this type");
  return {};
}

double Interpreter::Impl::evalNumber(const Expr *e, Slot *slots) {
  switch (e->kind) {
  case Expr::Kind::Number: return static_cast<const NumberExpr *>(e)->value;
  case Expr::Kind::Var:
    return slots[static_cast<const VarExpr *>(e)->slot].number;
  case Expr::Kind::Unary:
    return -number(static_cast<const UnaryExpr *>(e)->operand.get(), slots);
  case Expr::Kind::Binary: {
    auto *b = static_cast<const BinaryExpr *>(e);
    if (b->lhs->kind == Expr::Kind::Binary &&
        static_cast<const BinaryExpr *>(b->lhs.get())->lhs->kind ==
            Expr::Kind::Binary)
      return numberChain(b, slots); // three terms or more
    double l = number(b->lhs.get(), slots);
    double r = number(b->rhs.get(), slots);
    return arithmetic(b->op, l, r);
  }
  case Expr::Kind::Index:
    return evalIndex(static_cast<const IndexExpr *>(e), slots);
  case Expr::Kind::Call: {
    auto *call = static_cast<const CallExpr *>(e);
    if (call->target)
      return callUser(call, slots).number;
    return evalCall(call, slots).number;
  }
  default: break;
  }
  assert(false && "not a number expression");
  return 0;
}

bool Interpreter::Impl::evalTruth(const Expr *e, Slot *slots) {
  switch (e->kind) {
  case Expr::Kind::Bool: return static_cast<const BoolExpr *>(e)->value;
  case Expr::Kind::Var:
    return slots[static_cast<const VarExpr *>(e)->slot].boolean != 0;
  case Expr::Kind::Unary:
    return !truth(static_cast<const UnaryExpr *>(e)->operand.get(), slots);
  case Expr::Kind::Binary:
    return evalCondition(static_cast<const BinaryExpr *>(e), slots);
  case Expr::Kind::Call:
    return evalCall(static_cast<const CallExpr *>(e), slots).boolean != 0;
  default: break;
  }
  assert(false && "not a bool expression");
  return false;
}

/// `a + b + c ...` (a number's operands are numbers, so every node of the
/// left spine is arithmetic): the deepest lhs, then each rhs on the way up,
/// in a loop, as a recursive walk would.
double Interpreter::Impl::numberChain(const BinaryExpr *top, Slot *slots) {
  Spine spine(top, [](const BinaryExpr *e) {
    return e->lhs->kind == Expr::Kind::Binary;
  });
  double v = number(spine[spine.size() - 1]->lhs.get(), slots);
  for (size_t i = spine.size(); i-- > 0;)
    v = arithmetic(spine[i]->op, v, number(spine[i]->rhs.get(), slots));
  return v;
}

/// `a && b && c ...` and other chains of bool operators, likewise.
bool Interpreter::Impl::truthChain(const BinaryExpr *top, Slot *slots) {
  Spine spine(top, [](const BinaryExpr *e) {
    return e->lhs->kind == Expr::Kind::Binary &&
           boolOperands(static_cast<const BinaryExpr *>(e->lhs.get()));
  });
  bool v = truth(spine[spine.size() - 1]->lhs.get(), slots);
  for (size_t i = spine.size(); i-- > 0;) {
    const BinaryExpr *e = spine[i];
    switch (e->op) {
    case BinaryOp::And: v = v && truth(e->rhs.get(), slots); break;
    case BinaryOp::Or: v = v || truth(e->rhs.get(), slots); break;
    case BinaryOp::Eq: v = v == truth(e->rhs.get(), slots); break;
    default: v = v != truth(e->rhs.get(), slots); break;
    }
  }
  return v;
}

bool Interpreter::Impl::evalCondition(const BinaryExpr *e, Slot *slots) {
  if (e->lhs->kind == Expr::Kind::Binary && boolOperands(e) &&
      boolOperands(static_cast<const BinaryExpr *>(e->lhs.get())))
    return truthChain(e, slots);
  switch (e->op) {
  case BinaryOp::And:
    return truth(e->lhs.get(), slots) && truth(e->rhs.get(), slots);
  case BinaryOp::Or:
    return truth(e->lhs.get(), slots) || truth(e->rhs.get(), slots);
  default: break;
  }
  if (e->lhs->type == Type::Bool) {
    bool l = truth(e->lhs.get(), slots);
    bool r = truth(e->rhs.get(), slots);
    return (l == r) == (e->op == BinaryOp::Eq);
  }
  double l = number(e->lhs.get(), slots);
  double r = number(e->rhs.get(), slots);
  switch (e->op) {
  case BinaryOp::Lt: return l < r;
  case BinaryOp::Le: return l <= r;
  case BinaryOp::Gt: return l > r;
  case BinaryOp::Ge: return l >= r;
  case BinaryOp::Eq: return l == r;
  default: return l != r;
  }
}

double Interpreter::Impl::evalIndex(const IndexExpr *e, Slot *slots) {
  kiln_rt_array *array = arrayOf(value(e->array.get(), slots));
  double index = number(e->index.get(), slots);
  return *element(array, index, e->loc);
}

Slot Interpreter::Impl::evalArrayLit(const ArrayLitExpr *e, Slot *slots) {
  auto n = static_cast<int64_t>(e->elements.size());
  kiln_rt_array *array = kiln_rt_array_new(n);
  // The array is unreachable from Relay code until it is complete, so the
  // element expressions cannot move its data under us.
  for (int64_t i = 0; i < n; ++i)
    array->data[i] = number(e->elements[i].get(), slots);
  return Slot{.array = array};
}

Slot Interpreter::Impl::evalCall(const CallExpr *e, Slot *slots) {
  const auto &args = e->args;
  switch (e->builtin) {
  case Builtin::None: return callUser(e, slots);
  case Builtin::Print: print(e, slots); return {};
  case Builtin::Len:
    return num(
        static_cast<double>(arrayOf(eval(args[0].get(), slots))->length));
  case Builtin::Push: {
    kiln_rt_array *array = arrayOf(value(args[0].get(), slots));
    kiln_rt_array_push(array, number(args[1].get(), slots));
    return {};
  }
#define RELAY_MATH(Id, Name, Arity, Doc) case Builtin::Id:
#define RELAY_LIBM(Id, Name, Arity, Symbol, Doc) case Builtin::Id:
#include "relay/syntax/Builtins.def"
    return num(evalMath(e, slots));
  }
  return {};
}

/// Arguments left to right, then the function.
double Interpreter::Impl::evalMath(const CallExpr *e, Slot *slots) {
  double a[kMaxMathArity] = {};
  assert(e->args.size() <= kMaxMathArity && "a numeric builtin's arity");
  for (size_t i = 0; i < e->args.size() && i < kMaxMathArity; ++i)
    a[i] = number(e->args[i].get(), slots);
  return math(e->builtin, a);
}

/// All arguments are evaluated before anything is printed, so a call in an
/// argument that prints (or fails) does so before this line starts.
void Interpreter::Impl::print(const CallExpr *e, Slot *slots) {
  const auto &args = e->args;
  SlotStack::Mark mark = stack.mark();
  Slot *values = stack.push(args.size());
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i]->kind != Expr::Kind::String)
      values[i] = eval(args[i].get(), slots);
  for (size_t i = 0; i < args.size(); ++i) {
    if (i)
      kiln_rt_print_space();
    if (auto *s = dyn_cast<StringExpr>(args[i].get()))
      kiln_rt_print_bytes(s->value.data(), s->value.size());
    else
      printValue(args[i]->type, values[i]);
  }
  kiln_rt_print_newline();
  stack.reset(mark);
}

} // namespace kiln::relay
