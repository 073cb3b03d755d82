// sum_of_squares: embedding Kiln's core as a JIT in a C++ program.
//
// Builds `double sum_of_squares(i64 n)` with the IR helpers (a counted loop
// calling a host-registered callback), JIT-compiles it at O2, and calls it.
#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Jit.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/Module.h"

#include <cstdio>

// A host function the JIT code calls back into.
extern "C" double square(double x) { return x * x; }

int main() {
  using namespace kiln::core;
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("example", *context);
  llvm::IRBuilder<> b(*context);

  auto *type =
      llvm::FunctionType::get(b.getDoubleTy(), {b.getInt64Ty()}, false);
  llvm::Function *fn =
      createFunction(*module, b, "sum_of_squares", type, {"n"});
  llvm::Value *total = b.CreateAlloca(b.getDoubleTy(), nullptr, "total");
  b.CreateStore(constF64(b, 0.0), total);
  emitCountedLoop(
      b, constI64(b, 1), b.CreateAdd(fn->getArg(0), constI64(b, 1)),
      constI64(b, 1), [&](llvm::IRBuilder<> &b, llvm::Value *i) {
        llvm::Value *x = b.CreateSIToFP(i, b.getDoubleTy());
        llvm::Value *sq = callRuntime(b, "square", b.getDoubleTy(), {x});
        b.CreateStore(b.CreateFAdd(b.CreateLoad(b.getDoubleTy(), total), sq),
                      total);
      });
  b.CreateRet(b.CreateLoad(b.getDoubleTy(), total));

  auto jit = Jit::create();
  if (!jit) {
    std::fprintf(stderr, "%s\n", renderError(jit.takeError()).c_str());
    return 1;
  }
  if (auto err = (*jit)->defineSymbols({{"square", (void *)&square}})) {
    std::fprintf(stderr, "%s\n", renderError(std::move(err)).c_str());
    return 1;
  }
  if (auto err = (*jit)->addModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
    std::fprintf(stderr, "%s\n", renderError(std::move(err)).c_str());
    return 1;
  }
  auto sumOfSquares = (*jit)->lookupAs<double(int64_t)>("sum_of_squares");
  if (!sumOfSquares) {
    std::fprintf(stderr, "%s\n", renderError(sumOfSquares.takeError()).c_str());
    return 1;
  }
  std::printf("sum_of_squares(10) = %g\n", (*sumOfSquares)(10));
  std::printf("sum_of_squares(1000) = %g\n", (*sumOfSquares)(1000));
  return 0;
}
