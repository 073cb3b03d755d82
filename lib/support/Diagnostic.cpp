// Diagnostic: attaching source text to diagnostics and rendering them.
#include "kiln/support/Diagnostic.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace kiln {
namespace {

const char *label(const Diagnostic &d) {
  switch (d.severity) {
  case Severity::Error:
    return d.kind == ErrorKind::Runtime || d.kind == ErrorKind::Timeout
               ? "runtime error"
               : "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  return "error";
}

// clang's colours: bold position and message, red errors, magenta warnings,
// grey notes, a green caret.
struct Palette {
  const char *bold, *severity, *caret, *reset;
};

Palette paletteFor(Severity s, bool color) {
  if (!color)
    return {"", "", "", ""};
  const char *sev = s == Severity::Error     ? "\033[1;31m"
                    : s == Severity::Warning ? "\033[1;35m"
                                             : "\033[1;30m";
  return {"\033[1m", sev, "\033[1;32m", "\033[0m"};
}

std::string position(const Diagnostic &d) {
  if (d.file.empty())
    return "";
  if (!d.loc.known())
    return d.file + ": ";
  return d.file + ":" + std::to_string(d.loc.line) + ":" +
         std::to_string(d.loc.col ? d.loc.col : 1) + ": ";
}

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The source line as a terminal shows it and a caret under byte column
// `col`. Control bytes show as '?' (a hostile file cannot drive the
// terminal); the caret's padding keeps tabs and takes one cell per UTF-8
// character. A line longer than 120 bytes shows only the part around the
// column, its cut ends marked "...".
std::string caretLines(std::string_view text, unsigned col, const Palette &p) {
  constexpr size_t kWindow = 120;
  size_t at = col ? col - 1 : 0, from = 0, to = text.size();
  if (text.size() > kWindow) {
    from = at > kWindow / 2 ? std::min(at - kWindow / 2, text.size() - kWindow)
                            : 0;
    to = from + kWindow;
    while (from < text.size() && continuation(text[from]))
      ++from;
    while (to < text.size() && continuation(text[to]))
      ++to;
  }
  std::string line = from ? "..." : "", pad(line.size(), ' ');
  for (size_t i = from; i < to; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    line += (c < 0x20 && c != '\t') || c == 0x7f ? '?' : char(c);
    if (i < at && !continuation(text[i]))
      pad += c == '\t' ? '\t' : ' ';
  }
  if (to < text.size())
    line += "...";
  return "\n" + line + "\n" + pad + p.caret + "^" + p.reset;
}

void attachOne(Diagnostic &d, std::string_view file, std::string_view source) {
  if (d.file.empty())
    d.file = std::string(file);
  if (d.sourceLine.empty() && d.loc.known() && !source.empty())
    d.sourceLine = std::string(lineOf(source, d.loc.line));
  for (Diagnostic &n : d.notes)
    attachOne(n, file, source);
}

} // namespace

Diagnostic errorDiagnostic(std::string message, std::string file) {
  Diagnostic d;
  d.message = std::move(message);
  d.file = std::move(file);
  return d;
}

void attachSource(Diagnostics &diags, std::string_view file,
                  std::string_view source) {
  for (Diagnostic &d : diags)
    attachOne(d, file, source);
}

std::string_view lineOf(std::string_view text, unsigned line) {
  size_t pos = 0;
  for (unsigned l = 1; l < line; ++l) {
    pos = text.find('\n', pos);
    if (pos == std::string_view::npos)
      return {};
    ++pos;
  }
  size_t end = text.find('\n', pos);
  std::string_view result = text.substr(
      pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  if (!result.empty() && result.back() == '\r')
    result.remove_suffix(1);
  // A UTF-8 byte order mark is not part of the first line's text (the
  // frontends count columns after it).
  if (line == 1 && result.substr(0, 3) == "\xEF\xBB\xBF")
    result.remove_prefix(3);
  return result;
}

std::string render(const Diagnostic &d, bool color) {
  Palette p = paletteFor(d.severity, color);
  std::string out = std::string(p.bold) + position(d) + p.reset + p.severity +
                    label(d) + ":" + p.reset + " " + p.bold + d.message +
                    p.reset;
  if (d.loc.known() && !d.sourceLine.empty())
    out += caretLines(d.sourceLine, d.loc.col ? d.loc.col : 1, p);
  if (!d.detail.empty())
    out += "\n" + d.detail;
  for (const Diagnostic &n : d.notes)
    out += "\n" + render(n, color);
  return out;
}

std::string render(const Diagnostics &diags, bool color) {
  std::string out;
  for (const Diagnostic &d : diags)
    out += (out.empty() ? "" : "\n") + render(d, color);
  return out;
}

bool stderrWantsColor() {
  const char *term = std::getenv("TERM");
  return isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr &&
         term != nullptr && std::strcmp(term, "dumb") != 0;
}

} // namespace kiln
