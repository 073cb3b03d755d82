// Chapter 2 driver: parses an Ember file and prints its AST.
//
// Usage: ember-ch02 FILE. Syntax errors are printed as file:line:col with
// their message; chapter 3 adds the source line and a caret.
#include "AstDump.h"
#include "Parser.h"

#include "kiln/support/Files.h"

#include <cstdio>
#include <string>

// [tutorial:ch02-main]
int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.ember\n", argv[0]);
    return 2;
  }
  std::string source;
  if (auto error = kiln::support::readInputFile(argv[1], source)) {
    std::fprintf(stderr, "error: %s\n", error->c_str());
    return 1;
  }
  kiln::Expected<ember::Program> program = ember::parseProgram(source);
  if (!program) {
    for (const kiln::Diagnostic &d : program.diagnostics())
      std::fprintf(stderr, "%s:%u:%u: error: %s\n", argv[1], d.loc.line,
                   d.loc.col, d.message.c_str());
    return 1;
  }
  std::fputs(ember::dumpProgram(*program).c_str(), stdout);
  return 0;
}
// [/tutorial]
