// EmitExpr: one element of a tensor expression as LLVM values.
//
// The loops decide where operands come from (a load at the current index, a
// scalar loaded once, a combined reduction); this class only knows the
// language's per-element semantics: wrap-around integers, guarded division,
// NaN-propagating min/max, saturating float-to-int casts, vectorizable math.
#pragma once

#include "kiln/tensor/Ast.h"

#include "llvm/IR/IRBuilder.h"

#include <functional>

namespace kiln::tensor::irgen {

/// The LLVM type of a dtype in registers (bool: i1).
llvm::Type *valueType(llvm::LLVMContext &ctx, DType t);
/// The LLVM type of a dtype in memory (bool: i8).
llvm::Type *memoryType(llvm::LLVMContext &ctx, DType t);

class ExprEmitter {
public:
  using ParamFn = std::function<llvm::Value *(unsigned param)>;
  using ReduceFn = std::function<llvm::Value *(const Expr &reduce)>;
  ExprEmitter(llvm::IRBuilder<> &b, ParamFn param, ReduceFn reduce)
      : B(b), Param(std::move(param)), Reduce(std::move(reduce)) {}

  llvm::Value *emit(const Expr &e);
  /// The value `x` of dtype `from` converted to `to` (language casts).
  llvm::Value *cast(llvm::Value *x, DType from, DType to);
  /// NaN-propagating min/max for floats, signed for integers, and/or for
  /// bool (used by elementwise min/max and by the reductions).
  llvm::Value *minMax(bool isMax, llvm::Value *a, llvm::Value *b, DType t);

private:
  llvm::IRBuilder<> &B;
  ParamFn Param;
  ReduceFn Reduce;

  llvm::Value *binary(const Expr &e);
  llvm::Value *intDivRem(bool rem, llvm::Value *a, llvm::Value *b);
  llvm::Value *builtin(const Expr &e);
  llvm::Value *unaryMath(llvm::Intrinsic::ID id, llvm::Value *x);
  llvm::Value *libmCall(const char *name, llvm::Value *x);
};

} // namespace kiln::tensor::irgen
