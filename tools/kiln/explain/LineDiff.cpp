// LineDiff: prefix/suffix trimming, an LCS table on the middle, and hunks.
#include "LineDiff.h"

#include <algorithm>
#include <cstdint>

namespace kiln::tool::explain {

namespace {

using Lines = std::vector<CodeLine>;

/// Beyond this many table cells the middle is shown replaced wholesale.
constexpr size_t MaxCells = size_t(4) << 20;

/// The edit script of before[b0, b1) into after[a0, a1), every row of both.
void diffMiddle(const Lines &before, size_t b0, size_t b1, const Lines &after,
                size_t a0, size_t a1, std::vector<DiffLine> &out) {
  size_t n = b1 - b0, m = a1 - a0;
  if (n * m > MaxCells) {
    for (size_t i = b0; i < b1; ++i)
      out.push_back({DiffLine::Removed, &before[i]});
    for (size_t j = a0; j < a1; ++j)
      out.push_back({DiffLine::Added, &after[j]});
    return;
  }
  // lcs[i][j]: the longest common subsequence of the suffixes from i and j.
  std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t & {
    return lcs[i * (m + 1) + j];
  };
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      at(i, j) = before[b0 + i].text == after[a0 + j].text
                     ? at(i + 1, j + 1) + 1
                     : std::max(at(i + 1, j), at(i, j + 1));
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[b0 + i].text == after[a0 + j].text)
      out.push_back({DiffLine::Same, &after[a0 + j]}), ++i, ++j;
    else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1)))
      out.push_back({DiffLine::Removed, &before[b0 + i++]});
    else
      out.push_back({DiffLine::Added, &after[a0 + j++]});
  }
}

/// Keeps `context` Same rows around each change; runs left out become Gap.
std::vector<DiffLine> hunks(const std::vector<DiffLine> &all,
                            unsigned context) {
  std::vector<bool> keep(all.size(), false);
  for (size_t k = 0; k < all.size(); ++k)
    if (all[k].kind != DiffLine::Same)
      for (size_t c = k >= context ? k - context : 0;
           c < std::min(all.size(), k + context + 1); ++c)
        keep[c] = true;
  std::vector<DiffLine> out;
  for (size_t k = 0; k < all.size(); ++k)
    if (keep[k])
      out.push_back(all[k]);
    else if (out.empty() || out.back().kind != DiffLine::Gap)
      out.push_back({DiffLine::Gap, nullptr});
  return out;
}

} // namespace

std::vector<DiffLine> diffLines(const Lines &before, const Lines &after,
                                unsigned context) {
  size_t head = 0;
  while (head < before.size() && head < after.size() &&
         before[head].text == after[head].text)
    ++head;
  size_t tail = 0;
  while (tail < before.size() - head && tail < after.size() - head &&
         before[before.size() - 1 - tail].text ==
             after[after.size() - 1 - tail].text)
    ++tail;
  if (head == before.size() && head == after.size())
    return {};
  std::vector<DiffLine> all;
  for (size_t k = 0; k < head; ++k)
    all.push_back({DiffLine::Same, &after[k]});
  diffMiddle(before, head, before.size() - tail, after, head,
             after.size() - tail, all);
  for (size_t k = after.size() - tail; k < after.size(); ++k)
    all.push_back({DiffLine::Same, &after[k]});
  return hunks(all, context);
}

} // namespace kiln::tool::explain
