// ElementOps: the tensor language's per-element semantics, written once in
// plain C++ for both reference executors.
//
// These definitions are the oracle the JIT is checked against, so they follow
// docs/tensor.md literally: integers wrap, x/0 = x%0 = 0, INT_MIN/-1 =
// INT_MIN, float-to-int casts truncate and saturate (NaN -> 0), min/max
// propagate NaN and order -0 below +0 (llvm.minimum/maximum). Bool elements
// are bytes; any non-zero byte reads as true, results are 0 or 1.
#pragma once

#include "kiln/tensor/Ast.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace kiln::tensor::ref {

using Bool = uint8_t; ///< storage of a bool element

/// Calls f(T{}) with T the C++ type that stores `type`; false for none.
template <class F> bool onType(DType type, F &&f) {
  switch (type) {
  case DType::Bool: return f(Bool{});
  case DType::I32: return f(int32_t{});
  case DType::I64: return f(int64_t{});
  case DType::F32: return f(float{});
  case DType::F64: return f(double{});
  }
  return false;
}

template <class T> constexpr bool kIsFloat = std::is_floating_point_v<T>;

/// Wrap-around arithmetic through the unsigned type; IEEE for floats.
template <class T> inline T addOp(T a, T b) {
  if constexpr (kIsFloat<T>)
    return a + b;
  else
    return T(std::make_unsigned_t<T>(a) + std::make_unsigned_t<T>(b));
}
template <class T> inline T subOp(T a, T b) {
  if constexpr (kIsFloat<T>)
    return a - b;
  else
    return T(std::make_unsigned_t<T>(a) - std::make_unsigned_t<T>(b));
}
template <class T> inline T mulOp(T a, T b) {
  if constexpr (kIsFloat<T>)
    return a * b;
  else
    return T(std::make_unsigned_t<T>(a) * std::make_unsigned_t<T>(b));
}
template <class T> inline T negOp(T a) {
  if constexpr (kIsFloat<T>)
    return -a;
  else
    return T(std::make_unsigned_t<T>(0) - std::make_unsigned_t<T>(a));
}
/// Truncating division; x/0 = 0 and INT_MIN/-1 = INT_MIN for integers.
template <class T> inline T divOp(T a, T b) {
  if constexpr (kIsFloat<T>)
    return a / b;
  else {
    if (b == 0)
      return 0;
    if (b == -1)
      return negOp(a);
    return a / b;
  }
}
/// C remainder (sign of the dividend); x%0 = 0, x%-1 = 0; fmod for floats.
template <class T> inline T remOp(T a, T b) {
  if constexpr (kIsFloat<T>)
    return std::fmod(a, b);
  else
    return (b == 0 || b == -1) ? T(0) : T(a % b);
}

/// NaN-propagating minimum with -0 < +0 (llvm.minimum).
template <class T> inline T minOp(T a, T b) {
  if constexpr (kIsFloat<T>) {
    if (a != a || b != b)
      return a + b;
    if (a == b)
      return std::signbit(a) ? a : b;
    return a < b ? a : b;
  } else {
    return a < b ? a : b;
  }
}
/// NaN-propagating maximum with +0 > -0 (llvm.maximum).
template <class T> inline T maxOp(T a, T b) {
  if constexpr (kIsFloat<T>) {
    if (a != a || b != b)
      return a + b;
    if (a == b)
      return std::signbit(a) ? b : a;
    return a > b ? a : b;
  } else {
    return a > b ? a : b;
  }
}
/// max(x, 0): NaN stays NaN, -0 becomes +0.
template <class T> inline T reluOp(T a) {
  if constexpr (kIsFloat<T>)
    return (a > T(0) || a != a) ? a : T(0);
  else
    return a > 0 ? a : T(0);
}
/// |x|; abs(INT_MIN) = INT_MIN.
template <class T> inline T absOp(T a) {
  if constexpr (kIsFloat<T>)
    return std::fabs(a);
  else
    return a < 0 ? negOp(a) : a;
}
template <class T> inline T clampOp(T x, T lo, T hi) {
  return minOp(maxOp(x, lo), hi);
}
/// 1 / (1 + exp(-x)) evaluated in T.
template <class T> inline T sigmoidOp(T x) {
  return T(1) / (T(1) + T(std::exp(-x)));
}

/// Casts with the language's rules (see the file comment).
template <class To, class From> inline To castOp(From x) {
  if constexpr (std::is_same_v<From, Bool>) {
    return To(x != 0 ? 1 : 0);
  } else if constexpr (std::is_same_v<To, Bool>) {
    return Bool(x != From(0) ? 1 : 0); // NaN != 0: true
  } else if constexpr (kIsFloat<From> && !kIsFloat<To>) {
    if (x != x)
      return 0;
    const From lo = From(std::numeric_limits<To>::min()); // -2^k, exact
    if (x < lo)
      return std::numeric_limits<To>::min();
    if (x >= -lo)
      return std::numeric_limits<To>::max();
    return To(x);
  } else {
    return To(x); // int->int wraps (C++20), int/float->float rounds to nearest
  }
}

} // namespace kiln::tensor::ref
