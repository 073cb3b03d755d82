// OptLevel: the one parser and printer of optimisation levels.
#include "kiln/support/OptLevel.h"

namespace kiln {

std::optional<OptLevel> parseOptLevel(std::string_view text) {
  if (text.starts_with("-O"))
    text.remove_prefix(2);
  else if (text.starts_with("O"))
    text.remove_prefix(1);
  if (text.size() != 1)
    return std::nullopt;
  switch (text[0]) {
  case '0': return OptLevel::O0;
  case '1': return OptLevel::O1;
  case '2': return OptLevel::O2;
  case '3': return OptLevel::O3;
  case 's': return OptLevel::Os;
  case 'z': return OptLevel::Oz;
  default: return std::nullopt;
  }
}

const char *optLevelName(OptLevel level) {
  static const char *const names[] = {"O0", "O1", "O2", "O3", "Os", "Oz"};
  return names[static_cast<int>(level)];
}

unsigned optLevelNumber(OptLevel level) {
  switch (level) {
  case OptLevel::O0: return 0;
  case OptLevel::O1: return 1;
  case OptLevel::O3: return 3;
  default: return 2;
  }
}

} // namespace kiln
