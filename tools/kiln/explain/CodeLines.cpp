// CodeLines: reading debug locations out of printed IR and assembly.
#include "CodeLines.h"

#include <cctype>
#include <charconv>
#include <regex>
#include <unordered_map>

namespace kiln::tool::explain {

namespace {

unsigned toNumber(std::string_view text) {
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

/// `!N = [distinct ]!DILocation(line: L, ...)` or `!DISubprogram(..., line:
/// L, ...)`: metadata node N's source line.
std::unordered_map<unsigned, unsigned>
locationLines(const std::vector<std::string_view> &lines) {
  static const std::regex node(
      R"(^!(\d+) = (?:distinct )?!(?:DILocation|DISubprogram)\((?:.*?[ ,])?line: (\d+))");
  std::unordered_map<unsigned, unsigned> out;
  std::match_results<std::string_view::const_iterator> m;
  for (std::string_view line : lines)
    if (line.starts_with('!') &&
        std::regex_search(line.begin(), line.end(), m, node))
      out[toNumber(m.str(1))] = toNumber(m.str(2));
  return out;
}

/// Removes `, !dbg !N` (instructions) or ` !dbg !N` (define) from `line`;
/// returns N, or 0 when there is none.
unsigned takeDbg(std::string &line) {
  size_t at = line.find(" !dbg !");
  if (at == std::string::npos)
    return 0;
  size_t end = at + 7;
  while (end < line.size() && std::isdigit((unsigned char)line[end]))
    ++end;
  unsigned id = toNumber(std::string_view(line).substr(at + 7, end - at - 7));
  size_t from = at > 0 && line[at - 1] == ',' ? at - 1 : at;
  line.erase(from, end - from);
  return id;
}

/// `.loc FILE LINE [COL ...]`: LINE.
unsigned locLine(std::string_view line) {
  size_t at = line.find(".loc");
  std::string_view rest = line.substr(at + 4);
  size_t file = rest.find_first_not_of(" \t");
  size_t space = rest.find_first_of(" \t", file);
  if (file == std::string_view::npos || space == std::string_view::npos)
    return 0;
  return toNumber(rest.substr(rest.find_first_not_of(" \t", space)));
}

std::string_view trimmed(std::string_view line) {
  size_t start = line.find_first_not_of(" \t");
  return start == std::string_view::npos ? "" : line.substr(start);
}

bool isInstruction(std::string_view line) {
  std::string_view t = trimmed(line);
  return line.starts_with('\t') && !t.empty() && t[0] != '.' && t[0] != '#';
}

} // namespace

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<CodeLine> irLines(std::string_view ir) {
  std::vector<std::string_view> lines = splitLines(ir);
  auto nodes = locationLines(lines);
  std::vector<CodeLine> out;
  for (std::string_view line : lines) {
    if (line.starts_with('!'))
      continue; // metadata: its meaning is in the gutter
    CodeLine code{std::string(line)};
    if (unsigned id = takeDbg(code.text); id && nodes.count(id))
      code.src = nodes[id];
    out.push_back(std::move(code));
  }
  while (!out.empty() && out.back().text.empty())
    out.pop_back(); // the blank line the metadata left
  return out;
}

std::vector<CodeLine> asmLines(std::string_view assembly) {
  std::vector<CodeLine> out;
  unsigned current = 0, shown = 0;
  bool inDebug = false;
  for (std::string_view line : splitLines(assembly)) {
    std::string_view t = trimmed(line);
    if (t.starts_with(".section") || t == ".text") // to the next section
      inDebug = t.find(".debug_") != std::string_view::npos;
    if (inDebug)
      continue;
    if (t.starts_with(".loc\t") || t.starts_with(".loc ")) {
      current = locLine(t);
      continue;
    }
    if (t.starts_with(".cfi_endproc") || t.starts_with(".Lfunc_end"))
      current = shown = 0;
    CodeLine code{std::string(line)};
    if (isInstruction(line)) {
      code.src = current;
      if (current && current != shown)
        code.srcHeading = current;
      shown = current;
    }
    out.push_back(std::move(code));
  }
  return out;
}

} // namespace kiln::tool::explain
