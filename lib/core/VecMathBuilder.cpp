// VecMathBuilder: lane-wise IR building blocks for Kiln's vector math.
//
// Nothing here uses a target intrinsic: the same IR is valid for SSE, AVX2
// and AVX-512 vectors (and any other target), which is what lets the tests
// check the routines at 2, 4, 8 and 16 lanes on any x86-64 host.
#include "VecMathBuilder.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/IR/Intrinsics.h"

#include <vector>

namespace kiln::core::vecmath {

VecBuilder::VecBuilder(llvm::IRBuilder<> &b, llvm::Type *vectorType,
                       bool fused)
    : b(b), fused(fused), fp(llvm::cast<llvm::VectorType>(vectorType)),
      bits(llvm::VectorType::getInteger(fp)) {}

llvm::Value *VecBuilder::c(double v) { return llvm::ConstantFP::get(fp, v); }

llvm::Value *VecBuilder::ci(uint64_t v) {
  return llvm::ConstantInt::get(bits, v);
}

llvm::Value *VecBuilder::mulAdd(llvm::Value *x, llvm::Value *y,
                                llvm::Value *z) {
  if (fused)
    return fma(x, y, z);
  return b.CreateFAdd(b.CreateFMul(x, y), z);
}

llvm::Value *VecBuilder::fma(llvm::Value *x, llvm::Value *y, llvm::Value *z) {
  return b.CreateIntrinsic(llvm::Intrinsic::fma, {fp}, {x, y, z});
}

llvm::Value *VecBuilder::poly(llvm::Value *x, llvm::ArrayRef<double> coef) {
  std::vector<llvm::Value *> terms; // lowest power first
  for (double k : llvm::reverse(coef))
    terms.push_back(c(k));
  llvm::Value *power = x;
  while (terms.size() > 1) {
    std::vector<llvm::Value *> next;
    for (size_t i = 0; i + 1 < terms.size(); i += 2)
      next.push_back(mulAdd(terms[i + 1], power, terms[i]));
    if (terms.size() % 2)
      next.push_back(terms.back());
    terms = std::move(next);
    if (terms.size() > 1)
      power = b.CreateFMul(power, power);
  }
  return terms[0];
}

llvm::Value *VecBuilder::toBits(llvm::Value *v) {
  return b.CreateBitCast(v, bits);
}

llvm::Value *VecBuilder::fromBits(llvm::Value *v) {
  return b.CreateBitCast(v, fp);
}

llvm::Value *VecBuilder::abs(llvm::Value *v) {
  return b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v);
}

llvm::Value *VecBuilder::copySign(llvm::Value *mag, llvm::Value *sign) {
  return b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, mag, sign);
}

llvm::Value *VecBuilder::select(llvm::Value *cond, llvm::Value *x,
                                llvm::Value *y) {
  return b.CreateSelect(cond, x, y);
}

llvm::Value *VecBuilder::intToFp(llvm::Value *k) {
  bool f64 = fp->getScalarType()->isDoubleTy();
  double magic = f64 ? 0x1.8p52 : 0x1.8p23;
  llvm::Value *m = toBits(c(magic));
  return b.CreateFSub(fromBits(b.CreateAdd(m, k)), c(magic));
}

llvm::Value *VecBuilder::scale(llvm::Value *x, llvm::Value *k) {
  llvm::Value *k1 = b.CreateAShr(k, ci(1));
  llvm::Value *k2 = b.CreateSub(k, k1);
  auto pow2 = [&](llvm::Value *e) {
    return fromBits(b.CreateShl(b.CreateAdd(e, ci(1023)), ci(52)));
  };
  return b.CreateFMul(b.CreateFMul(x, pow2(k1)), pow2(k2));
}

DoubleDouble VecBuilder::twoSum(llvm::Value *x, llvm::Value *y) {
  llvm::Value *s = b.CreateFAdd(x, y);
  llvm::Value *yy = b.CreateFSub(s, x);
  llvm::Value *xx = b.CreateFSub(s, yy);
  llvm::Value *e =
      b.CreateFAdd(b.CreateFSub(x, xx), b.CreateFSub(y, yy));
  return {s, e};
}

DoubleDouble VecBuilder::fastTwoSum(llvm::Value *x, llvm::Value *y) {
  llvm::Value *s = b.CreateFAdd(x, y);
  return {s, b.CreateFSub(y, b.CreateFSub(s, x))};
}

} // namespace kiln::core::vecmath
