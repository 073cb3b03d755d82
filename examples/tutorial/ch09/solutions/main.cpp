// Chapter 9 solutions: a threshold sweep, and compiling in the background.
//
// Usage: ember-ch09-solutions sweep FILE | background FILE.
//   sweep:      exercise 1, calls per tier and interpreter steps for
//               thresholds from 1 to 100000;
//   background: exercise 2, the same result with a background compilation.
#include "Background.h"
#include "Host.h"
#include "Router.h"
#include "Source.h"

#include <cstdio>
#include <string>

namespace {

// [tutorial:ex-sweep]
int sweep(const ember::Program &program) {
  for (unsigned threshold : {1u, 10u, 100u, 1000u, 100000u}) {
    ember::Router::Options options;
    options.threshold = threshold;
    ember::Router router(program, options);
    ember::OutputCapture quiet; // the program's own prints are not the point
    if (!router.call("main", {}))
      return 1;
    uint64_t interpreted = 0, compiled = 0;
    for (const auto &[name, s] : router.stats()) {
      interpreted += s.interpreted;
      compiled += s.compiled;
    }
    std::printf("threshold %6u: %6llu interpreted calls, %3llu compiled, "
                "%8llu interpreter steps\n",
                threshold, (unsigned long long)interpreted,
                (unsigned long long)compiled,
                (unsigned long long)router.interpretedSteps());
  }
  return 0;
}
// [/tutorial]

int background(const ember::Program &program) {
  ember::BackgroundRouter router(program, 3);
  kiln::Expected<double> result = router.call("main", {});
  if (!result) {
    ember::printDiagnostics(result.diagnostics());
    return 1;
  }
  std::printf("main() returned %g; compiled in the background: %s\n", *result,
              router.compiledInBackground() ? "yes" : "no");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "sweep" && mode != "background") {
    std::fprintf(stderr, "usage: %s sweep|background FILE.ember\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[2]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  return mode == "sweep" ? sweep(*program) : background(*program);
}
