// IRHelpersTest: loops, if/else, runtime calls and constants build verified
// IR that computes the right thing once JIT-compiled.
#include "TestUtil.h"

#include "kiln/core/IRHelpers.h"

#include "llvm/IR/Module.h"

using namespace kiln;

namespace {

/// Builds `i64 f(i64 n)`: sum of i for i in [0, n) where i is odd, else -i.
llvm::orc::ThreadSafeModule buildOddSum() {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("helpers", *context);
  llvm::IRBuilder<> b(*context);
  auto *type = llvm::FunctionType::get(b.getInt64Ty(), {b.getInt64Ty()}, false);
  llvm::Function *f = core::createFunction(*module, b, "odd_sum", type, {"n"});
  EXPECT_EQ(f->getArg(0)->getName(), "n");
  llvm::Value *acc = b.CreateAlloca(b.getInt64Ty());
  b.CreateStore(core::constI64(b, 0), acc);
  core::emitCountedLoop(
      b, core::constI64(b, 0), f->getArg(0), core::constI64(b, 1),
      [&](llvm::IRBuilder<> &b, llvm::Value *i) {
        llvm::Value *odd = b.CreateTrunc(i, b.getInt1Ty());
        core::emitIfElse(
            b, odd,
            [&](llvm::IRBuilder<> &b) {
              b.CreateStore(b.CreateAdd(b.CreateLoad(b.getInt64Ty(), acc), i),
                            acc);
            },
            [&](llvm::IRBuilder<> &b) {
              b.CreateStore(b.CreateSub(b.CreateLoad(b.getInt64Ty(), acc), i),
                            acc);
            });
      });
  b.CreateRet(b.CreateLoad(b.getInt64Ty(), acc));
  EXPECT_EQ(test::errorText(core::verifyModule(*module)), "");
  return llvm::orc::ThreadSafeModule(std::move(module), std::move(context));
}

class HelpersAtLevel : public ::testing::TestWithParam<core::OptLevel> {};

TEST_P(HelpersAtLevel, LoopAndBranchesCompute) {
  auto jit = test::makeJit(GetParam());
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(buildOddSum())), "");
  auto f = jit->lookupAs<int64_t(int64_t)>("odd_sum");
  ASSERT_TRUE(bool(f));
  for (int64_t n : {0, 1, 2, 7, 100}) {
    int64_t expected = 0;
    for (int64_t i = 0; i < n; ++i)
      expected += (i & 1) ? i : -i;
    EXPECT_EQ((*f)(n), expected) << "n = " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(IRHelpers, HelpersAtLevel,
                         ::testing::Values(core::OptLevel::O0,
                                           core::OptLevel::O2));

TEST(IRHelpers, CallsRuntimeWithStringConstant) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("print", *context);
  llvm::IRBuilder<> b(*context);
  core::createFunction(*module, b, "show",
                       llvm::FunctionType::get(b.getVoidTy(), false));
  core::callRuntime(b, "kiln_rt_print_str", b.getVoidTy(),
                    {core::constString(b, "x =")});
  core::callRuntime(b, "kiln_rt_print_space", b.getVoidTy(), {});
  core::callRuntime(b, "kiln_rt_print_f64", b.getVoidTy(),
                    {core::constF64(b, 2.5)});
  core::callRuntime(b, "kiln_rt_print_newline", b.getVoidTy(), {});
  b.CreateRetVoid();
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(llvm::orc::ThreadSafeModule(
                std::move(module), std::move(context)))),
            "");
  auto show = jit->lookupAs<void()>("show");
  ASSERT_TRUE(bool(show));
  EXPECT_EQ(test::captureStdout([&] { (*show)(); }), "x = 2.5\n");
}

TEST(IRHelpers, VerifyReportsProblems) {
  llvm::LLVMContext context;
  llvm::Module module("unterminated", context);
  llvm::IRBuilder<> b(context);
  core::createFunction(module, b, "f",
                       llvm::FunctionType::get(b.getVoidTy(), false));
  // No terminator in the entry block.
  std::string text = test::errorText(core::verifyModule(module));
  EXPECT_NE(text.find("invalid IR in module 'unterminated'"), std::string::npos)
      << text;
}

} // namespace
