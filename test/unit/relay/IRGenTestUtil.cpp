// IRGenTestUtil: the shared helpers of the Relay IR-generator tests.
#include "IRGenTestUtil.h"

#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/Target/TargetMachine.h"

#include <gtest/gtest.h>

namespace kiln::relay::test {

using core::OptLevel;

std::unique_ptr<Program> compile(const std::string &source) {
  DiagList diags;
  auto program = parseProgram("test.relay", source, diags);
  if (diags.empty())
    analyze(*program, diags);
  for (const Diag &d : diags)
    ADD_FAILURE() << d.loc.line << ":" << d.loc.col << ": " << d.message;
  return program;
}

std::string errorText(llvm::Error err) {
  return err ? core::renderError(std::move(err)) : "";
}

std::unique_ptr<llvm::Module> generate(const Program &program,
                                       llvm::LLVMContext &context,
                                       const IRGenOptions &options) {
  auto module = generateProgram(program, context, options);
  if (!module) {
    ADD_FAILURE() << errorText(module.takeError());
    return nullptr;
  }
  return std::move(*module);
}

namespace {

/// `module` optimised at O2 for the host; null on failure.
std::unique_ptr<llvm::Module> atO2(std::unique_ptr<llvm::Module> module) {
  auto tm = core::createTargetMachine(core::hostTarget(), OptLevel::O2);
  if (!module || !tm) {
    ADD_FAILURE() << (tm ? "no module" : errorText(tm.takeError()));
    return nullptr;
  }
  core::PipelineOptions options;
  options.level = OptLevel::O2;
  std::string error = errorText(core::optimizeModule(*module, **tm, options));
  EXPECT_EQ(error, "");
  return error.empty() ? std::move(module) : nullptr;
}

} // namespace

std::unique_ptr<llvm::Module> optimizedAtO2(const char *source,
                                            llvm::LLVMContext &context) {
  auto program = compile(source);
  return atO2(generate(*program, context));
}

std::unique_ptr<llvm::Module> functionAtO2(const char *source,
                                           const std::string &name,
                                           llvm::LLVMContext &context) {
  auto program = compile(source);
  for (const auto &fn : program->functions)
    if (fn->name == name) {
      auto module = generateFunction(*program, *fn, context);
      if (!module) {
        ADD_FAILURE() << errorText(module.takeError());
        return nullptr;
      }
      return atO2(std::move(*module));
    }
  ADD_FAILURE() << "no function " << name;
  return nullptr;
}

} // namespace kiln::relay::test
