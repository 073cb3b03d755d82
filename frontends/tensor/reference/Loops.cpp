// Loops: typed element loops for every operator, builtin and cast.
//
// Dispatch happens once per call: a switch on the dtype picks a C++ type,
// a switch on the operator picks a lambda from ElementOps.h, and map1/2/3 run
// it over the elements with scalar operands hoisted out of the loop.
#include "Loops.h"

#include "ElementOps.h"

namespace kiln::tensor::ref {
namespace {

template <class T> constexpr bool kIsNumeric = !std::is_same_v<T, Bool>;

/// Bools compare by truth value, whatever non-zero byte stores them.
template <class T> inline T norm(T x) {
  if constexpr (std::is_same_v<T, Bool>)
    return Bool(x != 0);
  else
    return x;
}

template <class R, class A, class F>
void map1(void *dst, Operand a, int64_t n, F f) {
  R *d = static_cast<R *>(dst);
  const A *x = static_cast<const A *>(a.data);
  if (a.scalar) {
    const R r = f(*x);
    for (int64_t i = 0; i < n; ++i)
      d[i] = r;
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    d[i] = f(x[i]);
}

template <class R, class A, class F>
void map2(void *dst, Operand a, Operand b, int64_t n, F f) {
  R *d = static_cast<R *>(dst);
  const A *x = static_cast<const A *>(a.data);
  const A *y = static_cast<const A *>(b.data);
  if (!a.scalar && !b.scalar) {
    for (int64_t i = 0; i < n; ++i)
      d[i] = f(x[i], y[i]);
  } else if (a.scalar && !b.scalar) {
    const A xs = *x;
    for (int64_t i = 0; i < n; ++i)
      d[i] = f(xs, y[i]);
  } else if (!a.scalar) {
    const A ys = *y;
    for (int64_t i = 0; i < n; ++i)
      d[i] = f(x[i], ys);
  } else {
    const R r = f(*x, *y);
    for (int64_t i = 0; i < n; ++i)
      d[i] = r;
  }
}

template <class R, class A, class B, class C, class F>
void map3(void *dst, Operand a, Operand b, Operand c, int64_t n, F f) {
  R *d = static_cast<R *>(dst);
  const A *x = static_cast<const A *>(a.data);
  const B *y = static_cast<const B *>(b.data);
  const C *z = static_cast<const C *>(c.data);
  const int64_t sa = a.scalar ? 0 : 1, sb = b.scalar ? 0 : 1,
                sc = c.scalar ? 0 : 1;
  for (int64_t i = 0; i < n; ++i)
    d[i] = f(x[i * sa], y[i * sb], z[i * sc]);
}

template <class T>
bool arith(BinaryOp op, Operand a, Operand b, void *dst, int64_t n) {
  switch (op) {
  case BinaryOp::Add: map2<T, T>(dst, a, b, n, addOp<T>); return true;
  case BinaryOp::Sub: map2<T, T>(dst, a, b, n, subOp<T>); return true;
  case BinaryOp::Mul: map2<T, T>(dst, a, b, n, mulOp<T>); return true;
  case BinaryOp::Div: map2<T, T>(dst, a, b, n, divOp<T>); return true;
  case BinaryOp::Rem: map2<T, T>(dst, a, b, n, remOp<T>); return true;
  default: return false;
  }
}

template <class T>
bool compare(BinaryOp op, Operand a, Operand b, void *dst, int64_t n) {
  auto run = [&](auto cmp) {
    map2<Bool, T>(dst, a, b, n,
                  [cmp](T x, T y) { return Bool(cmp(norm(x), norm(y))); });
    return true;
  };
  switch (op) {
  case BinaryOp::Lt: return run([](T x, T y) { return x < y; });
  case BinaryOp::Le: return run([](T x, T y) { return x <= y; });
  case BinaryOp::Gt: return run([](T x, T y) { return x > y; });
  case BinaryOp::Ge: return run([](T x, T y) { return x >= y; });
  case BinaryOp::Eq: return run([](T x, T y) { return x == y; });
  case BinaryOp::Ne: return run([](T x, T y) { return x != y; });
  default: return false;
  }
}

template <class T>
bool floatCall(Builtin fn, const Operand *args, void *dst, int64_t n) {
  auto one = [&](auto f) {
    map1<T, T>(dst, args[0], n, f);
    return true;
  };
  switch (fn) {
  case Builtin::Sqrt: return one([](T x) { return std::sqrt(x); });
  case Builtin::Exp: return one([](T x) { return std::exp(x); });
  case Builtin::Log: return one([](T x) { return std::log(x); });
  case Builtin::Sin: return one([](T x) { return std::sin(x); });
  case Builtin::Cos: return one([](T x) { return std::cos(x); });
  case Builtin::Tanh: return one([](T x) { return std::tanh(x); });
  case Builtin::Sigmoid: return one(sigmoidOp<T>);
  case Builtin::Floor: return one([](T x) { return std::floor(x); });
  case Builtin::Ceil: return one([](T x) { return std::ceil(x); });
  case Builtin::Pow:
    map2<T, T>(dst, args[0], args[1], n,
               [](T x, T y) { return std::pow(x, y); });
    return true;
  default: return false;
  }
}

template <class T>
bool numericCall(Builtin fn, const Operand *args, void *dst, int64_t n) {
  switch (fn) {
  case Builtin::Abs: map1<T, T>(dst, args[0], n, absOp<T>); return true;
  case Builtin::Relu: map1<T, T>(dst, args[0], n, reluOp<T>); return true;
  case Builtin::Min:
    map2<T, T>(dst, args[0], args[1], n, minOp<T>);
    return true;
  case Builtin::Max:
    map2<T, T>(dst, args[0], args[1], n, maxOp<T>);
    return true;
  case Builtin::Clamp:
    map3<T, T, T, T>(dst, args[0], args[1], args[2], n, clampOp<T>);
    return true;
  default:
    if constexpr (kIsFloat<T>)
      return floatCall<T>(fn, args, dst, n);
    return false;
  }
}

} // namespace

bool applyUnary(UnaryOp op, DType type, Operand a, void *dst, int64_t n) {
  return onType(type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (kIsNumeric<T>) {
      if (op != UnaryOp::Neg)
        return false;
      map1<T, T>(dst, a, n, negOp<T>);
    } else {
      if (op != UnaryOp::Not)
        return false;
      map1<Bool, Bool>(dst, a, n, [](Bool x) { return Bool(x == 0); });
    }
    return true;
  });
}

bool applyBinary(BinaryOp op, DType type, Operand a, Operand b, void *dst,
                 int64_t n) {
  return onType(type, [&](auto tag) {
    using T = decltype(tag);
    if (compare<T>(op, a, b, dst, n))
      return true;
    if constexpr (kIsNumeric<T>) {
      return arith<T>(op, a, b, dst, n);
    } else {
      if (op == BinaryOp::And)
        map2<Bool, Bool>(dst, a, b, n,
                         [](Bool x, Bool y) { return Bool(x && y); });
      else if (op == BinaryOp::Or)
        map2<Bool, Bool>(dst, a, b, n,
                         [](Bool x, Bool y) { return Bool(x || y); });
      else
        return false;
      return true;
    }
  });
}

bool applyCall(Builtin fn, DType type, const Operand *args, void *dst,
               int64_t n) {
  return onType(type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (kIsNumeric<T>)
      return numericCall<T>(fn, args, dst, n);
    return false;
  });
}

bool applyCast(DType from, DType to, Operand a, void *dst, int64_t n) {
  return onType(from, [&](auto fromTag) {
    using From = decltype(fromTag);
    return onType(to, [&](auto toTag) {
      using To = decltype(toTag);
      map1<To, From>(dst, a, n, castOp<To, From>);
      return true;
    });
  });
}

bool applyWhere(DType type, Operand c, Operand x, Operand y, void *dst,
                int64_t n) {
  return onType(type, [&](auto tag) {
    using T = decltype(tag);
    map3<T, Bool, T, T>(dst, c, x, y, n,
                        [](Bool k, T a, T b) { return k ? a : b; });
    return true;
  });
}

} // namespace kiln::tensor::ref
