// JitOperatorTest: every operator, builtin and cast, for every dtype it
// accepts, through the JIT (O0/O3, 1/2 threads) against both references.
//
// Operands are tables of edge values per dtype (0, -0, ±1, INT_MIN/MAX,
// infinities, NaN, subnormals, values past the integer range, ...); shaping
// them [1, K] and [K, 1] makes the kernel visit every pair through
// broadcasting. Results must match bit for bit (NaN = NaN, -0 = +0), except
// the transcendental builtins (exp log sin cos tanh sigmoid pow): the JIT may
// call vector math routines, so those agree within 1e-5 (f32) / 1e-13 (f64)
// relative.
#include "CrossCheck.h"

#include <cmath>
#include <limits>

namespace kiln::tensor::test {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

std::vector<double> edgeValues(DType t) {
  switch (t) {
  case DType::Bool: return {0, 1};
  case DType::I32:
    return {0,          1,          -1,    2,      -2,         7,
            -7,         100,        12345, -54321, 2147483647, -2147483648.0,
            2147483646, -2147483647};
  case DType::I64:
    return {0,
            1,
            -1,
            3,
            -3,
            7,
            -7,
            4294967296.0,
            -4294967297.0,
            123456789012.0,
            9223372036854775807.0,
            -9223372036854775808.0};
  case DType::F32:
    return {0.0,   -0.0,    1,      -1,   0.5,          -2.5,
            3.75,  1e-40,   -1e-40, 1e30, -1e30,        kInf,
            -kInf, kNaN,    88.5,   -104, 2147483648.0, -2147483904.0,
            3e9,   7.25e18, 1.5e19};
  case DType::F64:
    return {0.0,    -0.0,    1,       -1,    0.5,          -2.5,
            3.75,   1e-310,  -1e-310, 1e300, -1e300,       kInf,
            -kInf,  kNaN,    709.5,   -745,  2147483647.5, -2147483649.0,
            9.3e18, -9.3e18, 1e-5};
  }
  return {};
}

/// A [1, K] (or [K, 1] with `column`) array of the edge values.
struct EdgeArray {
  std::vector<uint64_t> storage; // 8-byte aligned
  ArrayView view;
  EdgeArray(DType t, bool column, int rank = 2) {
    std::vector<double> v = edgeValues(t);
    storage.assign(v.size() + 1, 0);
    uint8_t *p = reinterpret_cast<uint8_t *>(storage.data());
    for (size_t k = 0; k < v.size(); ++k) {
      switch (t) {
      case DType::Bool: p[k] = v[k] != 0; break;
      case DType::I32: {
        int32_t x = int32_t(int64_t(v[k]));
        std::memcpy(p + 4 * k, &x, 4);
        break;
      }
      case DType::I64: {
        int64_t x = v[k] >= 9.2e18 ? INT64_MAX : int64_t(v[k]);
        std::memcpy(p + 8 * k, &x, 8);
        break;
      }
      case DType::F32: {
        float x = float(v[k]);
        std::memcpy(p + 4 * k, &x, 4);
        break;
      }
      case DType::F64: std::memcpy(p + 8 * k, &v[k], 8); break;
      }
    }
    const int64_t n = int64_t(v.size());
    std::vector<int64_t> shape = rank == 3 ? std::vector<int64_t>{n, 1, 1}
                                 : column  ? std::vector<int64_t>{n, 1}
                                           : std::vector<int64_t>{1, n};
    view = ArrayView::contiguous(storage.data(), t, shape);
  }
  int64_t size() const { return view.size(); }
};

const DType kAll[] = {DType::Bool, DType::I32, DType::I64, DType::F32,
                      DType::F64};
const DType kNumeric[] = {DType::I32, DType::I64, DType::F32, DType::F64};
const DType kFloats[] = {DType::F32, DType::F64};

std::string name(DType t) { return dtypeName(t); }

Tolerance approx(DType t) { return {t == DType::F32 ? 1e-5 : 1e-13, 0}; }

TEST(TensorJitOperators, BinaryArithmetic) {
  for (const char *op : {"+", "-", "*", "/", "%"})
    for (DType t : kNumeric) {
      SCOPED_TRACE(std::string(op) + " " + name(t));
      EdgeArray a(t, false), b(t, true);
      const std::string T = name(t);
      crossCheck("kernel f(a: " + T + "[], b: " + T + "[]) -> " + T +
                     "[] = a " + op + " b",
                 {Arg::of(a.view), Arg::of(b.view)}, {b.size(), a.size()});
    }
}

TEST(TensorJitOperators, Comparisons) {
  for (const char *op : {"<", "<=", ">", ">=", "==", "!="})
    for (DType t : kAll) {
      const bool equality = std::string(op) == "==" || std::string(op) == "!=";
      if (t == DType::Bool && !equality)
        continue; // a type error (sema)
      SCOPED_TRACE(std::string(op) + " " + name(t));
      EdgeArray a(t, false), b(t, true);
      const std::string T = name(t);
      crossCheck("kernel f(a: " + T + "[], b: " + T + "[]) -> bool[] = a " +
                     op + " b",
                 {Arg::of(a.view), Arg::of(b.view)}, {b.size(), a.size()});
    }
}

TEST(TensorJitOperators, LogicAndUnary) {
  EdgeArray p(DType::Bool, false), q(DType::Bool, true);
  crossCheck(
      "kernel f(a: bool[], b: bool[]) -> bool[] = (a && b) || !(a || !b)",
      {Arg::of(p.view), Arg::of(q.view)}, {2, 2});
  for (DType t : kNumeric) {
    SCOPED_TRACE(name(t));
    EdgeArray a(t, false);
    const std::string T = name(t);
    crossCheck("kernel f(a: " + T + "[]) -> " + T + "[] = -a",
               {Arg::of(a.view)}, {1, a.size()});
  }
}

TEST(TensorJitOperators, NumericBuiltins) {
  for (const char *fn : {"abs", "relu", "min", "max", "clamp"})
    for (DType t : kNumeric) {
      SCOPED_TRACE(std::string(fn) + " " + name(t));
      const std::string T = name(t), f = fn;
      EdgeArray a(t, false), b(t, true), c(t, false, 3);
      if (f == "clamp")
        crossCheck("kernel f(a: " + T + "[], b: " + T + "[], c: " + T +
                       "[]) -> " + T + "[] = clamp(c, b, a)",
                   {Arg::of(a.view), Arg::of(b.view), Arg::of(c.view)},
                   {c.size(), b.size(), a.size()});
      else if (f == "min" || f == "max")
        crossCheck("kernel f(a: " + T + "[], b: " + T + "[]) -> " + T +
                       "[] = " + f + "(a, b)",
                   {Arg::of(a.view), Arg::of(b.view)}, {b.size(), a.size()});
      else
        crossCheck("kernel f(a: " + T + "[]) -> " + T + "[] = " + f + "(a)",
                   {Arg::of(a.view)}, {1, a.size()});
    }
}

TEST(TensorJitOperators, FloatBuiltins) {
  for (const char *fn :
       {"sqrt", "floor", "ceil", "exp", "log", "sin", "cos", "tanh", "sigmoid"})
    for (DType t : kFloats) {
      SCOPED_TRACE(std::string(fn) + " " + name(t));
      const std::string T = name(t), f = fn;
      const bool exact = f == "sqrt" || f == "floor" || f == "ceil";
      EdgeArray a(t, false);
      crossCheck("kernel f(a: " + T + "[]) -> " + T + "[] = " + f + "(a)",
                 {Arg::of(a.view)}, {1, a.size()},
                 exact ? Tolerance{} : approx(t));
      // A dense sweep as well: the edge table has few ordinary values.
      Buf<double> sweep({2001});
      for (int k = 0; k < 2001; ++k)
        sweep.data[k] = (k - 1000) * 0.0173;
      std::string body = f == "sqrt" || f == "log"
                             ? f + "(abs(f" + T.substr(1) + "(x)))"
                             : f + "(" + T + "(x))";
      crossCheck("kernel f(x: f64[]) -> " + T + "[] = " + body, {sweep.arg()},
                 {2001}, exact ? Tolerance{} : approx(t));
    }
  for (DType t : kFloats) {
    SCOPED_TRACE("pow " + name(t));
    const std::string T = name(t);
    EdgeArray a(t, false), b(t, true);
    crossCheck(
        "kernel f(a: " + T + "[], b: " + T + "[]) -> " + T + "[] = pow(a, b)",
        {Arg::of(a.view), Arg::of(b.view)}, {b.size(), a.size()}, approx(t));
  }
}

TEST(TensorJitOperators, WhereForEveryType) {
  for (DType t : kAll) {
    SCOPED_TRACE(name(t));
    const std::string T = name(t);
    EdgeArray a(t, false), b(t, true), c(DType::Bool, false, 3);
    crossCheck("kernel f(c: bool[], a: " + T + "[], b: " + T + "[]) -> " + T +
                   "[] = where(c, a, b)",
               {Arg::of(c.view), Arg::of(a.view), Arg::of(b.view)},
               {2, b.size(), a.size()});
  }
}

TEST(TensorJitOperators, EveryCast) {
  for (DType from : kAll)
    for (DType to : kAll) {
      SCOPED_TRACE(name(from) + " -> " + name(to));
      EdgeArray a(from, false);
      crossCheck("kernel f(a: " + name(from) + "[]) -> " + name(to) +
                     "[] = " + name(to) + "(a)",
                 {Arg::of(a.view)}, {1, a.size()});
    }
}

TEST(TensorJitOperators, LiteralsAndScalars) {
  Buf<int32_t> i({5}, {-7, -1, 0, 3, 2147483647});
  crossCheck("kernel f(a: i32[], s: i32) -> i32[] = a * 3 - s / 2 + 2147483647 "
             "% (s + 1)",
             {i.arg(), Arg::of(Scalar::i32(-9))}, {5});
  Buf<float> f({4}, {-1.5f, 0, 2.25f, 1e20f});
  crossCheck("kernel f(a: f32[], s: f32, t: f32) -> f32[] = (a * 0.1 + s) / t "
             "- 2.5e-3",
             {f.arg(), Arg::of(Scalar::f32(0.3f)), Arg::of(Scalar::f32(-7))},
             {4});
  crossCheck(
      "kernel f(s: f64, t: f64) -> f64[] = s * t + 1", // no array: rank 0
      {Arg::of(Scalar::f64(1.5)), Arg::of(Scalar::f64(-4))}, {});
}

} // namespace
} // namespace kiln::tensor::test
