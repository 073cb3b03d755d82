// Chapter 9 driver: runs main() through the tier-up router.
//
// Usage: ember-ch09 [--threshold=N] FILE. Traces each tier-up, then prints
// main's result and, per function, the calls each tier ran.
#include "Router.h"
#include "Source.h"

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

// [tutorial:ch09-main]
int main(int argc, char **argv) {
  ember::Router::Options options;
  options.trace = true;
  std::string_view flag = argc == 3 ? argv[1] : "";
  std::optional<unsigned> threshold = flag.starts_with("--threshold=")
                                          ? ember::parseCount(flag.substr(12))
                                          : std::nullopt;
  if (threshold)
    options.threshold = *threshold;
  else if (argc != 2) {
    std::fprintf(stderr, "usage: %s [--threshold=N] FILE.ember\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[argc - 1]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  ember::Router router(*program, options);
  kiln::Expected<double> result = router.call("main", {});
  if (!result) {
    ember::printDiagnostics(result.diagnostics());
    return 1;
  }
  std::printf("main() returned %g\n", *result);
  for (const auto &[name, s] : router.stats())
    std::printf("%-8s %6llu interpreted, %3llu compiled calls\n", name.c_str(),
                (unsigned long long)s.interpreted,
                (unsigned long long)s.compiled);
  return 0;
}
// [/tutorial]
