// HugeBlocksTest: the optimiser hands functions with one enormous
// straight-line block to the -O0 instruction selector, and only those.
//
// Such a block (a 20,000-element Relay array literal, 10,000 prints in a
// row) took minutes to select at -O1 and above; `optnone` after the IR
// pipeline makes code generation linear while the code stays the same.
#include "TestUtil.h"

#include "kiln/core/IRFile.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Target/TargetMachine.h"

#include <string>

using namespace kiln;
using core::OptLevel;

namespace {

/// `big` calls `sink(x + i)` for i < calls in one block; `small` calls it
/// once. `sink` adds its argument to @acc, which `total` returns.
std::string hugeBlockIR(int calls) {
  std::string ir = "@acc = global double 0.0\n"
                   "define void @sink(double %v) noinline {\n"
                   "  %a = load double, ptr @acc\n"
                   "  %s = fadd double %a, %v\n"
                   "  store double %s, ptr @acc\n  ret void\n}\n"
                   "define double @total() {\n"
                   "  %a = load double, ptr @acc\n  ret double %a\n}\n"
                   "define void @small(double %x) {\n"
                   "  call void @sink(double %x)\n  ret void\n}\n"
                   "define void @big(double %x) {\n";
  for (int i = 0; i < calls; ++i)
    ir += "  %v" + std::to_string(i) + " = fadd double %x, " +
          std::to_string(i) + ".0\n  call void @sink(double %v" +
          std::to_string(i) + ")\n";
  return ir + "  ret void\n}\n";
}

/// Optimises hugeBlockIR(calls) at `level`; whether `name` became optnone.
bool optNoneAfter(OptLevel level, int calls, const char *name) {
  llvm::LLVMContext context;
  auto module = core::parseIR(hugeBlockIR(calls), "huge", context);
  EXPECT_TRUE(bool(module));
  auto tm = core::createTargetMachine(core::hostTarget(), level);
  EXPECT_TRUE(bool(tm));
  if (!module || !tm)
    return false;
  core::PipelineOptions options;
  options.level = level;
  EXPECT_EQ(test::errorText(core::optimizeModule(**module, **tm, options)),
            "");
  EXPECT_FALSE(llvm::verifyModule(**module, &llvm::errs()));
  const llvm::Function *f = (*module)->getFunction(name);
  return f && f->hasOptNone() && f->hasFnAttribute(llvm::Attribute::NoInline);
}

TEST(HugeBlocks, OnlyTheHugeFunctionIsSelectedAsAtO0) {
  for (OptLevel level : {OptLevel::O1, OptLevel::O2, OptLevel::O3}) {
    EXPECT_TRUE(optNoneAfter(level, 3000, "big")) << optLevelName(level);
    EXPECT_FALSE(optNoneAfter(level, 3000, "small")) << optLevelName(level);
    EXPECT_FALSE(optNoneAfter(level, 3000, "sink")) << optLevelName(level);
    // 500 calls are ordinary code: fully optimised.
    EXPECT_FALSE(optNoneAfter(level, 500, "big")) << optLevelName(level);
  }
  // -O0 selects everything that way already; its IR is left as it is.
  EXPECT_FALSE(optNoneAfter(OptLevel::O0, 3000, "big"));
}

TEST(HugeBlocks, TheHugeFunctionStillComputesTheSame) {
  for (OptLevel level : {OptLevel::O0, OptLevel::O2}) {
    auto jit = test::makeJit(level);
    ASSERT_TRUE(jit);
    ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(
                  hugeBlockIR(3000)))),
              "");
    auto big = jit->lookupAs<void(double)>("big");
    auto total = jit->lookupAs<double()>("total");
    ASSERT_TRUE(big && total);
    (*big)(0.5);
    // sum of (0.5 + i) for i < 3000, exact in doubles.
    EXPECT_EQ((*total)(), 0.5 * 3000 + 2999.0 * 3000 / 2)
        << optLevelName(level);
  }
}

} // namespace
