// OptLevel: libfaust's optimisation levels mapped onto kiln::OptLevel.
#include "kiln/faust/OptLevel.h"

namespace kiln::faust {

kiln::OptLevel optLevelFromFaust(int level) {
  switch (level) {
  case 0: return kiln::OptLevel::O0;
  case 1: return kiln::OptLevel::O1;
  case 2: return kiln::OptLevel::O2;
  default: return kiln::OptLevel::O3; // -1 (best), 3 and 4
  }
}

std::optional<kiln::OptLevel> parseFaustOptLevel(std::string_view text) {
  if (text == "4" || text == "O4" || text == "-O4")
    return kiln::OptLevel::O3;
  return kiln::parseOptLevel(text);
}

} // namespace kiln::faust
