// CompiledProgram: a Relay program compiled once, then run or called by name.
//
// The embedding API (docs/relay.md, "Embedding Relay"): compile a source
// text with RunOptions (mode interp/jit/auto, opt level, guards, limits,
// print sink), then run its top-level code or call any of its functions
// with Values. The interpreter, the whole-program JIT and the tier-up router
// sit behind it; `kiln run` is built on it. Errors come back as
// kiln::Diagnostics (compile errors located with the source line; runtime
// errors with ErrorKind::Runtime or Timeout), never as text or a crash.
//
// Thread-safety: one call at a time per CompiledProgram (from any thread,
// one after another). Runs and calls of *different* programs must not
// overlap either (nor with relay::run or a Repl): the depth count and the
// timeout flag of the runtime (kiln_rt_depth, kiln_rt_interrupted) are
// process-wide. Each run or call executes on a thread whose stack holds
// maxDepth calls (one kept for the process and reused, so a call costs a
// hand-over, not a thread); the caller waits for it, and the print sink is
// called on that thread.
#pragma once

#include "kiln/relay/Options.h"
#include "kiln/relay/Value.h"
#include "kiln/support/Expected.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::relay {

/// A function a host can call: its parameter and result types.
struct FunctionInfo {
  std::string name;
  std::vector<ValueType> params;
  ValueType result = ValueType::Void;
};

class CompiledProgram {
public:
  /// Parses, checks and, in jit mode, compiles `source` (named `file` in
  /// diagnostics). Every syntax or type error comes back, located.
  static Expected<CompiledProgram> compile(std::string file, std::string source,
                                           const RunOptions &options = {});
  CompiledProgram(CompiledProgram &&) noexcept;
  CompiledProgram &operator=(CompiledProgram &&) noexcept;
  ~CompiledProgram();

  /// Runs the top-level statements (again on every call: top-level
  /// variables start afresh). `stats`, when given, receives the counts even
  /// after an error.
  Status run(RunStats *stats = nullptr);
  /// Calls the function `name` with `args`. An unknown name, a wrong
  /// argument count or type is an InvalidArgument error (located at the
  /// function, or its parameter); a runtime error comes back as one.
  Expected<Value> call(std::string_view name, const std::vector<Value> &args);
  /// The program's functions, in source order (not the top-level code).
  std::vector<FunctionInfo> functions() const;
  /// Replaces RunOptions::print for later runs and calls.
  void setPrintSink(PrintSink sink);

private:
  struct Impl;
  explicit CompiledProgram(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> P;
};

} // namespace kiln::relay
