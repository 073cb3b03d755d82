// EmitKernel: the four functions of one kernel (KernelAbi.h) — flat and
// strided loops with loop-carried reduction accumulators, combine, finish.
//
// Float reduction adds/multiplies carry the `reassoc` flag and nothing else
// does, so only the reductions are reordered (vector lanes) while every
// elementwise operation keeps IEEE order. Chunking for determinism is the
// driver's job: a loop call always reduces exactly [begin, end).
//
// A contiguous reduction loop is the one loop here whose speed is set by
// its accumulator chain rather than by its body: the vectorizer may
// interleave it (several vector accumulators hide the add's latency). That
// only regroups the `reassoc` adds by index, never by address: the same
// values give the same bits wherever the arrays lie.
#include "EmitExpr.h"
#include "IRGen.h"
#include "KernelAbi.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"

#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"

#include <cmath>
#include <limits>

namespace kiln::tensor::irgen {

using namespace llvm;

KernelSymbols symbolsFor(const Kernel &kernel, const std::string &suffix) {
  std::string base = "kiln_tk_" + kernel.name + suffix;
  return {base + "_flat", base + "_strided", base + "_combine",
          base + "_finish"};
}

namespace {

void collect(const Expr &e, std::vector<const Expr *> &out) {
  if (e.kind == ExprKind::Reduce) {
    out.push_back(&e);
    return;
  }
  for (const ExprRef &c : e.children)
    collect(*c, out);
}

/// The accumulator dtype: mean of integers sums in f64.
DType accType(const Expr &r) {
  if (r.reduce == ReduceOp::Mean)
    return r.type;
  return r.children[0]->type;
}

Value *identity(IRBuilder<> &b, const Expr &r) {
  DType t = accType(r);
  Type *ty = valueType(b.getContext(), t);
  bool isMin = r.reduce == ReduceOp::Min, isMax = r.reduce == ReduceOp::Max;
  if (!isMin && !isMax)
    return r.reduce == ReduceOp::Prod ? (isFloat(t) ? ConstantFP::get(ty, 1.0)
                                                    : ConstantInt::get(ty, 1))
                                      : Constant::getNullValue(ty);
  if (t == DType::Bool)
    return ConstantInt::get(ty, isMin ? 1 : 0);
  if (isFloat(t))
    return ConstantFP::getInfinity(ty, isMax);
  unsigned bits = ty->getIntegerBitWidth();
  return ConstantInt::get(ty, isMin ? APInt::getSignedMaxValue(bits)
                                    : APInt::getSignedMinValue(bits));
}

/// Operand addresses of one loop function: data pointers and strides.
struct Operands {
  std::vector<Value *> data;                   ///< per slot; null: scalar
  std::vector<std::array<Value *, 4>> strides; ///< per slot (strided loop)
};

class KernelGen {
public:
  KernelGen(Module &m, const Kernel &k)
      : M(m), K(k), C(m.getContext()), B(C), I64(Type::getInt64Ty(C)),
        Ptr(PointerType::getUnqual(C)), Reds(reductionsOf(k)) {}

  void loop(const std::string &name, bool flat);
  void combine(const std::string &name);
  void finish(const std::string &name);

private:
  Module &M;
  const Kernel &K;
  LLVMContext &C;
  IRBuilder<> B;
  Type *I64, *Ptr;
  std::vector<const Expr *> Reds;

  unsigned slots() const { return K.params.size() + 1; }
  Value *word(Value *ctx, unsigned w, Type *t) {
    return B.CreateLoad(t, B.CreateConstInBoundsGEP1_64(I64, ctx, w));
  }
  Value *slotWord(Value *ctx, unsigned slot, unsigned field, Type *t) {
    return word(ctx, KT_CTX_SLOTS + slot * KT_SLOT_WORDS + field, t);
  }
  Value *fromMemory(Value *v, DType t) {
    return t == DType::Bool ? B.CreateICmpNE(v, B.getInt8(0)) : v;
  }
  Value *toMemory(Value *v, DType t) {
    return t == DType::Bool ? B.CreateZExt(v, B.getInt8Ty()) : v;
  }
  Value *scalarParam(Value *ctx, unsigned p) {
    DType t = K.params[p].type;
    return fromMemory(slotWord(ctx, p, KT_SLOT_SCALAR, memoryType(C, t)), t);
  }
  Value *accumulate(const Expr &r, Value *acc, Value *v);
  Function *function(const std::string &name, std::vector<Type *> params);
  void storePartials(Value *partial, const std::vector<Value *> &accs);
  std::vector<Value *> element(Value *ctx,
                               const std::function<Value *(unsigned)> &at,
                               const std::vector<Value *> &accs,
                               Value *outAddr);
  Operands operands(Value *ctx, bool withStrides);
  Value *elementAt(const Operands &ops, unsigned s, Value *index);
  std::vector<Value *> flatLoop(Value *ctx, Value *begin, Value *end,
                                const std::vector<Value *> &init);
  std::vector<Value *> stridedLoop(Value *ctx, Value *begin, Value *end,
                                   const std::vector<Value *> &init);
};

Function *KernelGen::function(const std::string &name,
                              std::vector<Type *> params) {
  auto *type = FunctionType::get(B.getVoidTy(), params, false);
  Function *f = core::createFunction(M, B, name, type);
  f->setDoesNotThrow();
  for (Argument &a : f->args())
    if (a.getType()->isPointerTy())
      a.addAttr(Attribute::NoAlias);
  return f;
}

Value *KernelGen::accumulate(const Expr &r, Value *acc, Value *v) {
  DType t = accType(r);
  bool f = isFloat(t);
  FastMathFlags reassoc;
  reassoc.setAllowReassoc();
  switch (r.reduce) {
  case ReduceOp::Sum:
  case ReduceOp::Mean: {
    if (f && !v->getType()->isFloatingPointTy())
      v = B.CreateSIToFP(v, acc->getType());
    if (!f)
      return B.CreateAdd(acc, v);
    auto *add = cast<Instruction>(B.CreateFAdd(acc, v));
    add->setFastMathFlags(reassoc);
    return add;
  }
  case ReduceOp::Prod: {
    if (!f)
      return B.CreateMul(acc, v);
    auto *mul = cast<Instruction>(B.CreateFMul(acc, v));
    mul->setFastMathFlags(reassoc);
    return mul;
  }
  case ReduceOp::Min:
  case ReduceOp::Max: {
    ExprEmitter ops(B, nullptr, nullptr);
    return ops.minMax(r.reduce == ReduceOp::Max, acc, v, t);
  }
  case ReduceOp::ArgMax: // along an axis only: never in a fused loop
  case ReduceOp::ArgMin: break;
  }
  return acc;
}

void KernelGen::storePartials(Value *partial,
                              const std::vector<Value *> &accs) {
  for (size_t r = 0; r < accs.size(); ++r)
    B.CreateStore(toMemory(accs[r], accType(*Reds[r])),
                  B.CreateConstInBoundsGEP1_64(I64, partial, r));
}

/// One iteration: the stored output element, or the updated accumulators.
std::vector<Value *>
KernelGen::element(Value *ctx, const std::function<Value *(unsigned)> &at,
                   const std::vector<Value *> &accs, Value *outAddr) {
  std::vector<Value *> scalars(K.params.size(), nullptr);
  ExprEmitter em(
      B,
      [&](unsigned p) -> Value * {
        if (K.params[p].isArray)
          return at(p);
        return scalars[p] ? scalars[p] : scalars[p] = scalarParam(ctx, p);
      },
      [](const Expr &) -> Value * { return nullptr; });
  if (!outAddr) {
    std::vector<Value *> next;
    for (size_t r = 0; r < Reds.size(); ++r)
      next.push_back(
          accumulate(*Reds[r], accs[r], em.emit(*Reds[r]->children[0])));
    return next;
  }
  B.CreateStore(toMemory(em.emit(*K.body), K.resultType), outAddr);
  return accs;
}

/// What LLVM may do to a generated loop besides widening it (markLoop).
enum class LoopShape {
  Compact,    ///< one vector per iteration; no unrolling
  Interleaved ///< the vectorizer's cost model picks the interleave count
};

/// The loop's metadata. Compact: `llvm.loop.unroll.disable`, which also
/// keeps the vectorizer from interleaving (code size and compile time; an
/// elementwise body gains nothing from it). Interleaved:
/// `llvm.loop.unroll.runtime.disable` only, so the remainder stays one loop.
/// With `parallel`, `llvm.loop.parallel_accesses` over every load and store
/// in `blocks`: iterations are independent, so no run-time alias checks.
void markLoop(Instruction *latchBr, const std::vector<BasicBlock *> &blocks,
              bool parallel, LoopShape shape) {
  LLVMContext &c = latchBr->getContext();
  SmallVector<Metadata *, 3> ops = {nullptr};
  ops.push_back(
      MDNode::get(c, MDString::get(c, shape == LoopShape::Interleaved
                                          ? "llvm.loop.unroll.runtime.disable"
                                          : "llvm.loop.unroll.disable")));
  if (parallel) {
    MDNode *group = MDNode::getDistinct(c, {});
    for (BasicBlock *bb : blocks)
      for (Instruction &i : *bb)
        if (isa<LoadInst>(i) || isa<StoreInst>(i))
          i.setMetadata(LLVMContext::MD_access_group, group);
    ops.push_back(MDNode::get(
        c, {MDString::get(c, "llvm.loop.parallel_accesses"), group}));
  }
  MDNode *loop = MDNode::getDistinct(c, ops);
  loop->replaceOperandWith(0, loop);
  latchBr->setMetadata(LLVMContext::MD_loop, loop);
}

/// while (i < end) { values = body(i, values); i = next } with phis; returns
/// the values after the loop (the initial ones when it never runs).
/// `parallel`: see markLoop (only for loops whose iterations never touch
/// the same element, like the flat loop).
using LoopBody = std::function<std::pair<Value *, std::vector<Value *>>(
    Value *, const std::vector<Value *> &)>;
std::vector<Value *> emitLoop(IRBuilder<> &b, Value *begin, Value *end,
                              const std::vector<Value *> &init,
                              const LoopBody &body, const std::string &name,
                              bool parallel = false,
                              LoopShape shape = LoopShape::Compact) {
  LLVMContext &c = b.getContext();
  Function *f = b.GetInsertBlock()->getParent();
  BasicBlock *pre = b.GetInsertBlock();
  size_t firstBody = f->size();
  BasicBlock *loop = BasicBlock::Create(c, name, f);
  BasicBlock *exit = BasicBlock::Create(c, name + ".exit", f);
  b.CreateCondBr(b.CreateICmpSLT(begin, end), loop, exit);
  b.SetInsertPoint(loop);
  PHINode *iv = b.CreatePHI(begin->getType(), 2, name + ".i");
  iv->addIncoming(begin, pre);
  std::vector<Value *> cur;
  for (Value *v : init) {
    PHINode *phi = b.CreatePHI(v->getType(), 2, name + ".acc");
    phi->addIncoming(v, pre);
    cur.push_back(phi);
  }
  auto [nextI, next] = body(iv, cur);
  BasicBlock *latch = b.GetInsertBlock();
  iv->addIncoming(nextI, latch);
  for (size_t k = 0; k < cur.size(); ++k)
    cast<PHINode>(cur[k])->addIncoming(next[k], latch);
  Instruction *latchBr =
      b.CreateCondBr(b.CreateICmpSLT(nextI, end), loop, exit);
  std::vector<BasicBlock *> blocks;
  for (auto it = std::next(f->begin(), firstBody); it != f->end(); ++it)
    if (&*it != exit)
      blocks.push_back(&*it);
  markLoop(latchBr, blocks, parallel, shape);
  b.SetInsertPoint(exit);
  std::vector<Value *> out;
  for (size_t k = 0; k < init.size(); ++k) {
    PHINode *phi = b.CreatePHI(init[k]->getType(), 2);
    phi->addIncoming(init[k], pre);
    phi->addIncoming(next[k], latch);
    out.push_back(phi);
  }
  return out;
}

Operands KernelGen::operands(Value *ctx, bool withStrides) {
  Operands ops{std::vector<Value *>(slots(), nullptr),
               std::vector<std::array<Value *, 4>>(slots())};
  for (unsigned s = 0; s < slots(); ++s) {
    bool isArray = s < K.params.size() ? K.params[s].isArray : K.resultIsArray;
    if (!isArray)
      continue;
    ops.data[s] = slotWord(ctx, s, KT_SLOT_DATA, Ptr);
    if (withStrides)
      for (unsigned d = 0; d < 4; ++d)
        ops.strides[s][d] = slotWord(ctx, s, KT_SLOT_STRIDES + d, I64);
  }
  return ops;
}

/// Slot `s` at element `index`: the loaded value for a parameter, the
/// address for the output slot.
Value *KernelGen::elementAt(const Operands &ops, unsigned s, Value *index) {
  bool isOut = s == K.params.size();
  DType t = isOut ? K.resultType : K.params[s].type;
  Value *addr = B.CreateInBoundsGEP(memoryType(C, t), ops.data[s], index);
  return isOut ? addr : fromMemory(B.CreateLoad(memoryType(C, t), addr), t);
}

/// for i in [begin, end): one element at index i of every operand; a
/// reduction's loop is interleaved.
std::vector<Value *> KernelGen::flatLoop(Value *ctx, Value *begin, Value *end,
                                         const std::vector<Value *> &init) {
  Operands ops = operands(ctx, false);
  unsigned out = K.params.size();
  return emitLoop(
      B, begin, end, init,
      [&](Value *i, const std::vector<Value *> &cur) {
        auto at = [&](unsigned s) { return elementAt(ops, s, i); };
        auto next = element(ctx, at, cur, K.resultIsArray ? at(out) : nullptr);
        return std::make_pair(B.CreateAdd(i, B.getInt64(1), "", true, true),
                              next);
      },
      "flat", /*parallel=*/true,
      K.resultIsArray ? LoopShape::Compact : LoopShape::Interleaved);
}

/// Rows of the innermost dimension: the flat index is split into (i0, i1,
/// i2, column) once per row; the inner loop walks the row with each
/// operand's innermost stride.
std::vector<Value *> KernelGen::stridedLoop(Value *ctx, Value *begin,
                                            Value *end,
                                            const std::vector<Value *> &init) {
  Operands ops = operands(ctx, true);
  std::array<Value *, 4> dims;
  for (unsigned d = 0; d < 4; ++d)
    dims[d] = word(ctx, KT_CTX_SHAPE + d, I64);
  unsigned out = K.params.size();
  return emitLoop(
      B, begin, end, init,
      [&](Value *idx, const std::vector<Value *> &cur) {
        Value *row = B.CreateUDiv(idx, dims[3]);
        Value *col = B.CreateURem(idx, dims[3]);
        Value *r2 = B.CreateUDiv(row, dims[2]);
        std::array<Value *, 3> pos = {B.CreateUDiv(r2, dims[1]),
                                      B.CreateURem(r2, dims[1]),
                                      B.CreateURem(row, dims[2])};
        std::vector<Value *> base(slots(), nullptr);
        for (unsigned s = 0; s < slots(); ++s)
          if (ops.data[s])
            for (unsigned d = 0; d < 3; ++d) {
              Value *term = B.CreateMul(pos[d], ops.strides[s][d]);
              base[s] = base[s] ? B.CreateAdd(base[s], term) : term;
            }
        Value *count = B.CreateBinaryIntrinsic(
            Intrinsic::smin, B.CreateSub(dims[3], col), B.CreateSub(end, idx));
        auto next = emitLoop(
            B, col, B.CreateAdd(col, count), cur,
            [&](Value *j, const std::vector<Value *> &in) {
              auto at = [&](unsigned s) {
                return elementAt(
                    ops, s,
                    B.CreateAdd(base[s], B.CreateMul(j, ops.strides[s][3])));
              };
              auto acc =
                  element(ctx, at, in, K.resultIsArray ? at(out) : nullptr);
              return std::make_pair(
                  B.CreateAdd(j, B.getInt64(1), "", true, true), acc);
            },
            "inner");
        return std::make_pair(B.CreateAdd(idx, count), next);
      },
      "rows");
}

void KernelGen::loop(const std::string &name, bool flat) {
  Function *f = function(name, {Ptr, I64, I64, Ptr});
  Value *ctx = f->getArg(0), *begin = f->getArg(1), *end = f->getArg(2);
  std::vector<Value *> init;
  for (const Expr *r : Reds)
    init.push_back(identity(B, *r));
  std::vector<Value *> accs = flat ? flatLoop(ctx, begin, end, init)
                                   : stridedLoop(ctx, begin, end, init);
  storePartials(f->getArg(3), accs);
  B.CreateRetVoid();
}

void KernelGen::combine(const std::string &name) {
  Function *f = function(name, {Ptr, Ptr});
  std::vector<Value *> accs;
  for (size_t r = 0; r < Reds.size(); ++r) {
    DType t = accType(*Reds[r]);
    Type *mt = memoryType(C, t);
    Value *a = fromMemory(
        B.CreateLoad(mt, B.CreateConstInBoundsGEP1_64(I64, f->getArg(0), r)),
        t);
    Value *p = fromMemory(
        B.CreateLoad(mt, B.CreateConstInBoundsGEP1_64(I64, f->getArg(1), r)),
        t);
    accs.push_back(accumulate(*Reds[r], a, p));
  }
  storePartials(f->getArg(0), accs);
  B.CreateRetVoid();
}

void KernelGen::finish(const std::string &name) {
  Function *f = function(name, {Ptr, Ptr, Ptr});
  Value *ctx = f->getArg(0), *acc = f->getArg(1);
  Value *n = word(ctx, KT_CTX_N, I64);
  ExprEmitter em(
      B, [&](unsigned p) { return scalarParam(ctx, p); },
      [&](const Expr &r) -> Value * {
        size_t k = 0;
        while (Reds[k] != &r)
          ++k;
        DType t = accType(r);
        Value *v =
            fromMemory(B.CreateLoad(memoryType(C, t),
                                    B.CreateConstInBoundsGEP1_64(I64, acc, k)),
                       t);
        if (r.reduce != ReduceOp::Mean)
          return v;
        return B.CreateFDiv(v, B.CreateSIToFP(n, v->getType()));
      });
  B.CreateStore(toMemory(em.emit(*K.body), K.resultType), f->getArg(2));
  B.CreateRetVoid();
}

} // namespace

std::vector<const Expr *> reductionsOf(const Kernel &kernel) {
  std::vector<const Expr *> out;
  if (kernel.body)
    collect(*kernel.body, out);
  return out;
}

llvm::Error emitKernel(llvm::Module &module, const Kernel &kernel,
                       const KernelSymbols &sym) {
  if (!kernel.body)
    return core::makeError("kernel '" + kernel.name + "' has no body");
  KernelGen gen(module, kernel);
  if (!sym.flat.empty())
    gen.loop(sym.flat, true);
  if (!sym.strided.empty())
    gen.loop(sym.strided, false);
  if (!kernel.resultIsArray && !sym.combine.empty()) {
    gen.combine(sym.combine);
    gen.finish(sym.finish);
  }
  // This kernel's functions only: verifying the whole module after each of
  // n kernels made a library build quadratic (1000 kernels: minutes).
  std::string text;
  raw_string_ostream os(text);
  for (const std::string *name :
       {&sym.flat, &sym.strided, &sym.combine, &sym.finish})
    if (Function *f = name->empty() ? nullptr : module.getFunction(*name))
      if (verifyFunction(*f, &os))
        return core::makeError("invalid IR for kernel '" + kernel.name +
                               "': " + os.str());
  return Error::success();
}

} // namespace kiln::tensor::irgen
