// Chapter 6 driver: what the optimiser did to one function, pass by pass.
//
// Usage: ember-ch06 [-O1|-O2|-O3] FILE FUNCTION. Prints the start of the
// pipeline, lists every pass that changed FUNCTION, and shows FUNCTION after
// the first one (SROA, which builds SSA form from the stack slots of chapter
// 4) and as the optimiser left it.
#include "IRGen.h"
#include "Optimiser.h"
#include "Source.h"

#include "kiln/core/Diagnostic.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <string>

namespace {

/// The first `count` top-level entries of a textual pipeline.
std::string pipelineStart(const std::string &pipeline, unsigned count) {
  int depth = 0;
  for (size_t i = 0; i < pipeline.size(); ++i) {
    char c = pipeline[i];
    depth += (c == '(' || c == '<') - (c == ')' || c == '>');
    if (c == ',' && depth == 0 && --count == 0)
      return pipeline.substr(0, i) + ",...";
  }
  return pipeline;
}

// [tutorial:print-log]
void printLog(const ember::OptimiseLog &log, const std::string &name,
              const std::string &generated) {
  std::string first, last = generated;
  unsigned step = 0;
  for (const ember::PassChange &change : log.changes) {
    std::string text = ember::functionText(change.ir, name);
    if (text.empty() || text == last)
      continue; // another function changed, or this one did not
    std::printf("%2u. %s\n", ++step, change.pass.c_str());
    if (first.empty())
      first = "after " + change.pass + ":\n" + text;
    last = text;
  }
  std::printf("\n%s\nfinal:\n%s", first.c_str(), last.c_str());
}
// [/tutorial]

} // namespace

int main(int argc, char **argv) {
  kiln::OptLevel level = kiln::OptLevel::O2;
  if (argc == 4 && kiln::parseOptLevel(argv[1]))
    level = *kiln::parseOptLevel(argv[1]);
  else if (argc != 3) {
    std::fprintf(stderr, "usage: %s [-O1..-O3] FILE.ember FUNCTION\n", argv[0]);
    return 2;
  }
  std::string name = argv[argc - 1];
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[argc - 2]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  llvm::LLVMContext context;
  llvm::Module module("ember", context);
  if (llvm::Error err = ember::generateIR(*program, module)) {
    std::fprintf(stderr, "%s\n",
                 kiln::core::renderError(std::move(err)).c_str());
    return 1;
  }
  if (llvm::Function *fn = module.getFunction(name);
      !fn || fn->isDeclaration()) {
    std::fprintf(stderr, "error: no function '%s' defined in %s\n",
                 name.c_str(), argv[argc - 2]);
    return 1;
  }
  std::string generated; // the function before any pass ran
  llvm::raw_string_ostream(generated) << module;
  generated = ember::functionText(generated, name);
  auto log = ember::optimiseWithLog(module, level);
  if (!log) {
    ember::printDiagnostics(log.diagnostics());
    return 1;
  }
  std::printf("pipeline: %s\n", pipelineStart(log->pipeline, 4).c_str());
  printLog(*log, name, generated);
  return 0;
}
