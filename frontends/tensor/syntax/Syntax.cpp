// Syntax: the front half's entry points — parse + sema over a file, and the
// LLVM-free rendering of diagnostics with source line and caret.
#include "kiln/tensor/Syntax.h"

#include "Parser.h"

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
  for (Kernel &k : parsed.kernels) {
    if (result.program.find(k.name)) {
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
  // Source order (parse errors of later kernels were found first). An
  // insertion sort: stable, and the list is short.
  auto &errs = result.errors;
  for (size_t i = 1; i < errs.size(); ++i)
    for (size_t j = i; j > 0 && before(errs[j].loc, errs[j - 1].loc); --j)
      std::swap(errs[j], errs[j - 1]);
  return result;
}

namespace {

std::string_view lineText(std::string_view source, uint32_t line) {
  size_t start = 0;
  for (uint32_t l = 1; l < line; ++l) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos)
      return {};
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  std::string_view text = source.substr(
      start, end == std::string_view::npos ? std::string_view::npos
                                           : end - start);
  if (!text.empty() && text.back() == '\r')
    text.remove_suffix(1);
  return text;
}

} // namespace

std::string renderDiags(const std::vector<Diag> &diags, std::string_view file,
                        std::string_view source) {
  std::string out;
  for (const Diag &d : diags) {
    if (!out.empty())
      out += "\n";
    out += std::string(file);
    if (d.loc.line == 0) {
      out += ": error: " + d.message;
      continue;
    }
    out += ":" + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) +
           ": error: " + d.message;
    std::string_view text = lineText(source, d.loc.line);
    out += "\n" + std::string(text) + "\n";
    for (uint32_t c = 1; c < d.loc.col && c <= text.size(); ++c)
      out += text[c - 1] == '\t' ? '\t' : ' ';
    out += "^";
  }
  return out;
}

} // namespace kiln::tensor
