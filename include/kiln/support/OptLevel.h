// OptLevel: how hard the optimiser works, spelled one way everywhere.
//
// Every frontend option, tool flag and cache key uses this type; the text
// forms are parsed and printed only here. LLVM-free (core maps it onto
// LLVM's pipelines).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kiln {

enum class OptLevel : uint8_t { O0, O1, O2, O3, Os, Oz };

/// Parses "0".."3", "s", "z", with or without a leading "-O" or "O".
std::optional<OptLevel> parseOptLevel(std::string_view text);
/// "O0" … "O3", "Os", "Oz".
const char *optLevelName(OptLevel level);
/// The speed level behind a level: Os and Oz optimise like O2.
unsigned optLevelNumber(OptLevel level);

} // namespace kiln
