// IRGenModuleTest: the shape of the modules Relay's IR generator builds --
// symbols and linkage, one function's module, strict floating point and libm
// calls, the guards' globals and arguments, slots promoted at O2 -- and the
// errors it returns instead of crashing on a program sema did not annotate.
#include "IRGenTestUtil.h"
#include "JitRunUtil.h"
#include "relay/irgen/IRGen.h"
#include "relay/syntax/Parser.h"

#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace kiln::relay {
namespace {

using test::compile;
using test::errorText;
using test::generate;
using test::Mandelbrot;
using test::optimizedAtO2;

/// The declaration of function `name` (main, with a failure, if none).
const FuncDecl &function(const Program &program, const std::string &name) {
  for (const auto &fn : program.functions)
    if (fn->name == name)
      return *fn;
  ADD_FAILURE() << "no function " << name;
  return *program.main;
}

TEST(RelayIRGen, ProgramSymbolsAndLinkage) {
  auto program = compile("fn f(a: array, b: bool, x) -> bool { return b }\n"
                         "fn g() { }\nprint(f([1], true, 2))");
  llvm::LLVMContext context;
  auto module = generate(*program, context);
  ASSERT_TRUE(module);
  EXPECT_EQ(module->getModuleIdentifier(), "relay:test.relay");
  llvm::Function *f = module->getFunction("relay.f");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->hasInternalLinkage());
  llvm::FunctionType *type = f->getFunctionType();
  EXPECT_TRUE(type->getReturnType()->isIntegerTy(1));
  EXPECT_TRUE(type->getParamType(0)->isPointerTy());
  EXPECT_TRUE(type->getParamType(1)->isIntegerTy(1));
  EXPECT_TRUE(type->getParamType(2)->isDoubleTy());
  EXPECT_TRUE(module->getFunction("relay.g")->getReturnType()->isVoidTy());
  for (const char *name :
       {"relay.f.entry", "relay.g.entry", "relay.main", "relay.main.entry"}) {
    llvm::Function *fn = module->getFunction(name);
    ASSERT_TRUE(fn) << name;
    EXPECT_TRUE(fn->hasExternalLinkage()) << name;
    EXPECT_FALSE(fn->isDeclaration()) << name;
  }
}

TEST(RelayIRGen, FunctionModuleCallsOthersThroughExternalSymbols) {
  auto program = compile("fn f(n) { if n < 1 { return 0 }; return f(n - 1) + "
                         "g(n) }\nfn g(n) { return n }\nprint(f(3))");
  llvm::LLVMContext context;
  auto module = generateFunction(*program, function(*program, "f"), context);
  ASSERT_TRUE(bool(module)) << errorText(module.takeError());
  EXPECT_EQ((*module)->getModuleIdentifier(), "relay:f");
  llvm::Function *impl = (*module)->getFunction("relay.f.impl");
  ASSERT_TRUE(impl);
  EXPECT_FALSE(impl->isDeclaration());
  EXPECT_TRUE(impl->hasExternalLinkage());
  ASSERT_TRUE((*module)->getFunction("relay.f.entry"));
  EXPECT_FALSE((*module)->getFunction("relay.f.entry")->isDeclaration());
  // g through its stub; f calls itself directly, so its recursion
  // optimises as in the whole-program module.
  llvm::Function *g = (*module)->getFunction("relay.g");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->isDeclaration());
  EXPECT_FALSE((*module)->getFunction("relay.f"));
  bool callsItself = false;
  for (llvm::Instruction &inst : llvm::instructions(*impl))
    if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
      callsItself |= call->getCalledFunction() == impl;
  EXPECT_TRUE(callsItself);
  EXPECT_FALSE((*module)->getFunction("relay.main"));
}

TEST(RelayIRGen, NoFastMathAndLibmCallsStayCalls) {
  auto program = compile("let x = 1.5\nprint(x * 3 + 1, sin(x), pow(2, x), "
                         "sqrt(x), x % 2, min(x, 2))");
  llvm::LLVMContext context;
  auto module = generate(*program, context);
  ASSERT_TRUE(module);
  bool sawSin = false;
  for (llvm::Function &fn : *module)
    for (llvm::Instruction &inst : llvm::instructions(fn)) {
      if (auto *op = llvm::dyn_cast<llvm::FPMathOperator>(&inst))
        EXPECT_FALSE(op->getFastMathFlags().any()) << fn.getName().str();
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
        if (call->getCalledFunction() &&
            call->getCalledFunction()->getName() == "sin") {
          sawSin = true;
          EXPECT_TRUE(call->isNoBuiltin()) << "pow(2,x) -> exp2 would differ";
        }
    }
  EXPECT_TRUE(sawSin);
}

TEST(RelayIRGen, Atan2IsALibmCallThatStaysACall) {
  auto program = compile("let y = 1.5\nprint(atan2(y, 2))");
  llvm::LLVMContext context;
  auto module = generate(*program, context);
  ASSERT_TRUE(module);
  int calls = 0;
  for (llvm::Function &fn : *module)
    for (llvm::Instruction &inst : llvm::instructions(fn))
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
        if (call->getCalledFunction() &&
            call->getCalledFunction()->getName() == "atan2") {
          ++calls;
          EXPECT_TRUE(call->isNoBuiltin());
          EXPECT_EQ(call->arg_size(), 2u);
          EXPECT_TRUE(call->getCalledFunction()->doesNotAccessMemory());
        }
  EXPECT_EQ(calls, 1);
}

TEST(RelayIRGen, GuardsOffLeaveNoRuntimeGlobals) {
  auto program = compile("fn f(n) { for i in 0..n { }; return n }\nf(2)");
  llvm::LLVMContext context;
  IRGenOptions options;
  options.guards = false;
  auto module = generate(*program, context, options);
  ASSERT_TRUE(module);
  EXPECT_FALSE(module->getNamedGlobal("kiln_rt_depth"));
  EXPECT_FALSE(module->getNamedGlobal("kiln_rt_interrupted"));
  auto guarded = generate(*program, context);
  ASSERT_TRUE(guarded);
  EXPECT_TRUE(guarded->getNamedGlobal("kiln_rt_depth"));
  EXPECT_TRUE(guarded->getNamedGlobal("kiln_rt_interrupted"));
}

// The depth limit travels as a hidden i32 argument (the call budget), so
// optimised code never stores to kiln_rt_depth: a store there per call made
// every call wait on the previous call's store (issue 16).
TEST(RelayIRGen, DepthGuardIsAnArgumentNotAStore) {
  const char *fib = "fn fib(n) { if n < 2 { return n }; return fib(n - 1) + "
                    "fib(n - 2) }\nprint(fib(20))";
  llvm::LLVMContext context;
  auto module = optimizedAtO2(fib, context);
  ASSERT_TRUE(module);
  llvm::Function *f = module->getFunction("relay.fib");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->arg_size(), 2u);
  EXPECT_TRUE(f->getArg(1)->getType()->isIntegerTy(32));
  llvm::GlobalVariable *depth = module->getNamedGlobal("kiln_rt_depth");
  ASSERT_TRUE(depth) << "relay.main reads it once";
  for (llvm::User *user : depth->users())
    EXPECT_FALSE(llvm::isa<llvm::StoreInst>(user));
  IRGenOptions off;
  off.guards = false;
  auto program = compile(fib);
  auto unguarded = generate(*program, context, off);
  ASSERT_TRUE(unguarded);
  EXPECT_EQ(unguarded->getFunction("relay.fib")->arg_size(), 1u);
}

/// Whether `f` reads kiln_rt_stack_low (the large-frame check).
bool checksTheStack(const llvm::Function &f) {
  for (const llvm::Instruction &inst : llvm::instructions(f))
    if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&inst))
      if (load->getPointerOperand()->getName() == "kiln_rt_stack_low")
        return true;
  return false;
}

// A function with a large -O0 frame checks the native stack left at entry,
// before the prologue's first store into the frame; fib, whose frame the
// reserve covers at every depth, does not (its calls stay as cheap as
// before), and neither does unguarded code.
TEST(RelayIRGen, LargeFramesCheckTheStackAtEntry) {
  std::string big = "fn big(n) {\n  if n <= 0 { return 0 }\n";
  for (int i = 0; i < 100; ++i)
    big += "  let v" + std::to_string(i) + " = n + 1\n";
  big += "  return big(n - 1) + v99\n}\n";
  auto program = compile(big + "fn fib(n) { if n < 2 { return n }; return "
                               "fib(n - 1) + fib(n - 2) }\nprint(big(3) + fib(3))");
  ASSERT_TRUE(program);
  llvm::LLVMContext context;
  auto module = generate(*program, context);
  ASSERT_TRUE(module);
  llvm::Function *f = module->getFunction("relay.big");
  ASSERT_TRUE(f);
  EXPECT_TRUE(checksTheStack(*f));
  EXPECT_FALSE(checksTheStack(*module->getFunction("relay.fib")));
  // The entry block holds the allocas and the check, no store.
  for (llvm::Instruction &inst : f->getEntryBlock())
    EXPECT_FALSE(llvm::isa<llvm::StoreInst>(inst));
  IRGenOptions off;
  off.guards = false;
  auto unguarded = generate(*program, context, off);
  ASSERT_TRUE(unguarded);
  EXPECT_FALSE(checksTheStack(*unguarded->getFunction("relay.big")));
}

// With -g the large-frame trap is located at the function (gdb's `up` from
// kiln_rt_trap shows its line): the first instruction after the allocas,
// whose location it took, is a prologue store that has none.
TEST(RelayIRGen, LargeFrameTrapHasTheFunctionsLine) {
  std::string big = "\nfn big(n) {\n  if n <= 0 { return 0 }\n";
  for (int i = 0; i < 100; ++i)
    big += "  let v" + std::to_string(i) + " = n + 1\n";
  auto program = compile(big + "  return big(n - 1) + v99\n}\nprint(big(3))");
  ASSERT_TRUE(program);
  llvm::LLVMContext context;
  IRGenOptions options;
  options.debugInfo = true;
  auto module = generate(*program, context, options);
  ASSERT_TRUE(module);
  const llvm::CallInst *trap = nullptr;
  for (const llvm::Instruction &inst :
       llvm::instructions(*module->getFunction("relay.big")))
    if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
      if (call->getCalledFunction() &&
          call->getCalledFunction()->getName() == "kiln_rt_stack_exhausted")
        trap = call;
  ASSERT_TRUE(trap);
  ASSERT_TRUE(trap->getDebugLoc());
  EXPECT_EQ(trap->getDebugLoc().getLine(), 2u);
}

TEST(RelayIRGen, SlotsArePromotedAtO2) {
  llvm::LLVMContext context;
  auto module = optimizedAtO2(Mandelbrot, context);
  ASSERT_TRUE(module);
  for (llvm::Function &fn : *module)
    for (llvm::Instruction &inst : llvm::instructions(fn))
      EXPECT_FALSE(llvm::isa<llvm::AllocaInst>(inst)) << fn.getName().str();
}

/// The module of `let a = [ELEMENTS]` at the top level, unoptimised.
std::unique_ptr<llvm::Module> literalModule(const std::string &elements,
                                            llvm::LLVMContext &context) {
  auto program = compile("let n = 2\nlet a = [" + elements + "]\nprint(a[0])");
  return program ? generate(*program, context) : nullptr;
}

/// `count` copies of `element`, comma-separated.
std::string repeated(const std::string &element, int count) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += (i ? ", " : "") + element;
  return out;
}

// A long literal of constant numbers is one memcpy from constant data (no
// block of stores for the code generator); short or computed ones store.
TEST(RelayIRGen, LongConstantLiteralsAreCopiedFromATable) {
  llvm::LLVMContext context;
  auto table = literalModule("-0, " + repeated("1.5", 62) + ", -2", context);
  ASSERT_TRUE(table);
  llvm::GlobalVariable *g = table->getGlobalVariable("relay.table", true);
  ASSERT_TRUE(g && g->isConstant());
  auto *data = llvm::cast<llvm::ConstantDataArray>(g->getInitializer());
  ASSERT_EQ(data->getNumElements(), 64u);
  EXPECT_TRUE(std::signbit(data->getElementAsDouble(0)));
  EXPECT_EQ(data->getElementAsDouble(1), 1.5);
  EXPECT_EQ(data->getElementAsDouble(63), -2.0);
  for (const char *elements : {"n, 1", "1, n + 1", "1"}) {
    std::string list = repeated("1", 62) + ", " + elements;
    auto stored = literalModule(list, context);
    ASSERT_TRUE(stored);
    EXPECT_FALSE(stored->getGlobalVariable("relay.table", true)) << elements;
  }
}

// ---- Errors instead of crashes
// -------------------------------------------------

TEST(RelayIRGen, UnanalysedProgramIsAnError) {
  DiagList diags;
  auto program = parseProgram("test.relay", "let x = 1\nprint(x)", diags);
  ASSERT_TRUE(diags.empty());
  llvm::LLVMContext context;
  auto module = generateProgram(*program, context);
  ASSERT_FALSE(bool(module));
  EXPECT_NE(errorText(module.takeError()).find("not analysed"),
            std::string::npos);
}

TEST(RelayIRGen, DamagedAnnotationsAreAnErrorWithALocation) {
  auto program = compile("let x = 1\nprint(x + 2)");
  // Undo sema on the `+`: IR generation must refuse, not crash.
  auto *print = static_cast<ExprStmt *>(program->main->body->body[1].get());
  auto *call = static_cast<CallExpr *>(print->expr.get());
  call->args[0]->type = Type::Unknown;
  llvm::LLVMContext context;
  auto module = generateProgram(*program, context);
  ASSERT_FALSE(bool(module));
  std::string text = errorText(module.takeError());
  EXPECT_NE(text.find("test.relay:2:"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot generate IR"), std::string::npos) << text;
}

} // namespace
} // namespace kiln::relay
