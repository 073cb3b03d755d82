// Timing: per-phase wall-clock times (parse, optimize, codegen, link, run).
//
// Tools print these as a table for `--time`; the library adds to them when a
// caller passes a PhaseTimings. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::core {

class PhaseTimings {
public:
  /// Adds `ms` to `phase`; phases keep the order they were first seen in.
  void add(std::string_view phase, double ms);
  double get(std::string_view phase) const;
  std::vector<std::pair<std::string, double>> entries() const;
  /// "phase  ms" rows and a total row, ready to print.
  std::string table() const;

private:
  mutable std::mutex Mutex;
  std::vector<std::pair<std::string, double>> Entries;
};

/// Adds the time from construction to destruction to one phase. A null
/// `timings` makes it free.
class ScopedPhase {
public:
  ScopedPhase(PhaseTimings *timings, std::string_view phase)
      : Timings(timings), Phase(phase),
        Start(std::chrono::steady_clock::now()) {}
  ~ScopedPhase() {
    if (Timings)
      Timings->add(Phase, std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - Start)
                              .count());
  }
  ScopedPhase(const ScopedPhase &) = delete;
  ScopedPhase &operator=(const ScopedPhase &) = delete;

private:
  PhaseTimings *Timings;
  std::string_view Phase;
  std::chrono::steady_clock::time_point Start;
};

} // namespace kiln::core
