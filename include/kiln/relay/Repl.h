// Repl: an interactive Relay session, one entry at a time (docs/relay.md).
#pragma once

#include "kiln/relay/Options.h"
#include "kiln/support/Expected.h"

#include <cstdint>
#include <functional>
#include <string>

namespace kiln::relay {

/// Definitions and statements entered one at a time. Functions are compiled
/// when defined (and kept: redefining one replaces it; unchanged ones come
/// from the session's compile cache); top-level variables persist between
/// entries. Runs each entry on the calling thread (see runWithStackFor).
/// Not thread-safe, and, like CompiledProgram, not concurrently with other
/// Relay runs (the runtime's depth count and timeout flag are process-wide).
class Repl {
public:
  /// One line of input without its newline, shown `prompt` where there is
  /// a terminal; false at end of input.
  using LineReader = std::function<bool(const char *prompt, std::string &line)>;
  /// What session() saw.
  struct SessionResult {
    uint64_t failures = 0;   ///< entries that failed
    bool unfinished = false; ///< the input ended inside an entry
  };

  explicit Repl(const RunOptions &options = {});
  ~Repl();
  Repl(const Repl &) = delete;
  Repl &operator=(const Repl &) = delete;
  /// True while `text` has unclosed ( [ { — the entry continues.
  static bool incomplete(const std::string &text);
  /// Runs one entry; output goes to RunOptions::print (default stdout).
  /// Diagnostics are located in the entry, named "<repl>". A failed entry
  /// changes nothing but variables it assigned before failing.
  Status eval(const std::string &entry);
  /// Reads lines until end of input, gathering them into entries while
  /// incomplete() and evaluating each non-blank entry; a failed entry's
  /// diagnostics go to `report`. An entry the input ends inside is
  /// evaluated too, so `report` says what was left open.
  SessionResult session(const LineReader &readLine,
                        const std::function<void(const Diagnostics &)> &report);
  uint64_t functionsCompiled() const;
  uint64_t compilations() const; ///< modules compiled, not from the cache
  /// `kiln repl --stats`: "stats: functions-compiled N compilations N level
  /// O2\n" (the level the session compiles at).
  std::string statsLine() const;

private:
  struct Impl;
  Impl *P;
};

/// Runs `session` (for example a whole Repl session) on a thread whose stack
/// holds `maxDepth` nested Relay calls, as `run` does for a program; the
/// depth limit and `timeoutSeconds` are checked first. An error means
/// `session` did not run. The thread lives as long as `session`, so values a
/// Repl keeps between entries stay valid.
Status runWithStackFor(int maxDepth, double timeoutSeconds,
                       const std::function<void()> &session);

} // namespace kiln::relay
