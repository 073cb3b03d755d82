// IRGenLoopTest: the shape of Relay's compiled loops at O2 -- range loops
// and counted while loops index through integer counters, with the general
// double-counter version kept for the values the counter cannot hold.
#include "IRGenTestUtil.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <gtest/gtest.h>

#include <vector>

namespace kiln::relay {
namespace {

using test::optimizedAtO2;

/// What an innermost loop at O2 does: converts a double to an integer
/// (an index round trip), polls the timeout flag (a volatile load), stores
/// the double 0.
struct LoopShape {
  bool converts = false, polls = false, storesZero = false;
};

std::vector<LoopShape> innermostLoops(llvm::Function &fn) {
  llvm::DominatorTree tree(fn);
  llvm::LoopInfo loops(tree);
  std::vector<LoopShape> shapes;
  for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
    if (!loop->isInnermost())
      continue;
    LoopShape shape;
    for (llvm::BasicBlock *block : loop->blocks())
      for (llvm::Instruction &inst : *block) {
        shape.converts |= llvm::isa<llvm::FPToSIInst>(inst);
        if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&inst))
          shape.polls |= load->isVolatile();
        if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&inst))
          if (auto *c = llvm::dyn_cast<llvm::ConstantFP>(store->getValueOperand()))
            shape.storesZero |= c->isZero();
      }
    shapes.push_back(shape);
  }
  return shapes;
}

/// The function of `module` whose name contains `name` (not an entry).
llvm::Function *definedFunction(llvm::Module &module, llvm::StringRef name) {
  for (llvm::Function &f : module)
    if (f.getName().contains(name) && !f.isDeclaration() &&
        !f.getName().contains("entry"))
      return &f;
  return nullptr;
}

// A `for` over an integer range runs an i32 counter, so at O2 an index by
// the loop variable needs no float conversion: that loop's body has no
// fptosi round trip (the general double-counter version still has one).
TEST(RelayIRGen, InnermostRangeLoopIndexesWithoutConversions) {
  llvm::LLVMContext context;
  auto module = optimizedAtO2(R"(
fn sum(v, n) { let s = 0; for j in 0..n { s = s + v[j] }; return s }
print(sum([1, 2, 3], 3))
)", context);
  ASSERT_TRUE(module);
  llvm::Function *fn = definedFunction(*module, "sum");
  ASSERT_TRUE(fn);
  // Loops: the i32 version (chunks around an inner loop) and the double
  // version. The innermost i32 loop converts nothing and polls nothing.
  unsigned clean = 0;
  for (LoopShape loop : innermostLoops(*fn))
    clean += !loop.converts && !loop.polls;
  EXPECT_EQ(clean, 1u);
}

// Bounds that are integers by construction (here 0 and len(v)) need no
// entry check and no general version: the function has one loop nest, whose
// innermost loop converts and polls nothing, even three loops deep.
TEST(RelayIRGen, ExactRangeLoopsHaveNoGeneralVersion) {
  llvm::LLVMContext context;
  auto module = optimizedAtO2(R"(
fn sum(v) { let s = 0; for j in 0..len(v) { s = s + v[j] }; return s }
fn cube(v) {
  let s = 0
  for i in 0..len(v) { for j in 0..len(v) { for k in 1..len(v) - 1 { s = s + v[i] * v[j] * v[k] } } }
  return s
}
print(sum([1, 2, 3]), cube([1, 2, 3]))
)", context);
  ASSERT_TRUE(module);
  for (const char *name : {"sum", "cube"}) {
    SCOPED_TRACE(name);
    llvm::Function *fn = definedFunction(*module, name);
    ASSERT_TRUE(fn);
    std::vector<LoopShape> loops = innermostLoops(*fn);
    ASSERT_EQ(loops.size(), 1u);
    EXPECT_FALSE(loops[0].converts);
    EXPECT_FALSE(loops[0].polls);
  }
}

// The sieve's hot loop, `while m < n { flags[m] = 0; m = m + p }`, is a
// counted while: at O2 its integer version stores without converting m,
// while the general version (kept for fractional, -0, NaN or huge values)
// still has the fptosi round trip.
TEST(RelayIRGen, SieveInnerWhileIndexesWithoutConversions) {
  llvm::LLVMContext context;
  auto module = optimizedAtO2(R"(
fn sieve(n) {
  let flags = []
  for i in 0..n { flags.push(1) }
  flags[0] = 0
  flags[1] = 0
  let p = 2
  while p * p < n {
    if flags[p] == 1 {
      let m = p * p
      while m < n { flags[m] = 0; m = m + p }
    }
    p = p + 1
  }
  return flags
}
print(len(sieve(100)))
)", context);
  ASSERT_TRUE(module);
  unsigned clean = 0, converting = 0;
  for (llvm::Function &fn : *module)
    if (!fn.isDeclaration())
      for (LoopShape loop : innermostLoops(fn))
        if (loop.storesZero) {
          clean += !loop.converts;
          converting += loop.converts;
        }
  EXPECT_EQ(clean, 1u);
  EXPECT_EQ(converting, 1u);
}

} // namespace
} // namespace kiln::relay
