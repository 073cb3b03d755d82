// Router: run a program in the interpreter and move hot functions to the
// JIT — a miniature of the tier-up that JavaScript engines, the JVM and
// Kiln's Relay router do.
//
// The interpreter starts at once; the JIT makes code fast but costs a
// compilation. The router gets both: every function starts interpreted,
// and a function called often enough is compiled, after which calls to it
// run native code. The decision is made at calls (chapter 8's call hook),
// so a long loop inside one call stays interpreted: moving a running frame
// into compiled code is on-stack replacement, which this mini router omits.
#pragma once

#include "Engine.h"
#include "Interpreter.h"

#include <map>
#include <memory>
#include <string>

namespace ember {

// [tutorial:router-class]
class Router {
public:
  struct Options {
    unsigned threshold = 3; // interpreted calls before a function compiles
    bool trace = false;     // print a line when a function tiers up
    kiln::core::JitOptions jit;
  };
  struct FunctionStats {
    uint64_t interpreted = 0; // calls the interpreter ran
    uint64_t compiled = 0;    // calls it handed to native code
    void *native = nullptr;   // set once the function has tiered up
  };

  /// `program` (checked) must outlive the router.
  Router(const Program &program, Options options);
  kiln::Expected<double> call(const std::string &name,
                              const std::vector<double> &args);
  const std::map<std::string, FunctionStats> &stats() const { return Stats; }
  uint64_t interpretedSteps() const { return Interp.steps(); }

private:
  bool onCall(const Function &fn, const std::vector<double> &args,
              double &result);
  void *compile(const Function &fn);

  const Program &P;
  Options Opts;
  Interpreter Interp;
  std::unique_ptr<Engine> Compiled; // created at the first tier-up
  bool CompileFailed = false;
  std::map<std::string, FunctionStats> Stats;
};
// [/tutorial]

} // namespace ember
