// HugeBlocks: the size guard that keeps code generation linear for
// functions holding one enormous straight-line block (see HugeBlocks.h).
#include "HugeBlocks.h"

#include "llvm/IR/Function.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

namespace kiln::core {

namespace {

/// Whether `inst` writes memory: a store or a call.
bool writesMemory(const llvm::Instruction &inst) {
  return llvm::isa<llvm::StoreInst>(inst) || llvm::isa<llvm::CallBase>(inst);
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

bool hasHugeBlock(const llvm::Function &function,
                  const HugeBlockLimits &limits) {
  for (const llvm::BasicBlock &block : function)
    if (exceeds(block, limits))
      return true;
  return false;
}

} // namespace

unsigned selectHugeBlocksCheaply(llvm::Module &module,
                                 const HugeBlockLimits &limits) {
  unsigned marked = 0;
  for (llvm::Function &function : module) {
    if (function.isDeclaration() || function.hasOptNone() ||
        !hasHugeBlock(function, limits))
      continue;
    // The verifier requires noinline with optnone and refuses it beside
    // alwaysinline, optsize and minsize.
    function.removeFnAttr(llvm::Attribute::AlwaysInline);
    function.removeFnAttr(llvm::Attribute::OptimizeForSize);
    function.removeFnAttr(llvm::Attribute::MinSize);
    function.addFnAttr(llvm::Attribute::NoInline);
    function.addFnAttr(llvm::Attribute::OptimizeNone);
    ++marked;
  }
  return marked;
}

} // namespace kiln::core
