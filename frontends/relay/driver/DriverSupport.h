// DriverSupport: pieces shared by the Relay driver, router and REPL: the
// front end with located diagnostics, runtime errors as diagnostics, limit
// checks, the large-stack thread programs run on, guards and print output.
#pragma once

#include "relay/interp/Interpreter.h"
#include "relay/syntax/AST.h"

#include "kiln/relay/Options.h"
#include "kiln/runtime/Abi.h"
#include "kiln/support/Expected.h"

#include <functional>
#include <memory>
#include <string>

namespace kiln::relay {

/// Lex + parse + analyse: the analysed program, or every diagnostic with
/// file and source line attached (syntax errors ErrorKind::Parse, the
/// analyser's ErrorKind::Type; type errors only when the program parsed).
Expected<std::unique_ptr<Program>> analyzeSource(const std::string &file,
                                                 const std::string &source);

/// analyzeSource under the "parse" phase, then checkLimits. What run,
/// runIsolated, build and CompiledProgram::compile start with.
Expected<std::unique_ptr<Program>>
analyzeWithLimits(const std::string &file, const std::string &source,
                  int maxDepth, double timeoutSeconds,
                  core::PhaseTimings *timings);

/// A runtime error of the program in `file`: ErrorKind::Timeout for the
/// time limit, else Runtime; located in `file` when the error has a line,
/// else with no file (rendered `runtime error: message`).
Diagnostic runtimeDiagnostic(const std::string &file, const RuntimeError &e);
/// The same for a trap of compiled code (its own file when it names one).
Diagnostic trapDiagnostic(const std::string &file,
                          const kiln_rt_trap_info &info);

/// Writes --emit=tokens or --emit=ast output (atomically) to `output`, or to
/// stdout when output is "-".
Status writeSyntaxDump(const std::string &file, const std::string &source,
                       const std::string &output, bool ast);

/// Success when a run may use these limits; otherwise why not (a negative
/// or nan time limit, or a depth limit whose stack, see
/// kiln_rt_depth_message, cannot be reserved here). maxDepth <= 0: default.
Status checkLimits(int maxDepth, double timeoutSeconds);

/// Runs `fn` on a thread whose stack (at least 1 GiB, reserved, not
/// committed) holds `maxDepth` calls, so deep recursion hits the depth limit
/// before the native stack ends: the process's kept runner (StackRunner.h),
/// so a call costs a hand-over rather than a thread. Fails (and fn has not run) when no such
/// thread can be created.
Status runOnLargeStack(int maxDepth, const std::function<void()> &fn);

/// fn() under kiln_rt_call_guarded: true, or false after a trap in it,
/// described by `info`.
bool callGuarded(const std::function<void()> &fn, kiln_rt_trap_info &info);

/// Sets the depth limit and starts the timeout watchdog for one run; undoes
/// both when destroyed.
class GuardScope {
public:
  GuardScope(int maxDepth, double timeoutSeconds);
  ~GuardScope();
};

/// Sends this thread's print output to `sink` while alive (stdout when the
/// sink is empty), then restores the previous output. An exception from the
/// sink is caught, ends the output and is reported by failure().
class OutputScope {
public:
  explicit OutputScope(const PrintSink &sink);
  ~OutputScope();
  OutputScope(const OutputScope &) = delete;
  OutputScope &operator=(const OutputScope &) = delete;
  /// Success, or "the print sink threw: …".
  Status failure() const;

private:
  static void write(void *self, const char *data, size_t size);
  const PrintSink &Sink;
  kiln_rt_output_fn SavedOutput;
  void *SavedContext = nullptr;
  std::string Error;
};

} // namespace kiln::relay
