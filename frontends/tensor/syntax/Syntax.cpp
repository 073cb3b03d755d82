// Syntax: the front half's entry point — parse + sema over a file, its
// errors in source order with their source lines attached.
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

void setKind(std::vector<Diag> &errors, size_t from, ErrorKind kind) {
  for (size_t i = from; i < errors.size(); ++i)
    errors[i].kind = kind;
}

/// Source order (parse errors of later kernels were found first); equal
/// locations keep their order.
void sortBySource(std::vector<Diag> &errors) {
  std::stable_sort(
      errors.begin(), errors.end(),
      [](const Diag &a, const Diag &b) { return before(a.loc, b.loc); });
}

/// Type-checks the parsed kernels into `result` (a name defined twice keeps
/// its first kernel).
void checkKernels(Program &parsed, ParseResult &result) {
  std::unordered_set<std::string> names;
  for (Kernel &k : parsed.kernels) {
    size_t from = result.errors.size();
    if (!names.insert(k.name).second) {
      result.errors.push_back(
          {k.loc, "kernel '" + k.name + "' is defined twice"});
    } else {
      std::vector<Diag> errors = typeCheck(k);
      result.errors.insert(result.errors.end(), errors.begin(), errors.end());
      result.program.kernels.push_back(std::move(k));
    }
    setKind(result.errors, from, ErrorKind::Type);
  }
}

} // namespace

ParseResult parseProgram(std::string_view source, std::string_view file) {
  ParseResult result;
  Program parsed;
  syntax::parse(source, parsed, result.errors);
  setKind(result.errors, 0, ErrorKind::Parse);
  checkKernels(parsed, result);
  if (parsed.kernels.empty() && result.errors.empty())
    result.errors.push_back({{1, 1},
                             "no kernel in the source; write e.g. "
                             "`kernel f(a: f32[]) -> f32[] = a * 2`",
                             Severity::Error,
                             ErrorKind::Parse});
  sortBySource(result.errors);
  attachSource(result.errors, file, source);
  return result;
}

} // namespace kiln::tensor
