// HugeBlocks: the size guard that keeps code generation linear for
// functions holding one enormous straight-line block (see HugeBlocks.h).
#include "HugeBlocks.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SCCIterator.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/CodeExtractor.h"

#include <vector>

namespace kiln::core {

namespace {

/// Instructions per piece that a huge block is cut into. What stays in the
/// block (its phis and allocas, one call per piece, the terminator) is far
/// below the limits, and the -O0 selector is linear in a piece's size.
constexpr unsigned kPiece = 1024;

/// Values with this many users get a copy in each piece (localizeInputs).
constexpr unsigned kManyUses = 64;

/// A piece with more values flowing in and out than this stays where it is
/// (its call would need as many arguments).
constexpr unsigned kMaxPieceValues = 32;

/// Whether `inst` is a store or a real call (an intrinsic such as fmuladd
/// or minnum becomes instructions, not a call that clobbers registers).
bool writesMemory(const llvm::Instruction &inst) {
  return llvm::isa<llvm::StoreInst>(inst) ||
         (llvm::isa<llvm::CallBase>(inst) && !llvm::isa<llvm::IntrinsicInst>(inst));
}

/// Debug intrinsics (-g in the old format) are not counted, so that the
/// guard picks the same functions with and without debug information.
bool exceeds(const llvm::BasicBlock &block, const HugeBlockLimits &limits) {
  unsigned instructions = 0, writes = 0;
  for (const llvm::Instruction &inst : block) {
    if (llvm::isa<llvm::DbgInfoIntrinsic>(inst))
      continue;
    ++instructions;
    writes += writesMemory(inst);
  }
  return instructions > limits.instructions || writes > limits.memoryWrites;
}

/// The blocks of `function` over `limits`, those on a cycle of the CFG (a
/// loop body) measured against the loop limits.
std::vector<llvm::BasicBlock *> hugeBlocks(llvm::Function &function,
                                           const HugeBlockLimits &limits) {
  HugeBlockLimits inLoop = limits;
  inLoop.instructions = limits.loopInstructions;
  inLoop.memoryWrites = limits.loopMemoryWrites;
  std::vector<llvm::BasicBlock *> huge;
  for (auto scc = llvm::scc_begin(&function); !scc.isAtEnd(); ++scc)
    for (llvm::BasicBlock *block : *scc)
      if (exceeds(*block, scc.hasCycle() ? inLoop : limits))
        huge.push_back(block);
  return huge;
}

/// Cuts `block` after its phis and allocas, every kPiece instructions, and
/// before its terminator (from the end, so that each cut moves one piece);
/// returns the pieces between the head and the terminator.
std::vector<llvm::BasicBlock *> cutIntoPieces(llvm::BasicBlock &block) {
  std::vector<llvm::Instruction *> cuts;
  unsigned count = 0;
  for (llvm::Instruction &inst : block) {
    if (llvm::isa<llvm::PHINode>(inst) || llvm::isa<llvm::AllocaInst>(inst))
      continue;
    if (count++ % kPiece == 0 || inst.isTerminator())
      cuts.push_back(&inst);
  }
  std::vector<llvm::BasicBlock *> pieces(cuts.size());
  for (size_t i = cuts.size(); i-- > 0;)
    pieces[i] = block.splitBasicBlock(cuts[i], block.getName() + ".piece");
  if (!pieces.empty())
    pieces.pop_back();
  return pieces;
}

/// Gives `piece` its own `freeze` of each value from outside with many
/// users. CodeExtractor walks every user of a value flowing in, so a value
/// that all pieces use (a literal's data pointer) made outlining quadratic.
/// A frozen value is the value itself (for poison, a refinement of it).
void localizeInputs(llvm::BasicBlock &piece) {
  llvm::DenseMap<llvm::Value *, llvm::Value *> local;
  llvm::IRBuilder<> b(&*piece.getFirstInsertionPt());
  for (llvm::Instruction &inst : piece)
    for (llvm::Use &use : inst.operands()) {
      llvm::Value *v = use.get();
      auto *def = llvm::dyn_cast<llvm::Instruction>(v);
      bool outside = llvm::isa<llvm::Argument>(v) ||
                     (def && def->getParent() != &piece);
      if (!outside || v->getType()->isTokenTy() ||
          !v->hasNUsesOrMore(kManyUses))
        continue;
      auto [it, fresh] = local.try_emplace(v, nullptr);
      if (fresh)
        it->second = b.CreateFreeze(v, v->getName() + ".local");
      use.set(it->second);
    }
}

/// Marks `function` to be selected as at -O0 (the verifier requires
/// noinline with optnone and refuses it beside alwaysinline and the size
/// attributes).
void selectCheaply(llvm::Function &function) {
  function.removeFnAttr(llvm::Attribute::AlwaysInline);
  function.removeFnAttr(llvm::Attribute::OptimizeForSize);
  function.removeFnAttr(llvm::Attribute::MinSize);
  function.addFnAttr(llvm::Attribute::NoInline);
  function.addFnAttr(llvm::Attribute::OptimizeNone);
}

/// Moves each middle piece of `block` into a function of its own, selected
/// cheaply; returns whether every piece moved (one that cannot, with too
/// many values or an alloca, stays, and code generation would merge the
/// pieces that stay back into one block).
bool outlinePieces(llvm::BasicBlock &block) {
  llvm::Function &function = *block.getParent();
  std::vector<llvm::BasicBlock *> pieces = cutIntoPieces(block);
  // Extraction keeps the cache valid for the function's other pieces.
  llvm::CodeExtractorAnalysisCache cache(function);
  bool allMoved = true;
  for (llvm::BasicBlock *piece : pieces) {
    localizeInputs(*piece);
    llvm::CodeExtractor extractor({piece}, nullptr, false, nullptr, nullptr,
                                  nullptr, false, false, nullptr, "piece");
    llvm::SetVector<llvm::Value *> inputs, outputs, allocas;
    if (extractor.isEligible())
      extractor.findInputsOutputs(inputs, outputs, allocas);
    llvm::Function *outlined = nullptr;
    if (extractor.isEligible() &&
        inputs.size() + outputs.size() <= kMaxPieceValues)
      outlined = extractor.extractCodeRegion(cache);
    if (outlined)
      selectCheaply(*outlined);
    allMoved = allMoved && outlined;
  }
  return allMoved;
}

} // namespace

unsigned selectHugeBlocksCheaply(llvm::Module &module,
                                 const HugeBlockLimits &limits) {
  unsigned marked = 0;
  std::vector<llvm::Function *> functions;
  for (llvm::Function &function : module)
    if (!function.isDeclaration() && !function.hasOptNone())
      functions.push_back(&function);
  for (llvm::Function *function : functions) {
    std::vector<llvm::BasicBlock *> huge = hugeBlocks(*function, limits);
    if (huge.empty())
      continue;
    bool allMoved = true;
    for (llvm::BasicBlock *block : huge)
      allMoved = outlinePieces(*block) && allMoved;
    // Pieces that stayed keep the whole function on the cheap path.
    if (!allMoved)
      selectCheaply(*function);
    ++marked;
  }
  return marked;
}

} // namespace kiln::core
