// Chapter 4 driver: prints the LLVM IR of an Ember file, unoptimised.
//
// Usage: ember-ch04 FILE. The IR is exactly what IRGen built (verified), so
// you can read each statement's translation; chapter 6 optimises it.
#include "IRGen.h"
#include "Source.h"

#include "kiln/core/Diagnostic.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

// [tutorial:ch04-main]
int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.ember\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[1]);
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
  module.print(llvm::outs(), nullptr);
  return 0;
}
// [/tutorial]
