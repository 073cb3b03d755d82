// Differential: the argument grid, the two runs, and the comparison.
#include "Differential.h"
#include "Engine.h"
#include "Host.h"
#include "Interpreter.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace ember {

namespace {

/// Small, negative, zero, fractional and larger values: enough to take
/// both sides of most branches in small programs.
const std::vector<double> Samples = {-2, 0, 0.5, 1, 3, 10};

/// Every list of `arity` values from Samples, in a fixed order.
std::vector<std::vector<double>> argumentGrid(size_t arity) {
  std::vector<std::vector<double>> grid = {{}};
  for (size_t i = 0; i < arity; ++i) {
    std::vector<std::vector<double>> longer;
    for (const std::vector<double> &prefix : grid)
      for (double v : Samples) {
        longer.push_back(prefix);
        longer.back().push_back(v);
      }
    grid = std::move(longer);
  }
  return grid;
}

/// Same value, or both NaN: bit patterns of NaNs may differ legitimately.
bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

std::string describe(const Function &fn, const std::vector<double> &args,
                     double interpreted, double compiled) {
  std::string text = fn.name + "(";
  char buf[128];
  for (size_t i = 0; i < args.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.17g", i ? ", " : "", args[i]);
    text += buf;
  }
  std::snprintf(buf, sizeof buf, "): interpreter %.17g, JIT %.17g", interpreted,
                compiled);
  return text + buf;
}

// [tutorial:diff-one]
DiffResult compareFunction(const Program &program, const Function &fn,
                           void *compiled) {
  DiffResult result;
  result.function = fn.name;
  for (const std::vector<double> &args : argumentGrid(fn.params.size())) {
    Interpreter interpreter(program, 1'000'000); // fresh: no state carried
    OutputCapture interpretedOutput;
    kiln::Expected<double> interpreted = interpreter.call(fn.name, args);
    if (!interpreted) { // an endless loop or bad bound: not comparable
      ++result.skipped;
      continue;
    }
    double native = 0;
    OutputCapture compiledOutput;
    callNative(compiled, args, native);
    ++result.inputs;
    bool agree = same(*interpreted, native) &&
                 interpretedOutput.text() == compiledOutput.text();
    if (!agree && result.mismatch.empty())
      result.mismatch = describe(fn, args, *interpreted, native);
  }
  return result;
}
// [/tutorial]

} // namespace

kiln::Expected<std::vector<DiffResult>> differential(const Program &program,
                                                     kiln::OptLevel level) {
  kiln::core::JitOptions options;
  options.level = level;
  auto engine = Engine::create(program, options);
  if (!engine)
    return engine.takeDiagnostics();
  std::vector<DiffResult> results;
  for (const Function &fn : program.functions) {
    if (fn.isExtern || fn.params.size() > MaxCallArgs)
      continue;
    kiln::Expected<void *> address = (*engine)->address(fn.name);
    if (!address)
      return address.takeDiagnostics();
    results.push_back(compareFunction(program, fn, *address));
  }
  return results;
}

} // namespace ember
