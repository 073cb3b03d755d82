// Syntax: the front half's entry points — parse + sema over a file, and the
// LLVM-free rendering of diagnostics with source line and caret.
#include "kiln/tensor/Syntax.h"

#include "Parser.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace kiln::tensor {

namespace {
bool before(SourceLoc a, SourceLoc b) {
  return a.line != b.line ? a.line < b.line : a.col < b.col;
}
} // namespace

ParseResult parseProgram(std::string_view source) {
  ParseResult result;
  Program parsed;
  syntax::parse(source, parsed, result.errors);
  std::unordered_set<std::string> names;
  for (Kernel &k : parsed.kernels) {
    if (!names.insert(k.name).second) {
      result.errors.push_back({k.loc, "kernel '" + k.name +
                                          "' is defined twice"});
      continue;
    }
    std::vector<Diag> errors = typeCheck(k);
    result.errors.insert(result.errors.end(), errors.begin(), errors.end());
    result.program.kernels.push_back(std::move(k));
  }
  if (parsed.kernels.empty() && result.errors.empty())
    result.errors.push_back({{1, 1}, "no kernel in the source; write e.g. "
                                     "`kernel f(a: f32[]) -> f32[] = a * 2`"});
  // Source order (parse errors of later kernels were found first); equal
  // locations keep their order.
  std::vector<size_t> order(result.errors.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  const auto &errs = result.errors;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return before(errs[a].loc, errs[b].loc) ||
           (!before(errs[b].loc, errs[a].loc) && a < b);
  });
  std::vector<Diag> sorted;
  for (size_t i : order)
    sorted.push_back(std::move(result.errors[i]));
  result.errors = std::move(sorted);
  return result;
}

std::string renderDiags(const std::vector<Diag> &diags, std::string_view file,
                        std::string_view source) {
  Diagnostics all = diags;
  attachSource(all, file, source);
  return kiln::render(all);
}

} // namespace kiln::tensor
