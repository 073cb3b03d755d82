// FaustErrors: faust's stderr as a Kiln diagnostic.
//
// Faust prints `FILE : LINE : ERROR : msg` (or one of two other forms) and
// continuation lines; the first ERROR line becomes a located diagnostic
// (file, line, the column of the symbol it names, the source line), the
// other lines its verbatim detail, escaped when they are not printable.
#include "FaustCompiler.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>

namespace kiln::faust {

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(line);
  return lines;
}

namespace {

/// One faust error line, split into location and message.
struct FaustLine {
  std::string file;
  unsigned line = 0;
  std::string message;
  bool isError = false; ///< one of faust's ERROR forms (else other text)
};

/// The digits (with an optional '-') of `text` from `at` to `end`, or
/// false when there are none or anything else.
bool lineNumberAt(const std::string &text, size_t at, size_t end, long &line) {
  size_t digits = at < end && text[at] == '-' ? at + 1 : at;
  if (digits >= end)
    return false;
  for (size_t i = digits; i < end; ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      return false;
  if (end - digits > 12)
    line = -1; // out of any range: treated as no place
  else
    line = std::strtol(text.substr(at, end - at).c_str(), nullptr, 10);
  return true;
}

FaustLine located(const std::string &file, long line, std::string message) {
  if (line <= 0 || line > long(UINT32_MAX) || file == "????")
    return {"", 0, std::move(message), true};
  return {file, unsigned(line), std::move(message), true};
}

/// `FILE : LINE : ERROR : msg`, or nothing.
std::optional<FaustLine> fileLineForm(const std::string &text) {
  static const std::string sep = " : ", error = " : ERROR : ";
  for (size_t p = text.find(sep); p != std::string::npos;
       p = text.find(sep, p + 1)) {
    size_t q = text.find(error, p + sep.size());
    long line = 0;
    if (q != std::string::npos && lineNumberAt(text, p + sep.size(), q, line))
      return located(text.substr(0, p), line, text.substr(q + error.size()));
  }
  return std::nullopt;
}

/// `ERROR (file F:L) : msg`, or nothing.
std::optional<FaustLine> errorFileForm(const std::string &text) {
  static const std::string fileForm = "ERROR (file ", close = ") : ";
  if (text.rfind(fileForm, 0) != 0)
    return std::nullopt;
  for (size_t q = text.rfind(close); q != std::string::npos && q > 0;
       q = text.rfind(close, q - 1)) {
    size_t colon = text.rfind(':', q);
    long line = 0;
    if (colon != std::string::npos && colon >= fileForm.size() &&
        lineNumberAt(text, colon + 1, q, line))
      return located(text.substr(fileForm.size(), colon - fileForm.size()),
                     line, text.substr(q + close.size()));
  }
  return std::nullopt;
}

/// Faust's error lines: `FILE : LINE : ERROR : msg`, `ERROR (file F:L) : msg`
/// or `ERROR : msg`. Faust writes `???? : -1` when it knows no place (a
/// program without `process`): that is an error without a location. Parsed
/// by hand, not with std::regex: libstdc++'s matcher recurses once per
/// character, and faust echoes the user's text (a 300,000-character line
/// overflowed the stack).
FaustLine parseErrorLine(const std::string &text) {
  if (auto line = fileLineForm(text))
    return *line;
  if (auto line = errorFileForm(text))
    return *line;
  if (text.rfind("ERROR", 0) == 0) {
    size_t i = 5;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (i < text.size() && text[i] == ':')
      ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    return {"", 0, text.substr(i), true};
  }
  return {"", 0, text};
}

/// True when `text` is valid UTF-8 with no control character but tab: it
/// can be shown as it is.
bool printable(const std::string &text) {
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    size_t more = c < 0x80                 ? 0
                  : c >= 0xc2 && c <= 0xdf ? 1
                  : c >= 0xe0 && c <= 0xef ? 2
                  : c >= 0xf0 && c <= 0xf4 ? 3
                                           : 4; // not a lead byte
    if ((c < 0x20 && c != '\t') || c == 0x7f || more == 4 ||
        i + more >= text.size())
      return false;
    for (size_t k = 1; k <= more; ++k)
      if ((text[i + k] & 0xc0) != 0x80)
        return false;
    i += more + 1;
  }
  return true;
}

/// `text`, or with every byte outside printable ASCII as \xNN when it is
/// not printable (a binary .dsp echoed back by faust).
std::string escaped(const std::string &text) {
  if (printable(text))
    return text;
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text)
    if (c >= 0x20 && c < 0x7f)
      out += char(c);
    else
      out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
  return out;
}

/// Faust's message, with a plain statement first where its own is cryptic.
std::string explain(const std::string &message) {
  if (message == "undefined symbol : process")
    return "no 'process' definition (faust: undefined symbol : process)";
  return message;
}

bool isIdentChar(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

/// Where `symbol` stands in `line` as a whole word, or npos.
size_t wordAt(const std::string &line, const std::string &symbol) {
  bool ident =
      !symbol.empty() && std::all_of(symbol.begin(), symbol.end(), isIdentChar);
  for (size_t at = ident ? line.find(symbol) : std::string::npos;
       at != std::string::npos; at = line.find(symbol, at + 1)) {
    bool before = at > 0 && isIdentChar(line[at - 1]);
    bool after = at + symbol.size() < line.size() &&
                 isIdentChar(line[at + symbol.size()]);
    if (!before && !after)
      return at;
  }
  return std::string::npos;
}

/// The 1-based column errors point at: the symbol a message ends with
/// ("undefined symbol : foo") where the line has it as a word, the stray
/// text of a lexical error where the line has it, else the
/// line's first non-blank character.
unsigned caretColumn(const std::string &line, const std::string &message,
                     const std::string &extra) {
  // A lexical error: faust names the stray text, the caret goes to it.
  if (size_t at = extra.empty() ? std::string::npos : line.find(extra);
      at != std::string::npos)
    return unsigned(at) + 1;
  size_t colon = message.rfind(" : ");
  if (colon != std::string::npos)
    if (size_t at = wordAt(line, message.substr(colon + 3));
        at != std::string::npos)
      return unsigned(at) + 1;
  size_t indent = line.find_first_not_of(" \t");
  return indent == std::string::npos ? 1 : unsigned(indent) + 1;
}

/// The text faust's lexer could not read ("extra text is : $" on another
/// line of a "syntax error, unexpected EXTRA"), or "".
std::string extraText(const std::vector<std::string> &lines, size_t lead,
                      const std::string &message) {
  if (message.find("unexpected EXTRA") == std::string::npos)
    return "";
  const std::string prefix = "extra text is : ";
  for (size_t i = 0; i < lines.size(); ++i)
    if (i != lead && lines[i].starts_with(prefix))
      return lines[i].substr(prefix.size());
  return "";
}

/// The kind of a faust error: its parser's, an option it does not know (a
/// warning that stops it), or a program it rejects.
ErrorKind kindOf(const std::string &message, bool isError) {
  if (message.find("unrecognized option") != std::string::npos)
    return ErrorKind::InvalidArgument;
  if (!isError)
    return ErrorKind::Other;
  return message.starts_with("syntax error") ? ErrorKind::Parse
                                             : ErrorKind::Type;
}

/// The diagnostic for faust's leading error line `first`: located in the
/// input (with its source line and caret column) or in a library it read.
Diagnostic leadDiagnostic(const FaustLine &first, const FaustInput &input,
                          const std::string &extra) {
  std::string message = escaped(first.message);
  Diagnostic diag{{first.line, first.line ? 1u : 0u}, explain(message)};
  diag.kind = kindOf(message, first.isError);
  diag.file = input.displayName;
  std::string sourceLine;
  if (first.line && (first.file.empty() || first.file == input.path ||
                     first.file == input.displayName))
    sourceLine = std::string(lineOf(input.source, first.line));
  else if (first.line)
    diag.file = first.file; // an error inside an imported library
  if (!printable(sourceLine))
    sourceLine.clear(); // binary: the location alone
  if (!sourceLine.empty())
    diag.loc.col = caretColumn(sourceLine, message, extra);
  diag.sourceLine = sourceLine;
  return diag;
}

} // namespace

Diagnostics faustDiagnostics(const std::string &stderrText,
                             const FaustInput &input) {
  std::vector<std::string> lines = splitLines(stderrText);
  if (lines.empty())
    return {errorDiagnostic("the Faust compiler failed without a message",
                            input.displayName)};
  // The first ERROR line leads (faust may print context before it).
  size_t lead = 0;
  while (lead + 1 < lines.size() && !parseErrorLine(lines[lead]).isError)
    ++lead;
  FaustLine first = parseErrorLine(lines[lead]);
  Diagnostic diag = leadDiagnostic(
      first, input, extraText(lines, lead, escaped(first.message)));
  for (size_t i = 0; i < lines.size(); ++i)
    if (i != lead)
      diag.detail += (diag.detail.empty() ? "" : "\n") + escaped(lines[i]);
  return {std::move(diag)};
}

} // namespace kiln::faust
