// Reduce: the whole-array reduction accumulators of Loops.h.
//
// Integer sums and products wrap in the argument's width; float sums and
// products round to the argument's dtype at every step (8 independent lanes
// per call, then the call's partial is added to the running total); min/max
// propagate NaN like the builtins. Integer and bool means accumulate in
// double and divide by the element count.
#include "Loops.h"

#include "ElementOps.h"

namespace kiln::tensor::ref {
namespace {

/// Folds n elements (stride 0 or 1) with 8 independent lanes.
template <class T, class F>
T fold8(const T *x, int64_t stride, int64_t n, T init, F f) {
  T lane[8] = {init, init, init, init, init, init, init, init};
  int64_t i = 0;
  if (stride == 1) {
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j)
        lane[j] = f(lane[j], x[i + j]);
  } else {
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j)
        lane[j] = f(lane[j], x[0]);
  }
  for (; i < n; ++i)
    lane[0] = f(lane[0], x[i * stride]);
  return f(f(f(lane[0], lane[1]), f(lane[2], lane[3])),
           f(f(lane[4], lane[5]), f(lane[6], lane[7])));
}

/// NumPy-style pairwise summation: 8-lane leaves of at most 128 elements.
template <class T> T pairwise(const T *x, int64_t stride, int64_t n) {
  if (n <= 128)
    return fold8(x, stride, n, T(0), addOp<T>);
  int64_t half = n / 2;
  half -= half % 8;
  return addOp(pairwise(x, stride, half),
               pairwise(x + half * stride, stride, n - half));
}

/// Bools count by truth value, whatever non-zero byte stores them.
template <class T> T norm(T v) {
  if constexpr (std::is_same_v<T, Bool>)
    return T(v != 0);
  else
    return v;
}

template <class T> T loadF(const Accum &acc) { return T(acc.f); }

template <class T>
void add(Accum &acc, const T *x, int64_t stride, int64_t n, bool pairwiseSum) {
  switch (acc.op) {
  case ReduceOp::Sum:
  case ReduceOp::Mean:
    if constexpr (kIsFloat<T>) {
      T part = pairwiseSum ? pairwise(x, stride, n)
                           : fold8(x, stride, n, T(0), addOp<T>);
      acc.f = double(addOp(loadF<T>(acc), part));
    } else if (acc.op == ReduceOp::Mean) {
      for (int64_t i = 0; i < n; ++i)
        acc.f += double(norm(x[i * stride]));
    } else if constexpr (!std::is_same_v<T, Bool>) {
      T part = fold8(x, stride, n, T(0), addOp<T>);
      acc.i = int64_t(addOp(T(acc.i), part));
    }
    break;
  case ReduceOp::Prod:
    if constexpr (kIsFloat<T>) {
      acc.f = double(mulOp(loadF<T>(acc), fold8(x, stride, n, T(1), mulOp<T>)));
    } else if constexpr (!std::is_same_v<T, Bool>) {
      acc.i = int64_t(mulOp(T(acc.i), fold8(x, stride, n, T(1), mulOp<T>)));
    }
    break;
  case ReduceOp::Min:
  case ReduceOp::Max: {
    const bool isMin = acc.op == ReduceOp::Min;
    if constexpr (kIsFloat<T>) {
      T part = isMin ? fold8(x, stride, n, loadF<T>(acc), minOp<T>)
                     : fold8(x, stride, n, loadF<T>(acc), maxOp<T>);
      acc.f = double(part);
    } else {
      T best = T(acc.i);
      for (int64_t i = 0; i < n; ++i)
        best = isMin ? minOp(best, norm(x[i * stride]))
                     : maxOp(best, norm(x[i * stride]));
      acc.i = int64_t(best);
    }
    break;
  }
  case ReduceOp::ArgMax: // along an axis only (AxisEval.cpp scans lines)
  case ReduceOp::ArgMin: break;
  }
  acc.count += n;
}

void addAny(Accum &acc, Operand a, int64_t n, bool pairwiseSum) {
  if (n <= 0)
    return;
  onType(acc.type, [&](auto tag) {
    using T = decltype(tag);
    add<T>(acc, static_cast<const T *>(a.data), a.scalar ? 0 : 1, n,
           pairwiseSum);
    return true;
  });
}

} // namespace

bool accumInit(Accum &acc, ReduceOp op, DType argType) {
  acc = Accum{};
  acc.op = op;
  acc.type = argType;
  const bool isBool = argType == DType::Bool;
  if (isBool && (op == ReduceOp::Sum || op == ReduceOp::Prod))
    return false;
  if (op == ReduceOp::ArgMax || op == ReduceOp::ArgMin)
    return false; // along an axis only: AxisEval.cpp
  if (op == ReduceOp::Prod) {
    acc.f = 1;
    acc.i = 1;
  } else if (op == ReduceOp::Min || op == ReduceOp::Max) {
    const bool isMin = op == ReduceOp::Min;
    acc.f = isMin ? INFINITY : -INFINITY;
    if (argType == DType::I32)
      acc.i = isMin ? INT32_MAX : INT32_MIN;
    else if (argType == DType::I64)
      acc.i = isMin ? INT64_MAX : INT64_MIN;
    else
      acc.i = isMin ? 1 : 0;
  }
  return true;
}

void accumulate(Accum &acc, Operand a, int64_t n) { addAny(acc, a, n, false); }

void accumulatePairwise(Accum &acc, Operand a, int64_t n) {
  addAny(acc, a, n, true);
}

void accumFinish(const Accum &acc, DType resultType, void *dst) {
  double f = acc.f;
  if (acc.op == ReduceOp::Mean) {
    if (acc.type == DType::F32)
      f = double(float(acc.f) / float(acc.count));
    else
      f = acc.f / double(acc.count);
  }
  const bool floatValue = isFloat(acc.type) || acc.op == ReduceOp::Mean;
  onType(resultType, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (kIsFloat<T>)
      *static_cast<T *>(dst) = floatValue ? T(f) : castOp<T>(acc.i);
    else
      *static_cast<T *>(dst) = floatValue ? castOp<T>(f) : T(acc.i);
    return true;
  });
}

} // namespace kiln::tensor::ref
