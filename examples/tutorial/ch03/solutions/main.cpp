// Chapter 3 solutions: warnings for unused variables, "did you mean" notes.
//
// Usage: ember-ch03-solutions FILE. Runs the parser and checker of the
// chapter, adds suggestions to its errors (exercise 2), then warns about
// unused variables (exercise 1) when the program is otherwise correct.
#include "Check.h"
#include "Parser.h"
#include "Source.h"
#include "Suggest.h"
#include "Unused.h"

#include <cstdio>

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
  kiln::Expected<ember::Program> program = ember::parseProgram(file->text);
  if (!program) {
    kiln::Diagnostics diags = program.takeDiagnostics();
    kiln::attachSource(diags, file->path, file->text);
    ember::printDiagnostics(diags);
    return 1;
  }
  kiln::Diagnostics errors = ember::checkProgram(*program);
  ember::addSuggestions(*program, errors);
  kiln::Diagnostics all = errors.empty() ? ember::findUnused(*program) : errors;
  kiln::attachSource(all, file->path, file->text);
  if (!all.empty())
    ember::printDiagnostics(all);
  return errors.empty() ? 0 : 1;
}
