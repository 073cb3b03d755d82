// Chapter 5 driver: compiles an Ember file with the JIT and runs main().
//
// Usage: ember-ch05 [-O0|-O1|-O2|-O3] FILE. Prints what the program prints,
// then main's return value.
#include "Engine.h"
#include "Source.h"

#include <cstdio>
#include <string>

// [tutorial:ch05-main]
int main(int argc, char **argv) {
  kiln::core::JitOptions options; // O2 unless told otherwise
  if (argc == 3 && kiln::parseOptLevel(argv[1]))
    options.level = *kiln::parseOptLevel(argv[1]);
  else if (argc != 2) {
    std::fprintf(stderr, "usage: %s [-O0..-O3] FILE.ember\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[argc - 1]);
  kiln::Expected<double> result =
      program ? ember::runMain(*program, options) : program.takeDiagnostics();
  if (!result) {
    ember::printDiagnostics(result.diagnostics());
    return 1;
  }
  std::printf("main() returned %g\n", *result);
  return 0;
}
// [/tutorial]
