// VecMathBuilder: lane-wise IR building blocks for Kiln's vector math.
//
// The routines of VecMath.cpp are written once for any vector width: this
// wraps an IRBuilder with splat constants, fused multiply-adds, Horner
// polynomials, bit casts and the exponent tricks they share, on one vector
// type <W x double> (or float) and the integer vector of the same shape.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/IRBuilder.h"

namespace kiln::core::vecmath {

/// An unevaluated sum hi + lo with |lo| <= ulp(hi)/2: the extra precision
/// pow needs in log(x) and y*log(x).
struct DoubleDouble {
  llvm::Value *hi, *lo;
};

/// Builds on one vector type; borrows the IRBuilder (not thread-safe, like
/// the builder itself).
class VecBuilder {
public:
  /// `fused`: the CPU has FMA, so mulAdd rounds once (the core's
  /// TargetMachines do not fuse llvm.fmuladd, the kernel languages' rule).
  /// `avx512`: the CPU has AVX-512F, so table lookups are register permutes.
  VecBuilder(llvm::IRBuilder<> &b, llvm::Type *vectorType, bool fused,
             bool avx512);

  llvm::IRBuilder<> &b;
  bool fused, avx512;
  llvm::VectorType *fp;   ///< <W x double> or <W x float>
  llvm::VectorType *bits; ///< <W x i64> or <W x i32>

  llvm::Value *c(double v);    ///< splat of a float constant
  llvm::Value *ci(uint64_t v); ///< splat of an integer constant
  /// a*b + c: llvm.fma where the CPU has it, else a multiply and an add.
  llvm::Value *mulAdd(llvm::Value *a, llvm::Value *b, llvm::Value *c);
  /// a*b + c rounded once (llvm.fma): for exact products in DoubleDouble
  /// arithmetic; a libm call on CPUs without FMA.
  llvm::Value *fma(llvm::Value *a, llvm::Value *b, llvm::Value *c);
  /// coef[0]*x^n + ... + coef[n], by Estrin's scheme (pairs of terms
  /// combined with x, x^2, x^4, ...): a dependency chain of log2(n)
  /// multiply-adds instead of n, which the routines' latency is made of.
  llvm::Value *poly(llvm::Value *x, llvm::ArrayRef<double> coef);
  /// The same polynomial by Horner's rule: fewer instructions (no powers
  /// of x), a longer dependency chain — better in loops whose iterations
  /// are independent, where the CPU overlaps the chains of several.
  llvm::Value *horner(llvm::Value *x, llvm::ArrayRef<double> coef);
  llvm::Value *toBits(llvm::Value *v);
  llvm::Value *fromBits(llvm::Value *v);
  llvm::Value *abs(llvm::Value *v);
  llvm::Value *copySign(llvm::Value *mag, llvm::Value *sign);
  llvm::Value *select(llvm::Value *cond, llvm::Value *a, llvm::Value *b);
  /// Small integers (|k| < 2^31) to floats without a conversion
  /// instruction (AVX2 has none for i64): the 1.5*2^52 trick.
  llvm::Value *intToFp(llvm::Value *k);
  /// x*2^k for |k| <= 2100, as two exact power-of-two factors, so results
  /// that overflow give inf and ones in the subnormal range round once.
  /// f64 only.
  llvm::Value *scale(llvm::Value *x, llvm::Value *k);
  /// table[idx & 15] per lane (f64 vectors, a table of 16, idx an i64
  /// vector of which only the low 4 bits count): two-register permutes
  /// (vpermt2pd) on AVX-512 at multiples of 8 lanes, else a load per lane
  /// from a constant array.
  llvm::Value *lookup16(llvm::ArrayRef<double> table, llvm::Value *idx);
  /// x*2^floor(k) for f64 vectors, floor(k) in [-1022, 1023] (a normal
  /// power of two): vscalefpd on AVX-512 at multiples of 8 lanes (one
  /// instruction, no integer conversion), else a multiply by 2^floor(k).
  llvm::Value *scaleFloor(llvm::Value *x, llvm::Value *k);
  /// Error-free sum, s + e == a + b exactly, for |a| >= |b| (or a == 0).
  DoubleDouble fastTwoSum(llvm::Value *a, llvm::Value *b);

private:
  /// Whether the vectors are doubles in whole AVX-512 registers.
  bool zmm() const;
  /// part(8 lanes of `first` from lane `at`, at) for each 512-bit slice of
  /// `first`, concatenated: for the AVX-512 intrinsics, which take 8 lanes.
  llvm::Value *
  by512(llvm::Value *first,
        llvm::function_ref<llvm::Value *(llvm::Value *, unsigned)> part);
};

} // namespace kiln::core::vecmath
