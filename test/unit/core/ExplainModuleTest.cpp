// ExplainModuleTest: the pass capture records each changing pass run with
// the module after it, and explainIRFile fills every part of the page's
// data (or refuses bad input with a diagnostic).
#include "kiln/core/ExplainModule.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <gtest/gtest.h>

using namespace kiln;

namespace {

// `a + 0` and a dead load: passes at -O2 have something to change.
const char *Redundant = R"(
define i32 @twice(i32 %a, ptr %p) {
entry:
  %dead = load i32, ptr %p
  %z = add i32 %a, 0
  %r = mul i32 %z, 2
  ret i32 %r
}
)";

TEST(ExplainModule, CapturesEachChangingPass) {
  auto e = core::explainIRFile("twice.ll", Redundant, OptLevel::O2);
  ASSERT_TRUE(e) << render(e.diagnostics());
  EXPECT_NE(e->irGenerated.find("%z = add i32 %a, 0"), std::string::npos);
  ASSERT_FALSE(e->passes.changed.empty());
  EXPECT_GT(e->passes.runs, e->passes.changed.size());
  std::string previous = e->irGenerated;
  for (const core::PassStep &step : e->passes.changed) {
    EXPECT_FALSE(step.pass.empty());
    EXPECT_GE(step.ms, 0);
    EXPECT_NE(step.ir, previous) << step.pass << " changed nothing";
    previous = step.ir;
  }
  // The optimised module lost the add and the dead load.
  EXPECT_EQ(e->irOptimized, previous);
  EXPECT_EQ(previous.find("add i32"), std::string::npos);
  EXPECT_EQ(previous.find("load"), std::string::npos);
  EXPECT_NE(e->assembly.find("twice:"), std::string::npos);
  EXPECT_EQ(e->language, "ll");
  EXPECT_TRUE(e->tokens.empty() && e->ast.empty());
}

TEST(ExplainModule, PhasesAndNotes) {
  auto e = core::explainIRFile("twice.ll", Redundant, OptLevel::O1);
  ASSERT_TRUE(e);
  std::vector<std::string> names;
  for (auto &[phase, ms] : e->phases)
    names.push_back(phase);
  EXPECT_EQ(names, (std::vector<std::string>{"parse", "optimize", "codegen"}));
  ASSERT_EQ(e->notes.size(), 1u); // no !dbg in this IR
  EXPECT_NE(e->notes[0].find("no debug locations"), std::string::npos);
}

TEST(ExplainModule, O0CapturesWithoutChanges) {
  auto e = core::explainIRFile("twice.ll", Redundant, OptLevel::O0);
  ASSERT_TRUE(e);
  EXPECT_GT(e->passes.runs, 0u);
  EXPECT_NE(e->assembly.find("twice:"), std::string::npos);
}

TEST(ExplainModule, CaptureStopsKeepingIRAtItsLimit) {
  llvm::LLVMContext context;
  auto module = core::parseIR(Redundant, "twice.ll", context);
  ASSERT_TRUE(bool(module));
  auto tm = core::createTargetMachine(core::hostTarget(), OptLevel::O2);
  ASSERT_TRUE(bool(tm));
  core::PassCapture capture;
  capture.limitBytes = 1; // the first change already passes it
  core::PipelineOptions options;
  options.capture = &capture;
  ASSERT_FALSE(bool(core::optimizeModule(**module, **tm, options)));
  EXPECT_TRUE(capture.truncated);
  ASSERT_GE(capture.changed.size(), 1u);
  for (const core::PassStep &step : capture.changed)
    EXPECT_TRUE(step.ir.empty()) << step.pass;
}

TEST(ExplainModule, RefusesBadInput) {
  auto syntax = core::explainIRFile("bad.ll", "define i32 @f( {", OptLevel::O2);
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.diagnostics()[0].file, "bad.ll");
  auto bitcode = core::explainIRFile("x.ll", "BC\xC0\xDE", OptLevel::O2);
  ASSERT_FALSE(bitcode);
  EXPECT_NE(bitcode.diagnostics()[0].message.find("bitcode"),
            std::string::npos);
}

} // namespace
