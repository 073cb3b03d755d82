// VecMathCores: exp, expm1 and log on <W x double>, the kernels that
// Kiln's vector routines (VecMath.cpp) are built from.
//
// All take and give double vectors of any width and are branch-free: the
// special inputs (NaN, infinities, zeros, subnormals, overflow) are handled
// with selects, so one straight-line body serves every lane.
#pragma once

#include "VecMathBuilder.h"

namespace kiln::core::vecmath {

/// e^(x + lo): range reduction by k*ln2 (ln2 in two parts), a polynomial
/// on |r| <= ln2/2, and scale() by 2^k: ~1 ulp. `lo` (null for none) is a
/// small correction of x, used where |x| < 750. With `base2`, 2^x instead,
/// to 2^-29 relative only (float results), exact at integers.
/// `ordinary`: the caller guarantees |x| < 708 (base2: 1021), where the
/// clamps and the two-step scaling are not needed.
llvm::Value *expCore(VecBuilder &v, llvm::Value *x, llvm::Value *lo,
                     bool base2 = false, bool ordinary = false);

/// e^u - 1 for u in [0, 44] (or NaN), accurate near 0.
llvm::Value *expm1Core(VecBuilder &v, llvm::Value *u);

/// log(x): fdlibm's reduction to [sqrt(1/2), sqrt(2)) and its minimax
/// polynomial (< 1 ulp), with subnormals, 0, negatives, inf and NaN.
/// With `base2`, log2(x) (exact at powers of two, ~2 ulp elsewhere).
/// `ordinary`: the caller guarantees x is positive, normal and finite.
llvm::Value *logCore(VecBuilder &v, llvm::Value *x, bool base2 = false,
                     bool ordinary = false);

/// log(x) for x >= 0 as hi + lo, relative error ~2^-66 (pow's need):
/// ARM optimized-routines' table scheme with a 16-entry table (lookup16),
/// an exact fma for r = z/c - 1 and a degree-10 polynomial, no division.
/// Non-finite results (x = 0, inf, NaN) have lo = 0. `ordinary`: as for
/// logCore.
DoubleDouble logDD(VecBuilder &v, llvm::Value *x, bool ordinary = false);

/// e^(z.hi + z.lo) for |z.hi| < 708 (pow's fast path): a 16-entry table
/// of 2^(j/16) (lookup16) with its rounding errors and a degree-7
/// polynomial, ~2^-62 relative before the final rounding; no clamps, so
/// larger |z| give garbage.
llvm::Value *expTable(VecBuilder &v, DoubleDouble z);

/// log2(x) for doubles x widened from positive, normal, finite floats: a
/// 16-entry table (lookup16) and a degree-5 polynomial, to ~2^-32
/// relative — pow's need for float results.
llvm::Value *log2Double(VecBuilder &d, llvm::Value *x);

/// 2^z for |z| < 1022 (no clamps), to 2^-29 relative — float results: the
/// 2^(j/16) table of expTable and a degree-3 polynomial.
llvm::Value *exp2Double(VecBuilder &d, llvm::Value *z);

/// Whether each lane of x (float or double) is positive, normal, finite.
llvm::Value *isOrdinaryPositive(VecBuilder &v, llvm::Value *x);

} // namespace kiln::core::vecmath
