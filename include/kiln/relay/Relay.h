// Relay: run or build a Relay program (docs/relay.md).
//
// The entry points the `kiln` tool and embedders use. No LLVM types here:
// the front end's internals (syntax, interpreter, IR generation, router)
// stay behind this header.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace kiln::core {
class PhaseTimings;
}

namespace kiln::relay {

enum class Mode { Interp, Jit, Auto };

struct RunOptions {
  Mode mode = Mode::Auto;
  int optLevel = 2;           ///< 0-3, for compiled code
  double timeoutSeconds = 0;  ///< 0: no limit
  int maxDepth = 10000;       ///< calls active at once before "stack overflow"
  bool cache = true;          ///< use the on-disk compile cache
  /// Depth and timeout checks in compiled code. Off only to measure what
  /// they cost: without them deep recursion can crash and --timeout cannot
  /// stop compiled loops.
  bool guards = true;
  /// Router (auto mode): a function is compiled after this many interpreted
  /// calls, or once its loops have run this many iterations x 100.
  uint64_t hotCalls = 100;
  /// Router: on-stack replacement. A running call (or the top-level code)
  /// whose loops have run this many iterations is continued in compiled
  /// code from the loop it is in, once that code is ready (0: never).
  uint64_t osrThreshold = 1000;
  /// Router: nothing is compiled (hot or @llvm functions, OSR code) before
  /// the program has run this long, so a short program never waits for a
  /// compilation it cannot profit from. 0: compile at once.
  double tierUpDelayMs = 10;
  /// Router, for tests: the interpreter waits for OSR code instead of
  /// going on while it compiles, so OSR happens at the first loop header
  /// past osrThreshold (with tierUpDelayMs 0: deterministically).
  bool osrWait = false;
  core::PhaseTimings *timings = nullptr; ///< parse/optimize/codegen/run
};

struct RunStats {
  uint64_t compilations = 0;     ///< modules compiled (not from the cache)
  uint64_t cacheHits = 0;
  uint64_t functionsCompiled = 0; ///< router: functions moved to native code
  uint64_t nativeCalls = 0;       ///< router: calls that ran native code
  uint64_t interpretedCalls = 0;
  uint64_t osrCompiled = 0; ///< router: OSR continuations compiled
  uint64_t osrEntries = 0;  ///< router: running calls compiled code took over
};

/// Parses, checks and runs `source`. Program output goes to stdout;
/// diagnostics (compile errors with source line and caret, or one runtime
/// error line) go to `errors`. Returns the exit status: 0, or 1 after any
/// error. Never throws.
int run(const std::string &file, const std::string &source,
        const RunOptions &options, std::string &errors,
        RunStats *stats = nullptr);

/// Limits on runIsolated's executor process; 0 means none.
struct ExecutorLimits {
  uint64_t memoryBytes = 0; ///< address space (RLIMIT_AS), at least 64 MiB
  double cpuSeconds = 0;    ///< CPU time (RLIMIT_CPU)
};

/// Like `run` in jit mode, but the compiled program runs in a separate
/// kiln-executor process (docs/RELIABILITY.md, "Isolated execution"): the
/// program is compiled as `kiln build` compiles an executable and its
/// `main` runs there, so output, runtime errors, --max-depth and --timeout
/// behave as in an AOT executable, and a crash or a limit ends that process,
/// not the host: it comes back as one line in `errors` naming the signal.
/// Program output goes to the host's stdout and stderr (inherited).
int runIsolated(const std::string &file, const std::string &source,
                const RunOptions &options, const ExecutorLimits &limits,
                std::string &errors);

/// An interactive session: definitions and statements entered one at a
/// time. Functions are compiled when defined (and kept: redefining one
/// replaces it; unchanged ones come from the session's compile cache);
/// top-level variables persist between entries. Not thread-safe.
class Repl {
public:
  explicit Repl(const RunOptions &options = {});
  ~Repl();
  /// True while `text` has unclosed ( [ { — the entry continues.
  static bool incomplete(const std::string &text);
  /// Runs one entry. Output goes to stdout, diagnostics (located in the
  /// entry, named "<repl>") to `errors`. Returns 0, or 1 after an error; a
  /// failed entry changes nothing but variables it assigned before failing.
  int eval(const std::string &entry, std::string &errors);
  uint64_t functionsCompiled() const;
  uint64_t compilations() const; ///< modules compiled, not from the cache

private:
  struct Impl;
  Impl *P;
};

/// Runs `session` (for example a whole Repl session) on a thread whose stack
/// holds `maxDepth` nested Relay calls, as `run` does for a program; the
/// depth limit and `timeoutSeconds` are checked first. Returns "" after the
/// session ran, or an error line (and `session` did not run). The thread
/// lives as long as `session`, so values a Repl keeps between entries stay
/// valid.
std::string runWithStackFor(int maxDepth, double timeoutSeconds,
                            const std::function<void()> &session);

/// What `kiln build` writes.
enum class BuildKind { Executable, Object, Assembly, IR, Bitcode, Tokens, AST };

struct BuildOptions {
  BuildKind kind = BuildKind::Executable;
  int optLevel = 2;
  std::string target; ///< triple; empty = host
  double timeoutSeconds = 0;
  int maxDepth = 10000;
  bool guards = true; ///< see RunOptions::guards
  core::PhaseTimings *timings = nullptr;
};

/// Compiles `source` into `output` (no partial file on failure). Returns 0 or
/// 1 with diagnostics in `errors`.
int build(const std::string &file, const std::string &source,
          const std::string &output, const BuildOptions &options,
          std::string &errors);

} // namespace kiln::relay
