// Chapter 5 solution to exercise 2: calling an Ember function from C++.
//
// Usage: ember-ch05-solutions FILE. Compiles FILE with the chapter's
// Engine, looks up `power` and calls it with arguments, as a host program
// embedding Ember would.
#include "Engine.h"
#include "Source.h"

#include <cstdio>

// [tutorial:ex-call-power]
int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.ember\n", argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[1]);
  auto engine = program ? ember::Engine::create(*program)
                        : kiln::Expected<std::unique_ptr<ember::Engine>>(
                              program.takeDiagnostics());
  kiln::Expected<void *> address =
      engine ? (*engine)->address("power") : engine.takeDiagnostics();
  if (!address) {
    ember::printDiagnostics(address.diagnostics());
    return 1;
  }
  auto *power = reinterpret_cast<double (*)(double, double)>(*address);
  for (double n = 0; n <= 10; n += 5)
    std::printf("power(2, %g) = %g\n", n, power(2, n));
  return 0;
}
// [/tutorial]
