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

#include <functional>
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
          if (auto *c =
                  llvm::dyn_cast<llvm::ConstantFP>(store->getValueOperand()))
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

/// The sum of `count` over the blocks of function `name` (which must exist).
unsigned countBlocks(llvm::Module &module, const char *name,
                     const std::function<unsigned(llvm::BasicBlock &)> &count) {
  llvm::Function *fn = definedFunction(module, name);
  EXPECT_TRUE(fn) << name;
  unsigned n = 0;
  if (fn)
    for (llvm::BasicBlock &block : *fn)
      n += count(block);
  return n;
}

// A `for` over an integer range runs an i32 counter, so at O2 an index by
// the loop variable needs no float conversion: that loop's body has no
// fptosi round trip (the general double-counter version still has one).
TEST(RelayIRGen, InnermostRangeLoopIndexesWithoutConversions) {
  llvm::LLVMContext context;
  auto module = optimizedAtO2(R"(
fn twice(v, w, n) { for j in 0..n { w[j] = v[j] * 2 }; return w }
print(twice([1, 2, 3], [0, 0, 0], 3))
)",
                              context);
  ASSERT_TRUE(module);
  llvm::Function *fn = definedFunction(*module, "twice");
  ASSERT_TRUE(fn);
  // Loops: the i32 version (chunks around an inner loop, which the
  // vectorizer may split into a vector loop and its remainder) and the
  // double version. The i32 inner loops convert nothing and poll nothing;
  // the double version converts.
  unsigned clean = 0, converting = 0;
  for (LoopShape loop : innermostLoops(*fn)) {
    clean += !loop.converts && !loop.polls;
    converting += loop.converts;
  }
  EXPECT_GE(clean, 1u);
  EXPECT_EQ(converting, 1u);
}

// Bounds that are integers by construction (here 0 and len(v)) need no
// entry check and no general version, even three loops deep: the generated
// function has no double-counter loop (for.fp) and no float-to-integer
// conversion, while a range up to a parameter keeps both.
TEST(RelayIRGen, ExactRangeLoopsHaveNoGeneralVersion) {
  llvm::LLVMContext context;
  auto program = test::compile(R"(
fn sum(v) { let s = 0; for j in 0..len(v) { s = s + v[j] }; return s }
fn cube(v) {
  let s = 0
  for i in 0..len(v) { for j in 0..len(v) { for k in 1..len(v) - 1 { s = s + v[i] * v[j] * v[k] } } }
  return s
}
fn upto(v, n) { let s = 0; for j in 0..n { s = s + v[j] }; return s }
print(sum([1, 2, 3]), cube([1, 2, 3]), upto([1, 2], 2))
)");
  auto module = test::generate(*program, context);
  ASSERT_TRUE(module);
  auto general = [&](const char *name) {
    return countBlocks(*module, name, [](llvm::BasicBlock &block) {
      unsigned n = block.getName().starts_with("for.fp");
      for (llvm::Instruction &inst : block)
        n += llvm::isa<llvm::FPToSIInst>(inst);
      return n;
    });
  };
  EXPECT_EQ(general("sum"), 0u);
  EXPECT_EQ(general("cube"), 0u);
  EXPECT_GT(general("upto"), 0u);
}

// Only an innermost loop that may vectorize runs in chunks with one timeout
// poll each; a loop carrying a number from one iteration to the next, or
// one with loops inside, is a single loop that polls every iteration.
TEST(RelayIRGen, OnlyVectorizableLoopsRunInChunks) {
  llvm::LLVMContext context;
  auto program = test::compile(R"(
fn scale(v) { for i in 0..len(v) { v[i] = v[i] * 2 }; return v }
fn sum(v) { let s = 0; for i in 0..len(v) { s = s + v[i] }; return s }
fn local(v) { for i in 0..len(v) { let t = 0; t = t + v[i]; v[i] = t }; return v }
fn nest(v) { let s = 0; for i in 0..3 { for j in 0..len(v) { v[j] = i } }; return v }
print(scale([1]), sum([1]), local([1]), nest([1]))
)");
  auto module = test::generate(*program, context);
  ASSERT_TRUE(module);
  auto chunks = [&](const char *name) {
    return countBlocks(*module, name, [](llvm::BasicBlock &block) {
      return unsigned(block.getName().starts_with("loop.chunk.body"));
    });
  };
  EXPECT_EQ(chunks("scale"), 1u);
  EXPECT_EQ(chunks("sum"), 0u);
  EXPECT_EQ(chunks("local"), 1u) << "t is the body's own: no recurrence";
  EXPECT_EQ(chunks("nest"), 1u) << "the inner loop only";
}

// `for i in 0..len(v)` indexes every element of v, and arrays never
// shrink: v[i] needs no check (so the loop below vectorizes), while w[i]
// keeps its bound check, and so does v[i] once v may be reassigned.
TEST(RelayIRGen, RangeOverALengthIndexesWithoutChecks) {
  const char *source = R"(
fn scale(v) { for i in 0..len(v) { v[i] = v[i] * 2 }; return v }
fn pair(v, w) { let s = 0; for i in 0..len(v) { s = s + v[i] * w[i] }; return s }
fn swap(v) { let s = 0; for i in 0..len(v) { s = s + v[i]; v = [1] }; return s }
print(scale([1, 2]), pair([1, 2], [3, 4]), swap([1, 2]))
)";
  struct Shape {
    unsigned traps = 0;
    bool vectorized = false;
  };
  auto shape = [&](const char *name) {
    llvm::LLVMContext context;
    Shape s;
    auto module = test::functionAtO2(source, name, context);
    llvm::Function *fn = module ? definedFunction(*module, name) : nullptr;
    EXPECT_TRUE(fn) << name;
    if (fn)
      for (llvm::BasicBlock &block : *fn)
        for (llvm::Instruction &inst : block) {
          s.vectorized |= inst.getType()->isVectorTy();
          if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
            if (auto *callee = call->getCalledFunction())
              s.traps += callee->getName() == "kiln_rt_index_trap";
        }
    return s;
  };
  Shape scale = shape("scale");
  EXPECT_EQ(scale.traps, 0u);
  EXPECT_TRUE(scale.vectorized) << "scale's loop was not vectorized";
  EXPECT_EQ(shape("pair").traps, 1u);
  EXPECT_EQ(shape("swap").traps, 1u);
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
)",
                              context);
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
