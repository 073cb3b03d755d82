// VecMath: Kiln's vector routines for pow, tanh, exp and log, and where the
// vector library table and the modules get them.
//
// The routines are built from VecMathCores (exp, expm1, log, log2) plus the
// special-case rules of C99 Annex F, lane-wise: a fast path for ordinary
// lanes and the full rules behind one branch. They are defined in each
// module that calls one, after optimisation (the loop vectorizer only
// declares the variants it uses), and inlined into the loop, so the JIT and
// AOT libraries carry their own copy and need nothing from libmvec for
// these functions.
#include "kiln/core/VecMath.h"
#include "VecMathCores.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include <cmath>

namespace kiln::core {

using namespace vecmath;

namespace {

/// pow(x, y) from r = pow(|x|, y) as computed by exp(y log|x|): the sign
/// for negative x and odd integer y, NaN for finite negative x and
/// non-integer y, and the results that do not follow from exp/log
/// (y = 0 or x = 1 give 1, even with NaN; pow(-1, +-inf) = 1). Doubles.
llvm::Value *powSpecials(VecBuilder &v, llvm::Value *x, llvm::Value *y,
                         llvm::Value *r) {
  auto &b = v.b;
  llvm::Value *ay = v.abs(y);
  // Below 2^52, adding 2^52 rounds |y| to an integer in the low bits.
  llvm::Value *big = b.CreateFCmpOGE(ay, v.c(0x1p52)); // inf included
  llvm::Value *shifted = b.CreateFAdd(ay, v.c(0x1p52));
  llvm::Value *isInt = b.CreateOr(
      big, b.CreateFCmpOEQ(b.CreateFSub(shifted, v.c(0x1p52)), ay));
  llvm::Value *lowBit = v.select(big, v.toBits(ay), v.toBits(shifted));
  llvm::Value *odd = b.CreateAnd(
      b.CreateAnd(isInt, b.CreateFCmpOLT(ay, v.c(0x1p53))),
      b.CreateICmpNE(b.CreateAnd(lowBit, v.ci(1)), v.ci(0)));
  llvm::Value *negX = b.CreateICmpSLT(v.toBits(x), v.ci(0));
  llvm::Value *res = v.select(b.CreateAnd(negX, odd), b.CreateFNeg(r), r);
  llvm::Value *finiteNeg = b.CreateAnd(b.CreateFCmpOLT(x, v.c(0)),
                                       b.CreateFCmpOGT(x, v.c(-INFINITY)));
  res = v.select(b.CreateAnd(finiteNeg, b.CreateNot(isInt)), v.c(NAN), res);
  llvm::Value *one = b.CreateOr(
      b.CreateOr(b.CreateFCmpOEQ(y, v.c(0)), b.CreateFCmpOEQ(x, v.c(1))),
      b.CreateAnd(b.CreateFCmpOEQ(x, v.c(-1)),
                  b.CreateFCmpOEQ(ay, v.c(INFINITY))));
  return v.select(one, v.c(1), res);
}

/// `fast` where every lane of `ok` is set, else what `full` builds (in a
/// block of its own): the common case runs only the short code, and the
/// special cases cost a predictable branch.
llvm::Value *fastOrFull(VecBuilder &v, llvm::Value *ok, llvm::Value *fast,
                        llvm::function_ref<llvm::Value *()> full) {
  auto &b = v.b;
  llvm::Function *f = b.GetInsertBlock()->getParent();
  llvm::BasicBlock *fastEnd = b.GetInsertBlock();
  auto *slow = llvm::BasicBlock::Create(b.getContext(), "special", f);
  auto *done = llvm::BasicBlock::Create(b.getContext(), "done", f);
  llvm::MDBuilder md(b.getContext());
  b.CreateCondBr(b.CreateAndReduce(ok), done, slow,
                 md.createLikelyBranchWeights());
  b.SetInsertPoint(slow);
  llvm::Value *r = full();
  llvm::BasicBlock *slowEnd = b.GetInsertBlock();
  b.CreateBr(done);
  b.SetInsertPoint(done);
  llvm::PHINode *phi = b.CreatePHI(fast->getType(), 2);
  phi->addIncoming(fast, fastEnd);
  phi->addIncoming(r, slowEnd);
  return phi;
}

/// y * log(x) in two parts.
DoubleDouble mulLog(VecBuilder &v, llvm::Value *y, DoubleDouble l) {
  auto &b = v.b;
  llvm::Value *zh = b.CreateFMul(y, l.hi);
  return {zh, b.CreateFAdd(v.fma(y, l.hi, b.CreateFNeg(zh)),
                           b.CreateFMul(y, l.lo))};
}

/// pow on doubles: exp(y * log|x|) with log in two parts, so the error of
/// y*log|x| stays near 2^-53 in absolute terms even at |y log x| ~ 700.
/// Fast path: x positive, normal and finite, |y log x| < 708, with the
/// table exp (expTable); the full path clamps and scales in expCore.
llvm::Value *pow64(VecBuilder &v, llvm::Value *x, llvm::Value *y) {
  auto &b = v.b;
  DoubleDouble z = mulLog(v, y, logDD(v, x, true));
  llvm::Value *ok = b.CreateAnd(isOrdinaryPositive(v, x),
                                b.CreateFCmpOLT(v.abs(z.hi), v.c(708)));
  llvm::Value *fast = expTable(v, z);
  return fastOrFull(v, ok, fast, [&] {
    DoubleDouble zf = mulLog(v, y, logDD(v, v.abs(x)));
    return powSpecials(v, x, y, expCore(v, zf.hi, zf.lo));
  });
}

/// pow on floats: 2^(y log2 x) all in doubles (ARM optimized-routines'
/// powf), with one rounding to float at the end; log2 to ~2^-32 relative
/// and 2^z to 2^-29 are enough for float results.
/// Fast path: x positive, normal and finite (log2Double's table) and
/// |y log2 x| < 126, so the result is a normal float. Otherwise the full
/// rules, also in doubles, where powers of two are exact (2^-150 must
/// round to 0, not up to the smallest subnormal) and the conversion to
/// float rounds, overflows and underflows as it should.
llvm::Value *pow32(VecBuilder &v, llvm::Value *x, llvm::Value *y) {
  auto &b = v.b;
  auto *dt = llvm::VectorType::get(b.getDoubleTy(), v.fp->getElementCount());
  VecBuilder d(b, dt, v.fused, v.avx512);
  llvm::Value *xd = b.CreateFPExt(x, dt), *yd = b.CreateFPExt(y, dt);
  llvm::Value *z = b.CreateFMul(yd, log2Double(d, xd));
  llvm::Value *ok = b.CreateAnd(isOrdinaryPositive(v, x),
                                b.CreateFCmpOLT(d.abs(z), d.c(126)));
  llvm::Value *fast = b.CreateFPTrunc(exp2Double(d, z), v.fp);
  return fastOrFull(v, ok, fast, [&] {
    llvm::Value *zf = b.CreateFMul(yd, logCore(d, d.abs(xd), true));
    llvm::Value *r = powSpecials(d, xd, yd, expCore(d, zf, nullptr, true));
    return b.CreateFPTrunc(r, v.fp);
  });
}

/// tanh(x) = sign(x) * e/(e + 2), e = expm1(2|x|); 1 past |x| = 22.
llvm::Value *tanh64(VecBuilder &v, llvm::Value *x) {
  auto &b = v.b;
  llvm::Value *ax = v.abs(x);
  llvm::Value *big = b.CreateFCmpOGT(ax, v.c(22));
  llvm::Value *u = b.CreateFMul(v.select(big, v.c(22), ax), v.c(2));
  llvm::Value *e = expm1Core(v, u);
  llvm::Value *t = b.CreateFDiv(e, b.CreateFAdd(e, v.c(2)));
  return v.copySign(v.select(big, v.c(1), t), x);
}

/// The widening of exp/log/tanh to f32 vectors: through doubles.
llvm::Value *viaDouble(VecBuilder &v, llvm::Value *x,
                       llvm::Value *(*f)(VecBuilder &, llvm::Value *)) {
  auto *dt =
      llvm::VectorType::get(v.b.getDoubleTy(), v.fp->getElementCount());
  VecBuilder d(v.b, dt, v.fused, v.avx512);
  return v.b.CreateFPTrunc(f(d, v.b.CreateFPExt(x, dt)), v.fp);
}

/// Fast path: |x| < 708.
llvm::Value *exp64(VecBuilder &v, llvm::Value *x) {
  llvm::Value *ok = v.b.CreateFCmpOLT(v.abs(x), v.c(708));
  return fastOrFull(v, ok, expCore(v, x, nullptr, false, true),
                    [&] { return expCore(v, x, nullptr); });
}

/// Fast path: x positive, normal and finite.
llvm::Value *log64(VecBuilder &v, llvm::Value *x) {
  return fastOrFull(v, isOrdinaryPositive(v, x),
                    logCore(v, x, false, true), [&] { return logCore(v, x); });
}

llvm::Value *body(VecBuilder &v, VecMathFn fn, llvm::Function *f) {
  llvm::Value *x = f->getArg(0);
  bool f64 = v.fp->getScalarType()->isDoubleTy();
  auto one = [&](llvm::Value *(*g)(VecBuilder &, llvm::Value *)) {
    return f64 ? g(v, x) : viaDouble(v, x, g);
  };
  switch (fn) {
  case VecMathFn::Exp: return one(exp64);
  case VecMathFn::Log: return one(log64);
  case VecMathFn::Tanh: return one(tanh64);
  case VecMathFn::Pow:
    return f64 ? pow64(v, x, f->getArg(1)) : pow32(v, x, f->getArg(1));
  }
  llvm_unreachable("unknown VecMathFn");
}

const char *fnName(VecMathFn fn) {
  switch (fn) {
  case VecMathFn::Exp: return "exp";
  case VecMathFn::Log: return "log";
  case VecMathFn::Tanh: return "tanh";
  case VecMathFn::Pow: return "pow";
  }
  llvm_unreachable("unknown VecMathFn");
}

/// One row of VecMath.def.
struct Row {
  VecMathFn fn;
  bool f64;
  unsigned lanes;
  const char *params, *scalar, *intrinsic;
};
#define f32 false
#define f64 true
const Row Rows[] = {
#define VECMATH(FN, TYPE, LANES, PARAMS, SCALAR, INTRINSIC)                    \
  {VecMathFn::FN, TYPE, LANES, PARAMS, SCALAR, INTRINSIC},
#include "VecMath.def"
};
#undef f32
#undef f64

/// Inlines `f` into its callers and removes it: in the loop, its
/// constants are loaded once instead of per call (MachineLICM hoists them)
/// and no call boundary separates one iteration's work from the next.
void inlineEverywhere(llvm::Module &module, llvm::Function &f) {
  llvm::SmallVector<llvm::CallBase *, 4> calls;
  for (llvm::User *u : f.users())
    if (auto *call = llvm::dyn_cast<llvm::CallBase>(u))
      calls.push_back(call);
  for (llvm::CallBase *call : calls) {
    llvm::InlineFunctionInfo info;
    (void)llvm::InlineFunction(*call, info).isSuccess(); // else: stays a call
  }
  // The vectorizer listed it in llvm.compiler.used; drop it once no call
  // is left, so no dead copy is emitted.
  if (llvm::any_of(f.users(),
                   [](llvm::User *u) { return llvm::isa<llvm::CallBase>(u); }))
    return;
  llvm::removeFromUsedLists(module, [&](llvm::Constant *c) {
    return c->stripPointerCasts() == &f;
  });
  f.removeDeadConstantUsers(); // the list's old initializer
  if (f.use_empty())
    f.eraseFromParent();
}

} // namespace

std::string vecMathName(VecMathFn fn, bool f64, unsigned lanes) {
  return std::string("kiln_vm_") + fnName(fn) + (f64 ? "_f64x" : "_f32x") +
         std::to_string(lanes);
}

llvm::Function *defineVecMath(llvm::Module &module, VecMathFn fn,
                              llvm::Type *vectorType, llvm::StringRef name,
                              VecMathCpu cpu) {
  unsigned params = fn == VecMathFn::Pow ? 2 : 1;
  auto *type = llvm::FunctionType::get(
      vectorType, llvm::SmallVector<llvm::Type *, 2>(params, vectorType),
      false);
  auto *f = llvm::cast<llvm::Function>(
      module.getOrInsertFunction(name, type).getCallee());
  f->setLinkage(llvm::GlobalValue::InternalLinkage);
  f->setOnlyReadsMemory(); // the constant tables of lookup16
  f->setDoesNotThrow();
  f->setWillReturn();
  f->setNoSync();
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(module.getContext(), "entry", f));
  VecBuilder v(b, vectorType, cpu.fma, cpu.avx512);
  b.CreateRet(body(v, fn, f));
  return f;
}

bool usesKilnVectorMath(const llvm::TargetMachine &tm, VectorLibrary lib) {
  return lib == VectorLibrary::Libmvec && hasAvx512VectorMath(tm);
}

bool isKilnVectorMath(llvm::StringRef scalar, unsigned lanes) {
  for (const Row &r : Rows)
    if (r.lanes == lanes && (scalar == r.scalar || scalar == r.intrinsic))
      return true;
  return false;
}

void appendKilnVectorMath(llvm::SmallVectorImpl<llvm::VecDesc> &rows) {
  // VecDesc keeps StringRefs: the names live as long as the process.
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Row &r : Rows)
      n.push_back(vecMathName(r.fn, r.f64, r.lanes));
    return n;
  }();
  static const std::vector<std::string> abis = [] {
    std::vector<std::string> n;
    for (const Row &r : Rows)
      n.push_back("_ZGV_LLVM_N" + std::to_string(r.lanes) + r.params);
    return n;
  }();
  for (size_t i = 0; i < std::size(Rows); ++i) {
    auto vf = llvm::ElementCount::getFixed(Rows[i].lanes);
    rows.push_back({Rows[i].scalar, names[i], vf, false, abis[i]});
    if (*Rows[i].intrinsic)
      rows.push_back({Rows[i].intrinsic, names[i], vf, false, abis[i]});
  }
}

void defineCalledVectorMath(llvm::Module &module, const llvm::TargetMachine &tm,
                            VectorLibrary lib) {
  if (!usesKilnVectorMath(tm, lib))
    return;
  for (const Row &r : Rows) {
    llvm::Function *f = module.getFunction(vecMathName(r.fn, r.f64, r.lanes));
    if (!f || !f->isDeclaration())
      continue;
    llvm::Function *caller = nullptr;
    for (llvm::User *u : f->users())
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(u))
        caller = call->getFunction();
    if (!caller)
      continue; // declared for the vectorizer, never called
    VecMathCpu cpu{tm.getMCSubtargetInfo()->checkFeatures("+fma"),
                   hasAvx512VectorMath(tm)};
    defineVecMath(module, r.fn, f->getReturnType(), f->getName(), cpu);
    for (const char *attr : {"target-cpu", "target-features", "tune-cpu"})
      if (caller->hasFnAttribute(attr))
        f->addFnAttr(caller->getFnAttribute(attr));
    inlineEverywhere(module, *f);
  }
}

} // namespace kiln::core
