// Chapter 4 solutions: IR statistics, and constants folded by the builder.
//
// Usage: ember-ch04-solutions stats FILE | fold.
//   stats: exercise 1, blocks and instructions of each generated function;
//   fold:  exercise 2, shows that IRBuilder folds `2 * 3 + 1` to 7 itself.
#include "IRGen.h"
#include "Parser.h"
#include "Source.h"

#include "kiln/core/Diagnostic.h"

#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <string>

namespace {

// [tutorial:ex-ir-stats]
void printStats(const llvm::Module &module) {
  for (const llvm::Function &f : module) {
    if (f.isDeclaration())
      continue; // an extern: no body
    size_t instructions = 0;
    for (const llvm::BasicBlock &block : f)
      instructions += block.size();
    std::printf("%-8s %zu blocks, %zu instructions\n", f.getName().data(),
                f.size(), instructions);
  }
}
// [/tutorial]

bool generate(const ember::Program &program, llvm::Module &module) {
  if (llvm::Error err = ember::generateIR(program, module)) {
    std::fprintf(stderr, "%s\n",
                 kiln::core::renderError(std::move(err)).c_str());
    return false;
  }
  return true;
}

// [tutorial:ex-fold]
int showFolding() {
  auto program = ember::parseProgram("def seven() { return 2 * 3 + 1; }");
  llvm::LLVMContext context;
  llvm::Module module("fold", context);
  if (!program || !generate(*program, module))
    return 1;
  llvm::Function *seven = module.getFunction("seven");
  seven->print(llvm::outs());
  auto *ret =
      llvm::cast<llvm::ReturnInst>(seven->getEntryBlock().getTerminator());
  bool folded = llvm::isa<llvm::Constant>(ret->getReturnValue());
  llvm::outs() << "returns a constant: " << (folded ? "yes" : "no") << "\n";
  return folded ? 0 : 1;
}
// [/tutorial]

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc >= 2 ? argv[1] : "";
  if (mode == "fold" && argc == 2)
    return showFolding();
  if (mode != "stats" || argc != 3) {
    std::fprintf(stderr, "usage: %s stats FILE.ember | fold\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[2]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  llvm::LLVMContext context;
  llvm::Module module("ember", context);
  if (!generate(*program, module))
    return 1;
  printStats(module);
  return 0;
}
