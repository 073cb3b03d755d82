// Options: the names of Relay's modes and build kinds, the stats line and
// the deterministic-OSR testing knob.
//
// The spellings `kiln run --mode`, `kiln build --emit` and `--stats` use,
// kept next to the enums and counters they name so every caller agrees.
#include "kiln/relay/Options.h"

#include <fmt/format.h>

#include <cstdlib>
#include <utility>

namespace kiln::relay {

std::optional<Mode> parseMode(std::string_view name) {
  for (auto [spelling, mode] : {std::pair{"interp", Mode::Interp},
                                {"jit", Mode::Jit},
                                {"auto", Mode::Auto}})
    if (name == spelling)
      return mode;
  return std::nullopt;
}

std::optional<BuildKind> parseBuildKind(std::string_view name) {
  static const std::pair<const char *, BuildKind> kinds[] = {
      {"exe", BuildKind::Executable}, {"obj", BuildKind::Object},
      {"asm", BuildKind::Assembly},   {"ll", BuildKind::IR},
      {"bc", BuildKind::Bitcode},     {"tokens", BuildKind::Tokens},
      {"ast", BuildKind::AST}};
  for (auto &[spelling, kind] : kinds)
    if (name == spelling)
      return kind;
  return std::nullopt;
}

bool setDeterministicOsr(RunOptions &options, const std::string &count) {
  char *end = nullptr;
  unsigned long long n = std::strtoull(count.c_str(), &end, 10);
  if (count.empty() || *end || count[0] == '-')
    return false;
  options.osrThreshold = n;
  options.tierUpDelayMs = 0;
  options.osrWait = true;
  return true;
}

std::string statsLine(const RunStats &stats) {
  return fmt::format("stats: compilations {} cache-hits {} functions-compiled "
                     "{} native-calls {} interpreted-calls {} osr-compiled {} "
                     "osr-entries {}\n",
                     stats.compilations, stats.cacheHits,
                     stats.functionsCompiled, stats.nativeCalls,
                     stats.interpretedCalls, stats.osrCompiled,
                     stats.osrEntries);
}

} // namespace kiln::relay
