// HugeBlocksTest: after the optimiser, an enormous straight-line block is cut
// into pieces moved into `optnone` functions of their own, and only such a
// block; the code computes the same.
//
// Such a block (a 30,000-element Relay array literal, 10,000 prints in a
// row) took minutes to select at -O1 and above (lib/core/HugeBlocks.h).
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

/// `sink(v)` adds v to @acc, which `total` returns; `small` calls it once.
const char *const SinkIR = R"(@acc = global double 0.0
define void @sink(double %v) noinline {
  %a = load double, ptr @acc
  %s = fadd double %a, %v
  store double %s, ptr @acc
  ret void
}
define double @total() {
  %a = load double, ptr @acc
  ret double %a
}
define void @small(double %x) {
  call void @sink(double %x)
  ret void
}
)";

/// `calls` lines `sink(OPERAND(i) + i)`, one block; OPERAND(i) is
/// `operand`, or `%p(i % 40)` when `operand` is empty.
std::string sinkCalls(int calls, const std::string &operand) {
  std::string ir;
  for (int i = 0; i < calls; ++i) {
    std::string v = "%v" + std::to_string(i);
    std::string x = operand.empty() ? "%p" + std::to_string(i % 40) : operand;
    ir += "  " + v + " = fadd double " + x + ", " + std::to_string(i) +
          ".0\n  call void @sink(double " + v + ")\n";
  }
  return ir;
}

/// A chain of `length` fadds from %x0 (no fast-math: none folds), ending
/// in `sink(result)`: many instructions, one call.
std::string fadds(int length) {
  std::string ir;
  for (int i = 0; i < length; ++i)
    ir += "  %x" + std::to_string(i + 1) + " = fadd double %x" +
          std::to_string(i) + ", 1.0\n";
  return ir + "  call void @sink(double %x" + std::to_string(length) + ")\n";
}

/// `big(x)` calls `sink(x + i)` for i < calls in one block (alone with
/// `bigOnly`); `wide(p0..p39)` calls `sink(p[i % 40] + i)`, so each piece
/// of it needs all 40 parameters; `chain(x)` and `looped(x, n)` (n times,
/// from x + i) add 1 to x 9,000 times, then call `sink` once; `looped`
/// then calls `sink(x + i + j)` for j < calls / 2.
std::string hugeBlockIR(int calls, bool bigOnly = false) {
  std::string ir = SinkIR;
  ir += "define void @big(double %x) {\n" + sinkCalls(calls, "%x") +
        "  ret void\n}\n";
  if (bigOnly)
    return ir;
  std::string params;
  for (int p = 0; p < 40; ++p)
    params += (p ? ", double %p" : "double %p") + std::to_string(p);
  ir += "define void @wide(" + params + ") {\n" + sinkCalls(calls, "") +
        "  ret void\n}\n";
  ir += "define void @chain(double %x) {\n  %x0 = fadd double %x, 0.0\n" +
        fadds(9000) + "  ret void\n}\n";
  return ir +
         "define void @looped(double %x, i32 %n) {\nentry:\n  br label %loop\n"
         "loop:\n  %i = phi i32 [ 0, %entry ], [ %next, %loop ]\n"
         "  %fi = sitofp i32 %i to double\n  %x0 = fadd double %x, %fi\n" +
         fadds(9000) + sinkCalls(calls / 2, "%x0") +
         "  %next = add i32 %i, 1\n  %more = icmp slt i32 %next, %n\n"
         "  br i1 %more, label %loop, label %done\ndone:\n  ret void\n}\n";
}

/// hugeBlockIR(calls) optimised at `level` (null, with a failure, if not).
std::unique_ptr<llvm::Module> optimized(OptLevel level, int calls,
                                        llvm::LLVMContext &context) {
  auto module = core::parseIR(hugeBlockIR(calls), "huge", context);
  EXPECT_TRUE(bool(module)) << test::errorText(module.takeError());
  auto tm = core::createTargetMachine(core::hostTarget(), level);
  EXPECT_TRUE(bool(tm));
  if (!module || !tm)
    return nullptr;
  core::PipelineOptions options;
  options.level = level;
  EXPECT_EQ(test::errorText(core::optimizeModule(**module, **tm, options)),
            "");
  EXPECT_FALSE(llvm::verifyModule(**module, &llvm::errs()));
  return std::move(*module);
}

/// How many functions named `prefix`.piece... the module holds, each
/// internal and optnone (a failure otherwise).
int pieces(const llvm::Module &module, const std::string &prefix) {
  int count = 0;
  for (const llvm::Function &f : module)
    if (f.getName().starts_with(prefix + ".piece")) {
      EXPECT_TRUE(f.hasOptNone() && f.hasLocalLinkage()) << f.getName().str();
      ++count;
    }
  return count;
}

bool optNone(const llvm::Module &module, const char *name) {
  const llvm::Function *f = module.getFunction(name);
  EXPECT_TRUE(f) << name;
  return f && f->hasOptNone();
}

TEST(HugeBlocks, OnlyTheHugeBlockIsCutIntoOptNonePieces) {
  for (OptLevel level : {OptLevel::O1, OptLevel::O2, OptLevel::O3}) {
    llvm::LLVMContext context;
    auto module = optimized(level, 3000, context);
    ASSERT_TRUE(module);
    // 6,000 instructions and `ret`: six pieces of up to 1,024 move, the
    // `ret` stays in `big`.
    EXPECT_EQ(pieces(*module, "big"), 6) << optLevelName(level);
    EXPECT_FALSE(optNone(*module, "big"));
    for (const char *name : {"small", "sink", "chain", "looped"})
      EXPECT_FALSE(optNone(*module, name)) << name;
    // 9,001 instructions, or 1,501 calls: too many for a block, not for a
    // loop body.
    EXPECT_EQ(pieces(*module, "chain"), 9) << optLevelName(level);
    EXPECT_EQ(pieces(*module, "looped"), 0);
    // Pieces needing 40 values stay; their function is optnone instead.
    EXPECT_EQ(pieces(*module, "wide"), 0);
    EXPECT_TRUE(optNone(*module, "wide"));
  }
  llvm::LLVMContext context;
  auto ordinary = optimized(OptLevel::O2, 500, context);
  ASSERT_TRUE(ordinary);
  EXPECT_EQ(pieces(*ordinary, "big"), 0);
  EXPECT_FALSE(optNone(*ordinary, "wide"));
  // -O0 selects everything that way already; its IR is left as it is.
  auto o0 = optimized(OptLevel::O0, 3000, context);
  ASSERT_TRUE(o0);
  EXPECT_EQ(pieces(*o0, "big"), 0);
  EXPECT_FALSE(optNone(*o0, "big"));
}

TEST(HugeBlocks, TheCutFunctionStillComputesTheSame) {
  for (OptLevel level : {OptLevel::O0, OptLevel::O2}) {
    auto jit = test::makeJit(level);
    ASSERT_TRUE(jit);
    ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(
                  hugeBlockIR(3000, /*bigOnly=*/true)))),
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
