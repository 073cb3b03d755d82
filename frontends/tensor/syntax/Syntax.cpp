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

namespace {

/// The offset at which each line of `source` starts (line 1 at index 0).
std::vector<size_t> lineStarts(std::string_view source) {
  std::vector<size_t> starts{0};
  for (size_t at = source.find('\n'); at != std::string_view::npos;
       at = source.find('\n', at + 1))
    starts.push_back(at + 1);
  return starts;
}

std::string_view lineText(std::string_view source,
                          const std::vector<size_t> &starts, uint32_t line) {
  if (line == 0 || line > starts.size())
    return {};
  size_t start = starts[line - 1];
  size_t end = line < starts.size() ? starts[line] - 1 : source.size();
  std::string_view text = source.substr(start, end - start);
  if (!text.empty() && text.back() == '\r')
    text.remove_suffix(1);
  return text;
}

/// The source line and a caret under column `col`. A long line shows only
/// the columns around `col` (cut ends marked "..."); control bytes show as
/// '?', so a hostile file cannot drive the terminal.
std::string excerpt(std::string_view text, uint32_t col) {
  constexpr size_t kWindow = 120;
  size_t at = col ? col - 1 : 0, from = 0, to = text.size();
  if (text.size() > kWindow) {
    from = at > kWindow / 2 ? std::min(at - kWindow / 2, text.size() - kWindow)
                            : 0;
    to = from + kWindow;
  }
  std::string line = from ? "..." : "", caret(line.size(), ' ');
  for (size_t i = from; i < to; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    line += (c < 0x20 && c != '\t') || c == 0x7f ? '?' : char(c);
    if (i < at)
      caret += c == '\t' ? '\t' : ' ';
  }
  return line + (to < text.size() ? "..." : "") + "\n" + caret + "^";
}

} // namespace

std::string renderDiags(const std::vector<Diag> &diags, std::string_view file,
                        std::string_view source) {
  std::string out;
  std::vector<size_t> starts;
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
    if (starts.empty())
      starts = lineStarts(source);
    out += "\n" + excerpt(lineText(source, starts, d.loc.line), d.loc.col);
  }
  return out;
}

} // namespace kiln::tensor
