// Isolate: running JIT code in a separate executor process.
//
// An engine created with JitOptions::isolate.enabled compiles and links in
// the host as usual, but the code lives and runs in `kiln-executor`, a small
// program Kiln ships next to `kiln`: when the code crashes, traps, runs out
// of memory or past a limit, the executor dies and the host reports it as an
// error and goes on. See docs/RELIABILITY.md for what this does and does not
// contain (files the code writes, processes it starts).
#pragma once

#include <cstdint>
#include <string>

namespace kiln::core {

/// Limits on an isolated engine's executor process; 0 means none.
struct IsolateLimits {
  /// Address space of the executor (RLIMIT_AS), code, data and stacks
  /// together. Values under 64 MiB are refused (the executor needs ~30).
  uint64_t memoryBytes = 0;
  /// CPU time of the executor (RLIMIT_CPU), whole seconds, rounded up.
  double cpuSeconds = 0;
  /// Wall-clock time of one call into the executor (runMain, callInt,
  /// callVoid): past it the executor is killed and the call fails.
  double wallSeconds = 0;
};

struct IsolateOptions {
  bool enabled = false;
  IsolateLimits limits;
  /// The executor program; empty: defaultExecutorPath().
  std::string executorPath;
};

/// $KILN_EXECUTOR if set, else `kiln-executor` next to the running program,
/// else the one in Kiln's build tree; empty when none exists.
std::string defaultExecutorPath();

/// "SIGSEGV" for 11: the name of a signal number, or "signal N".
std::string signalName(int signal);

} // namespace kiln::core
