// VecMath: Kiln's own vector math routines, generated as LLVM IR.
//
// glibc's libmvec is what the loop vectorizer calls for exp, log, ... (see
// VectorLibrary.h), but a few of its AVX-512 routines (pow, and f64 exp,
// log and tanh) are slower than the ones NumPy ships. For those, the core
// writes its own routine — range reduction, a polynomial, and the special
// cases (NaN, inf, zeros, subnormals, overflow) done with selects — as IR
// into the module that calls it, for any vector width, and the vector
// library table names it instead of libmvec's (lib/core/VecMath.def).
#pragma once

#include "kiln/core/VectorLibrary.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace llvm {
class Function;
class Module;
class Type;
class VecDesc;
} // namespace llvm

namespace kiln::core {

/// The functions Kiln has a vector routine for.
enum class VecMathFn { Exp, Log, Tanh, Pow };

/// "kiln_vm_exp_f64x8": the routine's name for `fn` on `lanes` elements of
/// f32 (`f64` false) or f64.
std::string vecMathName(VecMathFn fn, bool f64, unsigned lanes);

/// What the routines may use of the CPU they are generated for.
struct VecMathCpu {
  /// Multiply-adds round once; without FMA they are a multiply and an add,
  /// and f64 pow's exact products call libm's fma (slow, still correct).
  bool fma = false;
  /// Table lookups are AVX-512 register permutes (else a load per lane)
  /// and scaling by 2^k is vscalefpd.
  bool avx512 = false;
};

/// Defines `name` in `module` as `fn` on `vectorType` (<W x float> or
/// <W x double>, any W; pow takes two arguments): internal linkage, reads
/// only constants. Reuses an existing declaration of that name. Apart from
/// the permutes and vscalefpd `cpu.avx512` allows, the IR uses no target
/// intrinsic.
/// Accuracy against glibc's libm: docs/tensor.md, "Vector math width".
llvm::Function *defineVecMath(llvm::Module &module, VecMathFn fn,
                              llvm::Type *vectorType, llvm::StringRef name,
                              VecMathCpu cpu);

/// Whether `tm` gets Kiln's routines in place of libmvec's (the AVX-512F
/// targets of hasAvx512VectorMath).
bool usesKilnVectorMath(const llvm::TargetMachine &tm, VectorLibrary lib);

/// Whether the vector table names Kiln's routine for `scalar` at `lanes`.
bool isKilnVectorMath(llvm::StringRef scalar, unsigned lanes);

/// Appends the table rows mapping libm's names to Kiln's routines.
void appendKilnVectorMath(llvm::SmallVectorImpl<llvm::VecDesc> &rows);

/// After optimisation: gives every routine of VecMath.def that `module`
/// calls its body (the vectorizer only declared it), with the callers'
/// target attributes, and inlines it into the callers (its constants are
/// then loaded once per loop, not per call). Nothing unless
/// usesKilnVectorMath(tm, lib).
void defineCalledVectorMath(llvm::Module &module, const llvm::TargetMachine &tm,
                            VectorLibrary lib);

} // namespace kiln::core
