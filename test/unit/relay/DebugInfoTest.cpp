// DebugInfoTest: the DWARF IRGenOptions::debugInfo adds to Relay modules
// (subprograms, lexical blocks, variables, the line table), checked in the
// IR; test/error/relay_debug_test.sh checks it in gdb.
#include "IRGenTestUtil.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Target/TargetMachine.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace kiln::relay {
namespace {

using core::OptLevel;

const char *const Source = R"(fn scale(a, k) {
    let s = 0
    for v in a {
        let w = v * k
        s = s + w
    }
    return s > 3
}
let xs = [1, 2]
let x = 1
if scale(xs, 2) {
    let x = 2
    print(x)
}
)";

std::unique_ptr<llvm::Module> withDebugInfo(const Program &program,
                                            llvm::LLVMContext &context) {
  IRGenOptions options;
  options.debugInfo = true;
  return test::generate(program, context, options);
}

/// Variables by "function:name" (a shadowed name "function:name@line"):
/// their line and scope kind, "function" or "block".
using Variables = std::map<std::string, std::pair<unsigned, std::string>>;

void note(Variables &out, const llvm::DILocalVariable &var) {
  bool block = llvm::isa<llvm::DILexicalBlock>(var.getScope());
  std::string key = var.getScope()->getSubprogram()->getName().str() + ":" +
                    var.getName().str();
  if (out.count(key))
    key += "@" + std::to_string(var.getLine());
  out[key] = {var.getLine(), block ? "block" : "function"};
}

/// Every variable is kept (AlwaysPreserve), so its subprogram retains it.
Variables variables(const llvm::Module &module) {
  Variables out;
  for (const llvm::Function &f : module)
    if (const llvm::DISubprogram *sp = f.getSubprogram())
      for (const llvm::DINode *node : sp->getRetainedNodes())
        if (const auto *var = llvm::dyn_cast<llvm::DILocalVariable>(node))
          note(out, *var);
  return out;
}

TEST(RelayDebugInfo, FunctionsGetSubprogramsAndTheModuleVerifies) {
  auto program = test::compile(Source);
  llvm::LLVMContext context;
  auto module = withDebugInfo(*program, context);
  ASSERT_TRUE(module);
  EXPECT_FALSE(llvm::verifyModule(*module, &llvm::errs()));
  llvm::DISubprogram *scale =
      module->getFunction("relay.scale")->getSubprogram();
  llvm::DISubprogram *main = module->getFunction("relay.main")->getSubprogram();
  ASSERT_TRUE(scale && main);
  EXPECT_EQ(scale->getName(), "scale");
  EXPECT_EQ(scale->getLine(), 1u);
  EXPECT_EQ(scale->getFile()->getFilename(), "test.relay");
  EXPECT_EQ(main->getName(), "relay.main");
  // Wrappers are not Relay code.
  EXPECT_FALSE(module->getFunction("relay.scale.entry")->getSubprogram());
}

TEST(RelayDebugInfo, VariablesHaveTheirScopesAndLines) {
  auto program = test::compile(Source);
  llvm::LLVMContext context;
  auto module = withDebugInfo(*program, context);
  ASSERT_TRUE(module);
  auto vars = variables(*module);
  using V = std::pair<unsigned, std::string>;
  EXPECT_EQ(vars["scale:a"], V(1, "function"));
  EXPECT_EQ(vars["scale:k"], V(1, "function"));
  EXPECT_EQ(vars["scale:s"], V(2, "function"));
  EXPECT_EQ(vars["scale:v"], V(3, "block"));
  EXPECT_EQ(vars["scale:w"], V(4, "block"));
  EXPECT_EQ(vars["relay.main:xs"], V(9, "function"));
  EXPECT_EQ(vars["relay.main:x"], V(10, "function"));
  EXPECT_EQ(vars["relay.main:x@12"], V(12, "block"));
  EXPECT_EQ(vars.size(), 8u);
}

TEST(RelayDebugInfo, EveryStatementLineIsInTheLineTable) {
  auto program = test::compile(Source);
  llvm::LLVMContext context;
  auto module = withDebugInfo(*program, context);
  ASSERT_TRUE(module);
  std::set<unsigned> lines;
  for (const llvm::Function &f : *module)
    for (const llvm::Instruction &i : llvm::instructions(f))
      if (const llvm::DebugLoc &loc = i.getDebugLoc())
        lines.insert(loc.getLine());
  for (unsigned line : {2, 3, 4, 5, 7, 9, 10, 11, 12, 13})
    EXPECT_TRUE(lines.count(line)) << "line " << line;
  EXPECT_FALSE(lines.count(0u));
}

TEST(RelayDebugInfo, O2KeepsTheLineTableInAValidModule) {
  llvm::LLVMContext context;
  auto program = test::compile(Source);
  auto module = withDebugInfo(*program, context);
  ASSERT_TRUE(module);
  // The O2 path the JIT and `kiln build -O2 -g` take.
  auto tm = core::createTargetMachine(core::hostTarget(), OptLevel::O2);
  ASSERT_TRUE(bool(tm)) << test::errorText(tm.takeError());
  core::PipelineOptions pipeline;
  pipeline.level = OptLevel::O2;
  ASSERT_EQ(test::errorText(core::optimizeModule(*module, **tm, pipeline)), "");
  EXPECT_EQ(test::errorText(core::verifyModule(*module)), "");
  llvm::Function *scale = module->getFunction("relay.scale");
  ASSERT_TRUE(scale && scale->getSubprogram());
  bool located = false;
  for (const llvm::Instruction &i : llvm::instructions(*scale))
    located |= i.getDebugLoc() && i.getDebugLoc().getLine() == 5;
  EXPECT_TRUE(located) << "line 5 (s = s + w) left the line table";
}

TEST(RelayDebugInfo, OffByDefaultAndInRouterModulesOnRequest) {
  auto program = test::compile(Source);
  llvm::LLVMContext context;
  auto plain = test::generate(*program, context);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->getFunction("relay.scale")->getSubprogram());
  EXPECT_EQ(llvm::getDebugMetadataVersionFromModule(*plain), 0u);
  IRGenOptions options;
  options.debugInfo = true;
  auto single =
      generateFunction(*program, *program->functions[0], context, options);
  ASSERT_TRUE(bool(single)) << test::errorText(single.takeError());
  EXPECT_TRUE((*single)->getFunction("relay.scale.impl")->getSubprogram());
}

} // namespace
} // namespace kiln::relay
