// Interpreter: runs a checked Ember program by walking its AST.
//
// The second way to run Ember, next to the JIT. It starts instantly (no
// compilation), is simple enough to be obviously right, and shares nothing
// with the JIT but the AST and the host functions — so where the two
// disagree, one of them has a bug. Like Kiln's own interpreters it needs no
// LLVM. Runaway programs end with a runtime error, not a hang or a crash:
// there is a step budget and a call depth limit.
#pragma once

#include "Ast.h"

#include "kiln/support/Expected.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember {

// [tutorial:interpreter-class]
class Interpreter {
public:
  /// Asked before each call of an Ember function: returning true, with
  /// `result` set, replaces interpreting the call (chapter 9 tiers up so).
  using CallHook = std::function<bool(
      const Function &fn, const std::vector<double> &args, double &result)>;

  /// `program` must have passed checkProgram and must outlive this object.
  explicit Interpreter(const Program &program, uint64_t stepLimit = 50'000'000);
  ~Interpreter();

  /// Calls Ember function `name`; a runtime error is a diagnostic.
  kiln::Expected<double> call(const std::string &name,
                              const std::vector<double> &args);

  void setCallHook(CallHook hook);
  /// Steps (statements and loop iterations) so far, over all calls.
  uint64_t steps() const;

private:
  struct Machine;
  std::unique_ptr<Machine> M;
};
// [/tutorial]

} // namespace ember
