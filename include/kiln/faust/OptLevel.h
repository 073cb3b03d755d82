// OptLevel: libfaust's optimisation levels on Kiln's one OptLevel.
//
// libfaust takes an `int opt_level` (-1 = best, 0..4); every other part of
// Kiln takes kiln::OptLevel (O0..O3, Os, Oz). The Faust API takes
// kiln::OptLevel; these two functions are the only place libfaust's numbers
// are read, for code written against libfaust and for `kiln faust -O4`.
//
//   libfaust -O   -1 (best)  0    1    2    3    4
//   Kiln          O3         O0   O1   O2   O3   O3
//
// libfaust's levels 3 and 4 differ in its own LLVM 14 pass lists; Kiln runs
// LLVM 19's standard O3 pipeline for both (docs/faust.md, "Optimisation
// levels"). Os and Oz have no libfaust number.
#pragma once

#include "kiln/support/OptLevel.h"

#include <optional>
#include <string_view>

namespace kiln::faust {

/// libfaust's `opt_level` as a Kiln level: -1 and any number above 3 give
/// O3, a number below -1 gives O3 too (libfaust's "best").
kiln::OptLevel optLevelFromFaust(int level);

/// A level as the `kiln faust` command spells it: libfaust's "0".."4", or
/// any spelling kiln::parseOptLevel accepts ("s", "z", "O2", "-O3"...).
std::optional<kiln::OptLevel> parseFaustOptLevel(std::string_view text);

} // namespace kiln::faust
