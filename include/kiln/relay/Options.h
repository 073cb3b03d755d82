// Options: how a Relay program is run or built (docs/relay.md).
//
// Plain data shared by CompiledProgram, run, runIsolated, build and the
// REPL. LLVM-free.
#pragma once

#include "kiln/support/OptLevel.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::core {
class PhaseTimings;
}

namespace kiln::relay {

enum class Mode { Interp, Jit, Auto };

/// The mode `--mode` names: "interp", "jit" or "auto"; nullopt otherwise.
std::optional<Mode> parseMode(std::string_view name);

/// Receives a program's `print` output, piece by piece (a line may come in
/// several pieces; concatenated they are exactly what stdout would show).
/// Called on the thread that runs the program; must not throw. Empty: stdout.
using PrintSink = std::function<void(std::string_view)>;

struct RunOptions {
  Mode mode = Mode::Auto;
  OptLevel level = OptLevel::O2; ///< for compiled code
  double timeoutSeconds = 0;     ///< per run or call; 0: no limit
  int maxDepth = 10000; ///< calls active at once before "stack overflow"
  bool cache = true;    ///< use the on-disk compile cache
  /// Depth and timeout checks in compiled code. Off only to measure what
  /// they cost: without them deep recursion can crash and --timeout cannot
  /// stop compiled loops.
  bool guards = true;
  /// `-g`: DWARF for the compiled code, registered with GDB's JIT interface
  /// so gdb can break on Relay lines and print variables (docs/relay.md,
  /// "Debugging with gdb"). Mode::Jit, and Mode::Auto for the functions
  /// the router compiles (not its OSR continuations); the interpreter has
  /// no machine code. Output is unchanged.
  bool debugInfo = false;
  PrintSink print; ///< where `print` writes (empty: stdout)
  /// Router (auto mode): a function is compiled after this many interpreted
  /// calls, or once its loops have run this many iterations x 100.
  uint64_t hotCalls = 100;
  /// Router: on-stack replacement. A running call (or the top-level code)
  /// whose loops have run this many iterations is continued in compiled
  /// code from the loop it is in, once that code is ready (0: never).
  uint64_t osrThreshold = 1000;
  /// Router: nothing is compiled before the program has run this long, so a
  /// short program never waits for a compilation it cannot profit from.
  double tierUpDelayMs = 10;
  /// Router, for tests: the interpreter waits for OSR code instead of going
  /// on while it compiles (with tierUpDelayMs 0: deterministic OSR).
  bool osrWait = false;
  core::PhaseTimings *timings = nullptr; ///< parse/irgen/optimize/codegen/run
};

/// For tests (docs/relay.md, "On-stack replacement"): OSR after `count`
/// loop iterations, compiled at once and waited for, so it is
/// deterministic. `count` is text (KILN_OSR_THRESHOLD's); false, and
/// `options` unchanged, when it is not a whole number.
bool setDeterministicOsr(RunOptions &options, const std::string &count);

struct RunStats {
  uint64_t compilations = 0; ///< modules compiled (not from the cache)
  uint64_t cacheHits = 0;
  uint64_t functionsCompiled = 0; ///< router: functions moved to native code
  uint64_t nativeCalls = 0;       ///< router: calls that ran native code
  uint64_t interpretedCalls = 0;
  uint64_t osrCompiled = 0; ///< router: OSR continuations compiled
  uint64_t osrEntries = 0;  ///< router: running calls compiled code took over
};

/// `kiln run --stats`: "stats: compilations N cache-hits N ... \n", every
/// counter by name, one line.
std::string statsLine(const RunStats &stats);

/// Limits on runIsolated's executor process; 0 means none.
struct ExecutorLimits {
  uint64_t memoryBytes = 0; ///< address space (RLIMIT_AS), at least 64 MiB
  double cpuSeconds = 0;    ///< CPU time (RLIMIT_CPU)
};

/// What `kiln build` writes.
enum class BuildKind { Executable, Object, Assembly, IR, Bitcode, Tokens, AST };

/// The kind `--emit` names: exe, obj, asm, ll, bc, tokens or ast; nullopt
/// otherwise.
std::optional<BuildKind> parseBuildKind(std::string_view name);

struct BuildOptions {
  BuildKind kind = BuildKind::Executable;
  OptLevel level = OptLevel::O2;
  std::string target; ///< triple; empty = host
  double timeoutSeconds = 0;
  int maxDepth = 10000;
  bool guards = true; ///< see RunOptions::guards
  /// `-g`: DWARF in the object and the executable (.debug_* sections kept
  /// by the link), for gdb or any DWARF reader.
  bool debugInfo = false;
  core::PhaseTimings *timings = nullptr;
};

} // namespace kiln::relay
