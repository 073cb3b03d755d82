// Chapter 8 driver: interpret a program, or test interpreter against JIT.
//
// Usage: ember-ch08 run FILE    interprets main(), like ember-ch05 runs it
//        ember-ch08 diff FILE   the differential test at O0 and O2
#include "Differential.h"
#include "Interpreter.h"
#include "Source.h"

#include <cstdio>
#include <string>

namespace {

// [tutorial:diff-main]
int runDifferential(const ember::Program &program) {
  bool allAgree = true;
  for (kiln::OptLevel level : {kiln::OptLevel::O0, kiln::OptLevel::O2}) {
    auto results = ember::differential(program, level);
    if (!results) {
      ember::printDiagnostics(results.diagnostics());
      return 1;
    }
    for (const ember::DiffResult &r : *results) {
      std::printf("%s %-10s %4u inputs, %u skipped: %s\n",
                  kiln::optLevelName(level), r.function.c_str(), r.inputs,
                  r.skipped, r.mismatch.empty() ? "agree" : "DISAGREE");
      if (!r.mismatch.empty())
        std::printf("  first difference: %s\n", r.mismatch.c_str());
      allAgree = allAgree && r.mismatch.empty();
    }
  }
  return allAgree ? 0 : 1;
}
// [/tutorial]

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "run" && mode != "diff") {
    std::fprintf(stderr, "usage: %s run|diff FILE.ember\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::SourceFile> file = ember::readSource(argv[2]);
  kiln::Expected<ember::Program> program =
      file ? ember::frontEnd(*file) : file.takeDiagnostics();
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  if (mode == "diff")
    return runDifferential(*program);
  ember::Interpreter interpreter(*program);
  kiln::Expected<double> result = interpreter.call("main", {});
  if (!result) { // a runtime error: show where, with the source line
    kiln::Diagnostics diags = result.takeDiagnostics();
    kiln::attachSource(diags, file->path, file->text);
    ember::printDiagnostics(diags);
    return 1;
  }
  std::printf("main() returned %g (%llu interpreter steps)\n", *result,
              (unsigned long long)interpreter.steps());
  return 0;
}
