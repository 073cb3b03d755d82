// EmitExpr: the tensor language's per-element semantics in LLVM IR.
//
// Everything here is straight-line (selects, no branches) so the loop
// vectorizer can widen the loop body; math uses intrinsics or libm calls
// marked memory(none) so the vector library can replace them.
#include "EmitExpr.h"

#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

namespace kiln::tensor::irgen {

using namespace llvm;

Type *valueType(LLVMContext &ctx, DType t) {
  switch (t) {
  case DType::Bool: return Type::getInt1Ty(ctx);
  case DType::I32: return Type::getInt32Ty(ctx);
  case DType::I64: return Type::getInt64Ty(ctx);
  case DType::F32: return Type::getFloatTy(ctx);
  case DType::F64: return Type::getDoubleTy(ctx);
  }
  return nullptr;
}

Type *memoryType(LLVMContext &ctx, DType t) {
  return t == DType::Bool ? Type::getInt8Ty(ctx) : valueType(ctx, t);
}

Value *ExprEmitter::emit(const Expr &e) {
  switch (e.kind) {
  case ExprKind::Param: return Param(e.param);
  case ExprKind::Number: {
    Type *t = valueType(B.getContext(), e.type);
    if (isFloat(e.type))
      return ConstantFP::get(t, e.number);
    return ConstantInt::get(t, static_cast<int64_t>(e.number), true);
  }
  case ExprKind::Unary: {
    Value *x = emit(*e.children[0]);
    if (e.unary == UnaryOp::Not)
      return B.CreateNot(x);
    return isFloat(e.type) ? B.CreateFNeg(x) : B.CreateNeg(x);
  }
  case ExprKind::Binary: return binary(e);
  case ExprKind::Call: return builtin(e);
  case ExprKind::Cast:
    return cast(emit(*e.children[0]), e.children[0]->type, e.castTo);
  case ExprKind::Where: {
    Value *c = emit(*e.children[0]);
    Value *x = emit(*e.children[1]);
    Value *y = emit(*e.children[2]);
    return B.CreateSelect(c, x, y);
  }
  case ExprKind::Reduce: return Reduce(e);
  case ExprKind::MatMul: return nullptr; // lowered first (engine/Matmul.h)
  }
  return nullptr;
}

/// x / 0 = 0, x % 0 = 0, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0: divide by
/// 1 where the hardware would trap, then fix the result.
Value *ExprEmitter::intDivRem(bool rem, Value *a, Value *b) {
  Type *t = a->getType();
  unsigned bits = t->getIntegerBitWidth();
  Value *zero = ConstantInt::get(t, 0), *one = ConstantInt::get(t, 1);
  Value *byZero = B.CreateICmpEQ(b, zero);
  Value *overflow = B.CreateAnd(
      B.CreateICmpEQ(a, ConstantInt::get(t, APInt::getSignedMinValue(bits))),
      B.CreateICmpEQ(b, ConstantInt::getAllOnesValue(t)));
  Value *safe = B.CreateSelect(B.CreateOr(byZero, overflow), one, b);
  Value *r = rem ? B.CreateSRem(a, safe) : B.CreateSDiv(a, safe);
  return B.CreateSelect(byZero, zero, r);
}

Value *ExprEmitter::binary(const Expr &e) {
  Value *a = emit(*e.children[0]);
  Value *b = emit(*e.children[1]);
  DType t = e.children[0]->type;
  bool f = isFloat(t);
  switch (e.binary) {
  case BinaryOp::Add: return f ? B.CreateFAdd(a, b) : B.CreateAdd(a, b);
  case BinaryOp::Sub: return f ? B.CreateFSub(a, b) : B.CreateSub(a, b);
  case BinaryOp::Mul: return f ? B.CreateFMul(a, b) : B.CreateMul(a, b);
  case BinaryOp::Div: return f ? B.CreateFDiv(a, b) : intDivRem(false, a, b);
  case BinaryOp::Rem: return f ? B.CreateFRem(a, b) : intDivRem(true, a, b);
  case BinaryOp::Lt: return f ? B.CreateFCmpOLT(a, b) : B.CreateICmpSLT(a, b);
  case BinaryOp::Le: return f ? B.CreateFCmpOLE(a, b) : B.CreateICmpSLE(a, b);
  case BinaryOp::Gt: return f ? B.CreateFCmpOGT(a, b) : B.CreateICmpSGT(a, b);
  case BinaryOp::Ge: return f ? B.CreateFCmpOGE(a, b) : B.CreateICmpSGE(a, b);
  case BinaryOp::Eq: return f ? B.CreateFCmpOEQ(a, b) : B.CreateICmpEQ(a, b);
  case BinaryOp::Ne: return f ? B.CreateFCmpUNE(a, b) : B.CreateICmpNE(a, b);
  case BinaryOp::And: return B.CreateAnd(a, b);
  case BinaryOp::Or: return B.CreateOr(a, b);
  }
  return nullptr;
}

Value *ExprEmitter::cast(Value *x, DType from, DType to) {
  LLVMContext &ctx = B.getContext();
  Type *dst = valueType(ctx, to);
  if (from == to)
    return x;
  if (to == DType::Bool)
    return isFloat(from) ? B.CreateFCmpUNE(x, ConstantFP::get(x->getType(), 0))
                         : B.CreateICmpNE(x, ConstantInt::get(x->getType(), 0));
  if (from == DType::Bool)
    return isFloat(to) ? B.CreateUIToFP(x, dst) : B.CreateZExt(x, dst);
  if (isFloat(from) && isFloat(to))
    return B.CreateFPCast(x, dst);
  if (isFloat(from))
    return B.CreateIntrinsic(Intrinsic::fptosi_sat, {dst, x->getType()}, {x});
  if (isFloat(to))
    return B.CreateSIToFP(x, dst);
  return B.CreateSExtOrTrunc(x, dst);
}

Value *ExprEmitter::minMax(bool isMax, Value *a, Value *b, DType t) {
  if (t == DType::Bool)
    return isMax ? B.CreateOr(a, b) : B.CreateAnd(a, b);
  if (isFloat(t))
    return B.CreateBinaryIntrinsic(
        isMax ? Intrinsic::maximum : Intrinsic::minimum, a, b);
  return B.CreateBinaryIntrinsic(isMax ? Intrinsic::smax : Intrinsic::smin, a,
                                 b);
}

Value *ExprEmitter::unaryMath(Intrinsic::ID id, Value *x) {
  return B.CreateUnaryIntrinsic(id, x);
}

/// A builtin with no LLVM 19 intrinsic the vector library maps (tanh): a
/// call of its libm function (Builtins.def; 'f' appended for f32), declared
/// as not touching memory so it can be vectorized.
Value *ExprEmitter::libmCall(const char *name, Value *x) {
  Module *m = B.GetInsertBlock()->getModule();
  bool f32 = x->getType()->isFloatTy();
  FunctionCallee fn = m->getOrInsertFunction(
      std::string(name) + (f32 ? "f" : ""),
      FunctionType::get(x->getType(), {x->getType()}, false));
  auto *f = cast<Function>(fn.getCallee());
  f->setDoesNotAccessMemory();
  f->setDoesNotThrow();
  f->setWillReturn();
  CallInst *call = B.CreateCall(fn, {x});
  call->setDoesNotAccessMemory();
  call->setDoesNotThrow();
  return call;
}

Value *ExprEmitter::builtin(const Expr &e) {
  std::vector<Value *> a;
  for (const ExprRef &c : e.children)
    a.push_back(emit(*c));
  DType t = e.type;
  Type *ty = valueType(B.getContext(), t);
  switch (e.builtin) {
  case Builtin::Abs:
    return isFloat(t)
               ? unaryMath(Intrinsic::fabs, a[0])
               : B.CreateBinaryIntrinsic(Intrinsic::abs, a[0], B.getFalse());
  case Builtin::Min: return minMax(false, a[0], a[1], t);
  case Builtin::Max: return minMax(true, a[0], a[1], t);
  case Builtin::Relu: {
    Value *zero = Constant::getNullValue(ty);
    if (!isFloat(t))
      return minMax(true, a[0], zero, t);
    // maximum(x, 0) as `x > 0 || x is NaN ? x : +0` (the reference's
    // reluOp): the same values, one unordered compare and a masked move —
    // maximum() lowers to max, a NaN check and a blend.
    return B.CreateSelect(B.CreateFCmpUGT(a[0], zero), a[0], zero);
  }
  case Builtin::Clamp:
    return minMax(false, minMax(true, a[0], a[1], t), a[2], t);
  case Builtin::Sqrt: return unaryMath(Intrinsic::sqrt, a[0]);
  case Builtin::Exp: return unaryMath(Intrinsic::exp, a[0]);
  case Builtin::Log: return unaryMath(Intrinsic::log, a[0]);
  case Builtin::Sin: return unaryMath(Intrinsic::sin, a[0]);
  case Builtin::Cos: return unaryMath(Intrinsic::cos, a[0]);
  case Builtin::Floor: return unaryMath(Intrinsic::floor, a[0]);
  case Builtin::Ceil: return unaryMath(Intrinsic::ceil, a[0]);
  case Builtin::Tanh: return libmCall(builtinLibm(e.builtin), a[0]);
  case Builtin::Pow: return B.CreateBinaryIntrinsic(Intrinsic::pow, a[0], a[1]);
  case Builtin::Sigmoid: {
    Value *one = ConstantFP::get(ty, 1.0);
    Value *ex = unaryMath(Intrinsic::exp, B.CreateFNeg(a[0]));
    return B.CreateFDiv(one, B.CreateFAdd(one, ex));
  }
  }
  return nullptr;
}

} // namespace kiln::tensor::irgen
