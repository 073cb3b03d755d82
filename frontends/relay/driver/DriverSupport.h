// DriverSupport: pieces shared by the Relay driver and router: front end
// with rendered diagnostics, runtime-error rendering, guard set-up and the
// large-stack thread programs run on.
#pragma once

#include "relay/interp/Interpreter.h"
#include "relay/syntax/AST.h"
#include "kiln/runtime/Abi.h"

#include <functional>
#include <memory>
#include <string>

namespace kiln::core {
class PhaseTimings;
}

namespace kiln::relay {

/// Lex + parse + analyse. On errors returns null and renders every
/// diagnostic (`file:line:col: error: …`, source line, caret) into `errors`.
std::unique_ptr<Program> analyzeSource(const std::string &file,
                                       const std::string &source,
                                       std::string &errors);

/// analyzeSource under the "parse" phase, then checkLimits: the program, or
/// null with `errors` set. What `run`, `runIsolated` and `build` start with.
std::unique_ptr<Program> analyzeWithLimits(const std::string &file,
                                           const std::string &source,
                                           int maxDepth, double timeoutSeconds,
                                           core::PhaseTimings *timings,
                                           std::string &errors);

/// `file:line:col: runtime error: message` (without location when unknown).
std::string renderRuntimeError(const std::string &file, const RuntimeError &e);
std::string renderTrap(const std::string &file, const kiln_rt_trap_info &info);

/// Writes --emit=tokens or --emit=ast output (atomically) to `output`, or to
/// stdout when output is "-".
int writeSyntaxDump(const std::string &file, const std::string &source,
                    const std::string &output, bool ast, std::string &errors);

/// "" when a run may use these limits; otherwise the one-line error (a
/// negative or nan time limit, or a depth limit whose stack, see
/// kiln_rt_depth_message, cannot be reserved here). maxDepth <= 0: default.
std::string checkLimits(int maxDepth, double timeoutSeconds);

/// Runs `fn` on a thread whose stack (at least 1 GiB, reserved, not
/// committed) holds `maxDepth` calls, so deep recursion hits the depth limit
/// before the native stack ends. Returns "" or, when no such thread can be
/// created, the one-line error (and fn has not run).
std::string runOnLargeStack(int maxDepth, const std::function<void()> &fn);

/// Sets the depth limit and starts the timeout watchdog for one run; undoes
/// both when destroyed.
class GuardScope {
public:
  GuardScope(int maxDepth, double timeoutSeconds);
  ~GuardScope();
};

} // namespace kiln::relay
