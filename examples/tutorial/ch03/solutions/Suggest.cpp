// Suggest: Levenshtein distance over the program's function names.
#include "Suggest.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ember {

namespace {

// [tutorial:ex-distance]
/// The number of one-character insertions, deletions and substitutions
/// that turn `a` into `b` (one row of the dynamic-programming table).
size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = diagonal + (a[i - 1] != b[j - 1]);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}
// [/tutorial]

} // namespace

void addSuggestions(const Program &program, kiln::Diagnostics &diags) {
  const std::string prefix = "call to undefined function '";
  for (kiln::Diagnostic &d : diags) {
    if (!d.message.starts_with(prefix))
      continue;
    std::string name = d.message.substr(prefix.size());
    name.pop_back(); // the closing quote
    const Function *best = nullptr;
    size_t bestDistance = 3; // suggest only names at most 2 edits away
    for (const Function &fn : program.functions)
      if (size_t dist = editDistance(name, fn.name); dist < bestDistance)
        best = &fn, bestDistance = dist;
    if (best)
      d.notes.push_back({best->loc, "did you mean '" + best->name + "'?",
                         kiln::Severity::Note});
  }
}

} // namespace ember
