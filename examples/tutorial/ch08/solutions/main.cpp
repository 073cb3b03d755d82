// Chapter 8 solutions: interpreter against JIT on speed, and on random
// programs.
//
// Usage: ember-ch08-solutions speed FILE [--times] | random COUNT.
//   speed:  exercise 1, fib(27) in both engines, same result, and with
//           --times how long each took;
//   random: exercise 2, COUNT generated programs through the differential
//           test (a tiny fuzzer; the seed is fixed, so runs repeat).
#include "Differential.h"
#include "Engine.h"
#include "Interpreter.h"
#include "Source.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

int compareSpeed(const ember::Program &program, bool showTimes) {
  auto start = std::chrono::steady_clock::now();
  ember::Interpreter interpreter(program);
  kiln::Expected<double> slow = interpreter.call("fib", {27});
  double interpretedSeconds = secondsSince(start);
  start = std::chrono::steady_clock::now();
  auto engine = ember::Engine::create(program);
  kiln::Expected<void *> fib =
      engine ? (*engine)->address("fib") : engine.takeDiagnostics();
  if (!slow || !fib)
    return 1;
  double fast = reinterpret_cast<double (*)(double)>(*fib)(27);
  double compiledSeconds = secondsSince(start); // compiling included
  std::printf("fib(27) = %g interpreted, %g compiled\n", *slow, fast);
  // Times vary from run to run (and machine to machine), so they are
  // printed only on request: the test pins the rest.
  if (showTimes)
    std::printf("interpreter %.3f s, JIT (compile included) %.3f s\n",
                interpretedSeconds, compiledSeconds);
  return *slow == fast ? 0 : 1;
}

// [tutorial:ex-random-expr]
/// A random expression over the variables `vars`, at most `depth` deep.
std::string randomExpr(std::mt19937 &rng, const std::vector<std::string> &vars,
                       unsigned depth) {
  static const char *const ops[] = {"+",  "-", "*",  "/",  "<",
                                    "<=", ">", ">=", "==", "!="};
  static const char *const constants[] = {"0", "1", "2", "0.5"};
  unsigned pick = rng() % (depth == 0 ? 2 : 4);
  if (pick == 0)
    return vars[rng() % vars.size()];
  if (pick == 1)
    return constants[rng() % 4];
  if (pick == 2)
    return "-" + randomExpr(rng, vars, depth - 1);
  return "(" + randomExpr(rng, vars, depth - 1) + " " + ops[rng() % 10] + " " +
         randomExpr(rng, vars, depth - 1) + ")";
}
// [/tutorial]

std::string randomProgram(std::mt19937 &rng) {
  std::vector<std::string> vars = {"a", "b"};
  std::string text = "def f(a, b) {\n  var c = " + randomExpr(rng, vars, 3);
  vars.push_back("c");
  text += ";\n  if " + randomExpr(rng, vars, 2) +
          " {\n    c = " + randomExpr(rng, vars, 3) + ";\n  }\n";
  return text + "  return " + randomExpr(rng, vars, 3) + ";\n}\n";
}

int fuzz(unsigned count) {
  std::mt19937 rng(17); // fixed: the same programs every run
  unsigned inputs = 0, disagreements = 0;
  for (unsigned i = 0; i < count; ++i) {
    ember::SourceFile file{"random.ember", randomProgram(rng)};
    kiln::Expected<ember::Program> program = ember::frontEnd(file);
    auto results = program ? ember::differential(*program, kiln::OptLevel::O2)
                           : program.takeDiagnostics();
    if (!results) {
      ember::printDiagnostics(results.diagnostics());
      return 1;
    }
    for (const ember::DiffResult &r : *results) {
      inputs += r.inputs;
      if (!r.mismatch.empty() && ++disagreements == 1)
        std::printf("%s%s\n", file.text.c_str(), r.mismatch.c_str());
    }
  }
  std::printf("%u random programs, %u inputs, %u disagreements\n", count,
              inputs, disagreements);
  return disagreements == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc >= 3 ? argv[1] : "";
  bool times = argc == 4 && std::string(argv[3]) == "--times";
  std::optional<unsigned> count =
      mode == "random" && argc == 3 ? ember::parseCount(argv[2]) : std::nullopt;
  if (count)
    return fuzz(*count);
  if (mode != "speed" || (argc != 3 && !times)) {
    std::fprintf(stderr, "usage: %s speed FILE [--times] | random COUNT\n",
                 argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[2]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  return compareSpeed(*program, times);
}
