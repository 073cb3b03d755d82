// LineDiff: the lines one IR version changed in the next, as hunks with
// context, for the page's pass-by-pass view.
//
// A pass usually touches one function of a module, so the common head and
// tail are skipped before a longest-common-subsequence diff of the rest
// (bounded: a larger middle is shown as replaced wholesale).
#pragma once

#include "CodeLines.h"

#include <vector>

namespace kiln::tool::explain {

struct DiffLine {
  enum Kind { Same, Removed, Added, Gap } kind = Same; ///< Gap: lines skipped
  const CodeLine *line = nullptr; ///< from `before` (Removed) or `after`
};

/// The lines of `after` that differ from `before`, with `context` unchanged
/// lines around each change and a Gap row for each run left out. Empty when
/// the texts are equal. The result points into both vectors.
std::vector<DiffLine> diffLines(const std::vector<CodeLine> &before,
                                const std::vector<CodeLine> &after,
                                unsigned context = 3);

} // namespace kiln::tool::explain
