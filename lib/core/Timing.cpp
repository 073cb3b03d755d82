// Timing: accumulation and printing of phase times.
#include "kiln/core/Timing.h"

#include <fmt/format.h>

namespace kiln::core {

void PhaseTimings::add(std::string_view phase, double ms) {
  std::lock_guard<std::mutex> lock(Mutex);
  for (auto &[name, total] : Entries)
    if (name == phase) {
      total += ms;
      return;
    }
  Entries.emplace_back(std::string(phase), ms);
}

double PhaseTimings::get(std::string_view phase) const {
  std::lock_guard<std::mutex> lock(Mutex);
  for (auto &[name, total] : Entries)
    if (name == phase)
      return total;
  return 0;
}

std::vector<std::pair<std::string, double>> PhaseTimings::entries() const {
  std::lock_guard<std::mutex> lock(Mutex);
  return Entries;
}

std::string PhaseTimings::table() const {
  std::string out = fmt::format("{:<12} {:>10}\n", "phase", "ms");
  double sum = 0;
  for (auto &[name, ms] : entries()) {
    out += fmt::format("{:<12} {:>10.3f}\n", name, ms);
    sum += ms;
  }
  out += fmt::format("{:<12} {:>10.3f}\n", "total", sum);
  return out;
}

} // namespace kiln::core
