// Chapter 3 driver: parses and checks an Ember file, reporting every error.
//
// Usage: ember-ch03 FILE. Prints "FILE: N functions, no errors" or the
// diagnostics with their source lines and carets (exit status 1).
#include "Source.h"

#include <cstdio>

// [tutorial:ch03-main]
int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.ember\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::SourceFile> file = ember::readSource(argv[1]);
  if (!file) {
    ember::printDiagnostics(file.diagnostics());
    return 1;
  }
  kiln::Expected<ember::Program> program = ember::frontEnd(*file);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  std::printf("%s: %zu functions, no errors\n", argv[1],
              program->functions.size());
  return 0;
}
// [/tutorial]
