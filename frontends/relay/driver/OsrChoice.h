// OsrChoice: which active loop of a hot call on-stack replacement enters.
//
// The continuation of a call from a loop header is made of whole loops: the
// hot loop, the rest of each enclosing loop's current iteration, each
// enclosing loop resumed, the rest of the call (EmitOsr.cpp). Entered at the
// innermost loop of a nest, it holds every loop of the nest twice and takes
// about twice as long to compile as the call itself. Entered at the
// outermost loop whose iterations are short, it holds each loop once, and
// the interpreter reaches that loop's header again soon after the code is
// ready. OsrChoice watches how fast the counted loops of the hot calls
// advance (a range loop's counter, an array loop's index: what the
// interpreter keeps in their OsrLoop records) and picks that loop.
#pragma once

#include "relay/interp/Interpreter.h"

#include <chrono>
#include <unordered_map>

namespace kiln::relay {

class OsrChoice {
public:
  using Clock = std::chrono::steady_clock;

  /// An enclosing loop is entered when one of its iterations took at most
  /// this long in the interpreter (well below the time a compilation takes).
  static constexpr std::chrono::microseconds Period{1000};

  /// Notes where the counted loops of `innermost`'s chain (itself
  /// included) are at `now` (called at hot loop headers, every few dozen
  /// iterations).
  void observe(const OsrLoop &innermost, Clock::time_point now);

  /// How long an iteration of the active loop `record` takes: Short (at
  /// most Period), Long, or Unknown (seen for less than 2 × Period, fewer
  /// than two iterations). A while loop's iterations are not counted: Long.
  enum class Pace { Short, Long, Unknown };
  Pace pace(const OsrLoop &record, Clock::time_point now) const;

  /// The loop of the chain to compile a continuation for: from the outside
  /// in, the first Short one (skipping Long ones), else `innermost`; null
  /// when an Unknown one comes first (wait: that lasts at most 2 × Period
  /// for the outermost loop of a call). Not thread-safe: the interpreting
  /// thread's, like observe and pace.
  const OsrLoop *choose(const OsrLoop &innermost, Clock::time_point now) const;

  /// How long the current iteration of the active loop `record` has been
  /// running, as far as observed (since the run was first seen, for its
  /// first iteration); a while loop's is not known: Clock::duration::max().
  /// A call waiting for the header of a loop whose code is ready waits
  /// while this is short, even if the loop's pace has slowed.
  Clock::duration iterationAge(const OsrLoop &record,
                               Clock::time_point now) const;

  /// How long the interpreter will at least still run the chain's counted
  /// loops, at their pace so far (iterations left × time per iteration,
  /// from at least 16 iterations; zero when nothing is known): a call this
  /// long is no tiny program.
  Clock::duration remaining(const OsrLoop &innermost,
                            Clock::time_point now) const;

private:
  /// Where a loop statement's current run was first seen, and when it was
  /// last seen to move on.
  struct Seen {
    uint64_t run;    ///< OsrLoop::run
    double position; ///< counter or index
    Clock::time_point at;
    double last; ///< the position last seen
    Clock::time_point moved;
  };
  std::unordered_map<const Stmt *, Seen> Loops;
};

} // namespace kiln::relay
