// VecMathBuilder: lane-wise IR building blocks for Kiln's vector math.
//
// Only lookup16 and scaleFloor use target intrinsics (AVX-512 permutes and
// vscalefpd, when the builder is told the CPU has AVX-512F); everything
// else, and their fallbacks, is IR valid for SSE, AVX2 and AVX-512 vectors
// (and any other target), which is what lets the tests check the routines
// at 2, 4, 8 and 16 lanes on any x86-64 host.
#include "VecMathBuilder.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/IntrinsicsX86.h"
#include "llvm/IR/Module.h"

#include <vector>

namespace kiln::core::vecmath {

VecBuilder::VecBuilder(llvm::IRBuilder<> &b, llvm::Type *vectorType,
                       bool fused, bool avx512)
    : b(b), fused(fused), avx512(avx512),
      fp(llvm::cast<llvm::VectorType>(vectorType)),
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

llvm::Value *VecBuilder::horner(llvm::Value *x, llvm::ArrayRef<double> coef) {
  llvm::Value *acc = c(coef[0]);
  for (double k : coef.drop_front())
    acc = mulAdd(acc, x, c(k));
  return acc;
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

llvm::Value *VecBuilder::by512(
    llvm::Value *first,
    llvm::function_ref<llvm::Value *(llvm::Value *, unsigned)> part) {
  unsigned lanes = llvm::cast<llvm::FixedVectorType>(first->getType())
                       ->getNumElements();
  std::vector<llvm::Value *> parts;
  for (unsigned at = 0; at < lanes; at += 8) {
    llvm::SmallVector<int, 8> mask;
    for (unsigned i = 0; i < 8; ++i)
      mask.push_back(int(at + i));
    parts.push_back(part(b.CreateShuffleVector(first, mask), at));
  }
  while (parts.size() > 1) { // concatenate pairwise
    std::vector<llvm::Value *> next;
    for (size_t i = 0; i < parts.size(); i += 2) {
      unsigned n = llvm::cast<llvm::FixedVectorType>(parts[i]->getType())
                       ->getNumElements();
      llvm::SmallVector<int, 16> mask;
      for (unsigned j = 0; j < 2 * n; ++j)
        mask.push_back(int(j));
      next.push_back(b.CreateShuffleVector(parts[i], parts[i + 1], mask));
    }
    parts = std::move(next);
  }
  return parts[0];
}

bool VecBuilder::zmm() const {
  return avx512 && fp->getScalarType()->isDoubleTy() &&
         llvm::cast<llvm::FixedVectorType>(fp)->getNumElements() % 8 == 0;
}

llvm::Value *VecBuilder::lookup16(llvm::ArrayRef<double> table,
                                  llvm::Value *idx) {
  assert(table.size() == 16 && "lookup16 takes a table of 16");
  unsigned lanes = llvm::cast<llvm::FixedVectorType>(fp)->getNumElements();
  llvm::LLVMContext &ctx = b.getContext();
  if (zmm()) {
    auto half = [&](size_t at) {
      return llvm::ConstantDataVector::get(ctx, table.slice(at, 8));
    };
    return by512(idx, [&](llvm::Value *i, unsigned) -> llvm::Value * {
      return b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_vpermi2var_pd_512,
                               {}, {half(0), i, half(8)});
    });
  }
  idx = b.CreateAnd(idx, ci(15)); // the permutes read the low 4 bits only
  llvm::Module *m = b.GetInsertBlock()->getModule();
  auto *data = llvm::ConstantDataArray::get(ctx, table);
  auto *global = new llvm::GlobalVariable(
      *m, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data,
      "kiln_vm_table");
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  llvm::Value *out = llvm::PoisonValue::get(fp);
  for (unsigned i = 0; i < lanes; ++i) {
    llvm::Value *at = b.CreateGEP(b.getDoubleTy(), global,
                                  b.CreateExtractElement(idx, i));
    out = b.CreateInsertElement(out, b.CreateLoad(b.getDoubleTy(), at), i);
  }
  return out;
}

llvm::Value *VecBuilder::scaleFloor(llvm::Value *x, llvm::Value *k) {
  if (zmm()) {
    llvm::Value *all = b.getInt8(0xff), *cur = b.getInt32(4); // MXCSR rounding
    return by512(x, [&](llvm::Value *part, unsigned at) -> llvm::Value * {
      llvm::SmallVector<int, 8> mask;
      for (unsigned i = 0; i < 8; ++i)
        mask.push_back(int(at + i));
      return b.CreateIntrinsic(llvm::Intrinsic::x86_avx512_mask_scalef_pd_512,
                               {}, {part, b.CreateShuffleVector(k, mask),
                                    part, all, cur});
    });
  }
  llvm::Value *e = b.CreateFPToSI(
      b.CreateUnaryIntrinsic(llvm::Intrinsic::floor, k), bits);
  return b.CreateFMul(
      x, fromBits(b.CreateShl(b.CreateAdd(e, ci(1023)), ci(52))));
}

DoubleDouble VecBuilder::fastTwoSum(llvm::Value *x, llvm::Value *y) {
  llvm::Value *s = b.CreateFAdd(x, y);
  return {s, b.CreateFSub(y, b.CreateFSub(s, x))};
}

} // namespace kiln::core::vecmath
