// Chapter 7 driver: Ember executables, and assembly for other machines.
//
// Usage: ember-ch07 build FILE OUTPUT       an executable for this machine
//        ember-ch07 asm TRIPLE FILE FUNCTION  FUNCTION's instructions, O2
// TRIPLE is any target Kiln was built with, e.g. aarch64-linux-gnu or
// riscv64-linux-gnu; `kiln targets` lists them.
#include "Aot.h"
#include "Source.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/support/Files.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace {

/// The definition (not an extern) of `name` in `program`, or null.
const ember::Function *findDefinition(const ember::Program &program,
                                      const std::string &name) {
  auto fn = std::find_if(
      program.functions.begin(), program.functions.end(),
      [&](const ember::Function &f) { return f.name == name && !f.isExtern; });
  return fn == program.functions.end() ? nullptr : &*fn;
}

// [tutorial:cross-asm]
int printAssembly(const ember::Program &program, const std::string &triple,
                  const std::string &name) {
  auto target = kiln::core::targetFromTriple(triple, "generic");
  if (!target) {
    ember::printDiagnostics(kiln::core::toDiagnostics(target.takeError()));
    return 1;
  }
  auto assembly = ember::compileAhead(program, *target, kiln::OptLevel::O2,
                                      kiln::core::EmitKind::Assembly);
  if (!assembly) {
    ember::printDiagnostics(assembly.diagnostics());
    return 1;
  }
  std::printf("%s for %s:\n%s", name.c_str(), target->triple.c_str(),
              ember::functionAssembly(*assembly, name).c_str());
  return 0;
}
// [/tutorial]

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc >= 4 ? argv[1] : "";
  if (!(mode == "build" && argc == 4) && !(mode == "asm" && argc == 5)) {
    std::fprintf(stderr, "usage: %s build FILE OUTPUT | asm TRIPLE FILE NAME\n",
                 argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program =
      ember::loadProgram(mode == "build" ? argv[2] : argv[3]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  std::string wanted = mode == "asm" ? argv[4] : "main";
  const ember::Function *fn = findDefinition(*program, wanted);
  if (!fn || (mode == "build" && !fn->params.empty())) {
    std::fprintf(stderr, "error: the program needs a 'def %s(%s)'\n",
                 wanted.c_str(), mode == "asm" ? "..." : "");
    return 1;
  }
  if (mode == "asm")
    return printAssembly(*program, argv[2], argv[4]);
  if (auto error = kiln::support::checkOutputNotInput(argv[3], {argv[2]})) {
    std::fprintf(stderr, "error: %s\n", error->c_str()); // not onto the source
    return 1;
  }
  kiln::Status built = ember::buildExecutable(*program, EMBER_HOST_C, argv[3]);
  if (!built) {
    ember::printDiagnostics(built.diagnostics());
    return 1;
  }
  std::printf("built %s\n", argv[3]);
  return 0;
}
