// Chapter 6 solutions: the levels compared, and where a pattern dies.
//
// Usage: ember-ch06-solutions levels FILE | gone FILE FUNCTION TEXT.
//   levels: exercise 1, per level, how many passes changed the module and
//           how many instructions are left;
//   gone:   exercise 2, the first pass after which FUNCTION's IR no longer
//           contains TEXT (for example "uitofp").
#include "IRGen.h"
#include "Optimiser.h"
#include "Source.h"

#include "kiln/core/Diagnostic.h"

#include "llvm/IR/Module.h"

#include <cstdio>
#include <string>

namespace {

size_t instructionCount(const llvm::Module &module) {
  size_t count = 0;
  for (const llvm::Function &f : module)
    for (const llvm::BasicBlock &block : f)
      count += block.size();
  return count;
}

/// Generates `program` afresh and optimises it at `level`.
kiln::Expected<ember::OptimiseLog> optimised(const ember::Program &program,
                                             kiln::OptLevel level,
                                             size_t *instructions) {
  llvm::LLVMContext context;
  llvm::Module module("ember", context);
  if (llvm::Error err = ember::generateIR(program, module))
    return kiln::core::toDiagnostics(std::move(err));
  auto log = ember::optimiseWithLog(module, level);
  if (instructions)
    *instructions = instructionCount(module);
  return log;
}

// [tutorial:ex-levels]
int compareLevels(const ember::Program &program) {
  for (kiln::OptLevel level : {kiln::OptLevel::O0, kiln::OptLevel::O1,
                               kiln::OptLevel::O2, kiln::OptLevel::O3}) {
    size_t instructions = 0;
    auto log = optimised(program, level, &instructions);
    if (!log)
      return 1;
    std::printf("%s: %2zu passes changed the IR, %3zu instructions left\n",
                kiln::optLevelName(level), log->changes.size(), instructions);
  }
  return 0;
}
// [/tutorial]

// [tutorial:ex-gone]
int whereGone(const ember::Program &program, const std::string &name,
              const std::string &text) {
  auto log = optimised(program, kiln::OptLevel::O2, nullptr);
  if (!log)
    return 1;
  for (const ember::PassChange &change : log->changes) {
    std::string ir = ember::functionText(change.ir, name);
    if (!ir.empty() && ir.find(text) == std::string::npos) {
      std::printf("'%s' left @%s in %s\n", text.c_str(), name.c_str(),
                  change.pass.c_str());
      return 0;
    }
  }
  std::printf("'%s' is still in @%s\n", text.c_str(), name.c_str());
  return 1;
}
// [/tutorial]

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc >= 3 ? argv[1] : "";
  if (!(mode == "levels" && argc == 3) && !(mode == "gone" && argc == 5)) {
    std::fprintf(stderr, "usage: %s levels FILE | gone FILE FUNCTION TEXT\n",
                 argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[2]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  if (mode == "levels")
    return compareLevels(*program);
  return whereGone(*program, argv[3], argv[4]);
}
