// EmitGemm: the matmul tile function as LLVM IR (see EmitGemm.h): a k loop
// of broadcast-FMA updates on MR x NV vector accumulators, then either a
// direct vector store of a full tile or a loop over an L1 tile buffer that
// applies the fused epilogue element by element (vectorized by LLVM at the
// tile's own vector width, see vectorizeBy).
#include "EmitGemm.h"
#include "EmitExpr.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"

#include "llvm/IR/CFG.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"

#include <vector>

namespace kiln::tensor::irgen {

using namespace llvm;

TileShape tileShapeFor(DType type, const std::string &features) {
  const std::string all = "," + features + ",";
  auto has = [&](const char *f) {
    return all.find(std::string(",+") + f + ",") != std::string::npos;
  };
  unsigned bytes = has("avx512f") ? 64 : has("avx2") ? 32 : 16;
  unsigned lanes = bytes / dtypeSize(type);
  unsigned rows = bytes == 64 ? 8 : bytes == 32 ? 6 : 4;
  return {rows, 2, lanes};
}

namespace {

class GemmGen {
public:
  GemmGen(Module &m, DType type, TileShape shape, const Kernel *epi,
          unsigned product)
      : M(m), Ctx(m.getContext()), B(Ctx), Type_(type), S(shape), Epi(epi),
        Product(product) {
    T = valueType(Ctx, type);
    V = FixedVectorType::get(T, shape.lanes);
  }
  Error emit(const std::string &symbol);

private:
  Module &M;
  LLVMContext &Ctx;
  IRBuilder<> B;
  DType Type_;
  TileShape S;
  const Kernel *Epi;
  unsigned Product;
  Type *T = nullptr;
  FixedVectorType *V = nullptr;
  Function *F = nullptr;
  Value *Kc, *A, *Bp, *Ldb, *Cp, *Ldc, *Rows, *Cols, *Mode, *EpiWords, *I0, *J0;
  Value *Tile = nullptr; ///< MR x NR elements on the stack (L1)

  Value *i64(int64_t v) { return B.getInt64(uint64_t(v)); }
  std::vector<Value *> kLoop();
  std::vector<Value *> kStep(Value *k, const std::vector<PHINode *> &acc);
  void storeDirect(const std::vector<Value *> &acc);
  void tileLoop(Value *tile, bool epilogue);
  Value *epilogueAt(Value *v, Value *i, Value *j,
                    const std::vector<Value *> &words);
};

/// One k step: the accumulators `acc` plus splat(a[k, r]) * b[k, v].
std::vector<Value *> GemmGen::kStep(Value *k,
                                    const std::vector<PHINode *> &acc) {
  Align elem(dtypeSize(Type_)); // B may be the caller's rows, unaligned
  std::vector<Value *> bv;
  Value *bRow = B.CreateMul(k, Ldb);
  for (unsigned v = 0; v < S.vectors; ++v)
    bv.push_back(B.CreateAlignedLoad(
        V, B.CreateGEP(T, Bp, B.CreateAdd(bRow, i64(v * S.lanes))), elem));
  Value *aRow = B.CreateMul(k, i64(S.rows));
  Function *fma = Intrinsic::getDeclaration(&M, Intrinsic::fma, {V});
  std::vector<Value *> next(acc.size());
  for (unsigned r = 0; r < S.rows; ++r) {
    Value *a = B.CreateLoad(T, B.CreateGEP(T, A, B.CreateAdd(aRow, i64(r))));
    Value *splat = B.CreateVectorSplat(S.lanes, a);
    for (unsigned v = 0; v < S.vectors; ++v)
      next[r * S.vectors + v] =
          B.CreateCall(fma, {splat, bv[v], acc[r * S.vectors + v]});
  }
  return next;
}

/// Asks LLVM to unroll the loop whose latch branch is `br` `count` times.
void unrollBy(BranchInst *br, unsigned count) {
  LLVMContext &ctx = br->getContext();
  MDNode *unroll =
      MDNode::get(ctx, {MDString::get(ctx, "llvm.loop.unroll.count"),
                        ConstantAsMetadata::get(
                            ConstantInt::get(Type::getInt32Ty(ctx), count))});
  MDNode *loop = MDNode::getDistinct(ctx, {nullptr, unroll});
  loop->replaceOperandWith(0, loop);
  br->setMetadata(LLVMContext::MD_loop, loop);
}

/// Asks LLVM to vectorize the loop whose latch branch is `br` at `lanes`
/// elements, one vector per iteration: a tile row has at most NR = 2 x
/// lanes columns, which the cost model's choice (4 interleaved vectors of
/// the widest type) never reaches, so every element went to the narrower
/// epilogue loop's routines (AVX2 libmvec on AVX-512) or libm, and which
/// ones depended on -O2 vs -O3. The remainder (cols % lanes) is scalar.
void vectorizeBy(BranchInst *br, unsigned lanes) {
  LLVMContext &ctx = br->getContext();
  auto hint = [&](const char *name, unsigned v) -> Metadata * {
    return MDNode::get(ctx, {MDString::get(ctx, name),
                             ConstantAsMetadata::get(ConstantInt::get(
                                 Type::getInt32Ty(ctx), v))});
  };
  MDNode *loop = MDNode::getDistinct(
      ctx, {nullptr, hint("llvm.loop.vectorize.enable", 1),
            hint("llvm.loop.vectorize.width", lanes),
            hint("llvm.loop.interleave.count", 1),
            hint("llvm.loop.vectorize.epilogue.enable", 0)});
  loop->replaceOperandWith(0, loop);
  br->setMetadata(LLVMContext::MD_loop, loop);
}

/// acc[r * NV + v] += splat(a[k*MR + r]) * b[k*ldb + v*lanes ...] for k in
/// [0, kc); returns the accumulators after the loop (zero when kc = 0).
std::vector<Value *> GemmGen::kLoop() {
  const unsigned n = S.rows * S.vectors;
  BasicBlock *entry = B.GetInsertBlock();
  BasicBlock *body = BasicBlock::Create(Ctx, "k", F);
  BasicBlock *exit = BasicBlock::Create(Ctx, "k.exit", F);
  Value *zero = Constant::getNullValue(V);
  B.CreateCondBr(B.CreateICmpSGT(Kc, i64(0)), body, exit);
  B.SetInsertPoint(body);
  PHINode *k = B.CreatePHI(B.getInt64Ty(), 2, "k");
  k->addIncoming(i64(0), entry);
  std::vector<PHINode *> acc;
  for (unsigned q = 0; q < n; ++q) {
    acc.push_back(B.CreatePHI(V, 2, "acc"));
    acc.back()->addIncoming(zero, entry);
  }
  std::vector<Value *> next = kStep(k, acc);
  Value *k1 = B.CreateAdd(k, i64(1));
  k->addIncoming(k1, body);
  for (unsigned q = 0; q < n; ++q)
    acc[q]->addIncoming(next[q], body);
  unrollBy(B.CreateCondBr(B.CreateICmpSLT(k1, Kc), body, exit), 4);
  B.SetInsertPoint(exit);
  std::vector<Value *> out;
  for (unsigned q = 0; q < n; ++q) {
    PHINode *p = B.CreatePHI(V, 2, "acc.out");
    p->addIncoming(zero, entry);
    p->addIncoming(next[q], body);
    out.push_back(p);
  }
  return out;
}

/// A full tile without epilogue: C (+)= acc, one vector store per register.
void GemmGen::storeDirect(const std::vector<Value *> &acc) {
  Value *accumulate =
      B.CreateICmpNE(B.CreateAnd(Mode, i64(kTileAccumulate)), i64(0));
  Align elem(dtypeSize(Type_));
  auto stores = [&](bool add) {
    for (unsigned r = 0; r < S.rows; ++r)
      for (unsigned v = 0; v < S.vectors; ++v) {
        Value *p = B.CreateGEP(
            T, Cp, B.CreateAdd(B.CreateMul(i64(r), Ldc), i64(v * S.lanes)));
        Value *x = acc[r * S.vectors + v];
        if (add)
          x = B.CreateFAdd(B.CreateAlignedLoad(V, p, elem), x);
        B.CreateAlignedStore(x, p, elem);
      }
  };
  core::emitIfElse(
      B, accumulate, [&](IRBuilder<> &) { stores(true); },
      [&](IRBuilder<> &) { stores(false); });
}

/// The epilogue at output element (i0 + i, j0 + j) with the product `v`;
/// `words` holds each parameter's three context words (loaded once).
Value *GemmGen::epilogueAt(Value *v, Value *i, Value *j,
                           const std::vector<Value *> &words) {
  Value *row = B.CreateAdd(I0, i), *col = B.CreateAdd(J0, j);
  auto param = [&](unsigned p) -> Value * {
    if (p == Product)
      return v;
    DType t = Epi->params[p].type;
    Type *mem = memoryType(Ctx, t);
    Value *x;
    if (!Epi->params[p].isArray) {
      x = B.CreateLoad(mem, B.CreateGEP(B.getInt64Ty(), EpiWords, i64(3 * p)));
    } else {
      Value *base = B.CreateIntToPtr(words[3 * p], B.getPtrTy());
      Value *at = B.CreateAdd(B.CreateMul(row, words[3 * p + 1]),
                              B.CreateMul(col, words[3 * p + 2]));
      x = B.CreateLoad(mem, B.CreateGEP(mem, base, at));
    }
    return t == DType::Bool ? B.CreateICmpNE(x, B.getInt8(0)) : x;
  };
  ExprEmitter em(B, param, [](const Expr &) -> Value * { return nullptr; });
  return em.emit(*Epi->body);
}

/// for i < rows, j < cols: C[i, j] = f(tile[i, j] (+ C[i, j])), f the
/// epilogue when `epilogue`, else the identity.
void GemmGen::tileLoop(Value *tile, bool epilogue) {
  Value *accumulate =
      B.CreateICmpNE(B.CreateAnd(Mode, i64(kTileAccumulate)), i64(0));
  std::vector<Value *> words;
  if (epilogue)
    for (unsigned p = 0; p < Epi->params.size(); ++p)
      for (unsigned w = 0; w < 3; ++w)
        words.push_back(p == Product || !Epi->params[p].isArray
                            ? nullptr
                            : B.CreateLoad(B.getInt64Ty(),
                                           B.CreateGEP(B.getInt64Ty(), EpiWords,
                                                       i64(3 * p + w))));
  core::emitCountedLoop(
      B, i64(0), Rows, i64(1),
      [&](IRBuilder<> &, Value *i) {
        BasicBlock *pre = B.GetInsertBlock();
        BasicBlock *exit = core::emitCountedLoop(
            B, i64(0), Cols, i64(1),
            [&](IRBuilder<> &, Value *j) {
              Value *t = B.CreateLoad(
                  T,
                  B.CreateGEP(T, tile,
                              B.CreateAdd(B.CreateMul(i, i64(S.cols())), j)));
              Value *p =
                  B.CreateGEP(T, Cp, B.CreateAdd(B.CreateMul(i, Ldc), j));
              Value *sum = B.CreateFAdd(t, B.CreateLoad(T, p));
              Value *x = B.CreateSelect(accumulate, sum, t);
              B.CreateStore(epilogue ? epilogueAt(x, i, j, words) : x, p);
            },
            "j");
        for (BasicBlock *latch : predecessors(exit->getSinglePredecessor()))
          if (latch != pre)
            vectorizeBy(cast<BranchInst>(latch->getTerminator()), S.lanes);
      },
      "i");
}

Error GemmGen::emit(const std::string &symbol) {
  Type *i64t = B.getInt64Ty(), *ptr = B.getPtrTy();
  auto *type = FunctionType::get(
      B.getVoidTy(),
      {i64t, ptr, ptr, i64t, ptr, i64t, i64t, i64t, i64t, ptr, i64t, i64t},
      false);
  F = core::createFunction(M, B, symbol, type,
                           {"kc", "a", "b", "ldb", "c", "ldc", "rows", "cols",
                            "mode", "epi", "i0", "j0"});
  F->setDoesNotThrow();
  F->addFnAttr("min-legal-vector-width",
               std::to_string(V->getPrimitiveSizeInBits()));
  F->addFnAttr("prefer-vector-width",
               std::to_string(V->getPrimitiveSizeInBits()));
  auto arg = F->arg_begin();
  for (Value **v : {&Kc, &A, &Bp, &Ldb, &Cp, &Ldc, &Rows, &Cols, &Mode,
                    &EpiWords, &I0, &J0})
    *v = &*arg++;
  auto *tile = B.CreateAlloca(T, i64(S.rows * S.cols()), "tile");
  tile->setAlignment(Align(64));
  Tile = tile;
  std::vector<Value *> acc = kLoop();
  Value *full = B.CreateAnd(B.CreateICmpEQ(Rows, i64(S.rows)),
                            B.CreateICmpEQ(Cols, i64(S.cols())));
  Value *last = B.CreateICmpNE(B.CreateAnd(Mode, i64(kTileLast)), i64(0));
  Value *direct = Epi ? B.CreateAnd(full, B.CreateNot(last)) : full;
  core::emitIfElse(
      B, direct, [&](IRBuilder<> &) { storeDirect(acc); },
      [&](IRBuilder<> &) {
        Align vec(S.lanes * dtypeSize(Type_));
        for (unsigned q = 0; q < acc.size(); ++q)
          B.CreateAlignedStore(acc[q], B.CreateGEP(T, Tile, i64(q * S.lanes)),
                               vec);
        if (!Epi)
          return tileLoop(Tile, false);
        core::emitIfElse(
            B, last, [&](IRBuilder<> &) { tileLoop(Tile, true); },
            [&](IRBuilder<> &) { tileLoop(Tile, false); });
      });
  B.CreateRetVoid();
  return Error::success();
}

} // namespace

Error emitGemmTile(Module &module, const std::string &symbol, DType type,
                   TileShape shape, const Kernel *epilogue, unsigned product) {
  if (type != DType::F32 && type != DType::F64)
    return core::makeError("matmul tiles are f32 or f64");
  GemmGen gen(module, type, shape, epilogue, product);
  if (Error err = gen.emit(symbol))
    return err;
  return core::verifyModule(module);
}

} // namespace kiln::tensor::irgen
