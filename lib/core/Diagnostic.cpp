// Diagnostic: rendering of user errors with location, source line and caret.
#include "kiln/core/Diagnostic.h"

#include <fmt/format.h>

namespace kiln::core {

char KilnError::ID = 0;

KilnError::KilnError(std::string message, SourceLocation loc,
                     std::string sourceLine)
    : Message(std::move(message)), Loc(std::move(loc)),
      SourceLine(std::move(sourceLine)) {}

std::string KilnError::render() const {
  std::string out;
  if (!Loc.file.empty() && Loc.known())
    out = fmt::format("{}:{}:{}: error: {}", Loc.file, Loc.line,
                      Loc.column ? Loc.column : 1, Message);
  else if (!Loc.file.empty())
    out = fmt::format("{}: error: {}", Loc.file, Message);
  else
    out = fmt::format("error: {}", Message);
  if (Loc.known() && !SourceLine.empty()) {
    // Columns count bytes; the caret line counts what a terminal shows:
    // tabs kept, one cell per UTF-8 character (continuation bytes add
    // none), control bytes (NUL, a stray CR) shown as '?'.
    std::string line = SourceLine, pad;
    for (char &c : line)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
        c = '?';
    unsigned col = Loc.column ? Loc.column : 1;
    for (unsigned i = 0; i + 1 < col && i < line.size(); ++i)
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80)
        pad += line[i] == '\t' ? '\t' : ' ';
    out += fmt::format("\n{}\n{}^", line, pad);
  }
  return out;
}

void KilnError::log(llvm::raw_ostream &os) const { os << render(); }

std::error_code KilnError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::Error makeError(std::string message) {
  return llvm::make_error<KilnError>(std::move(message));
}

llvm::Error makeError(SourceLocation loc, std::string message,
                      std::string sourceLine) {
  return llvm::make_error<KilnError>(std::move(message), std::move(loc),
                                     std::move(sourceLine));
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
  std::string_view result = text.substr(pos, end == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : end - pos);
  if (!result.empty() && result.back() == '\r')
    result.remove_suffix(1);
  // A UTF-8 byte order mark is not part of the first line's text (the
  // frontends count columns after it).
  if (line == 1 && result.substr(0, 3) == "\xEF\xBB\xBF")
    result.remove_prefix(3);
  return result;
}

std::string renderError(llvm::Error err) {
  std::string out;
  llvm::handleAllErrors(
      std::move(err),
      [&](const KilnError &e) {
        out += (out.empty() ? "" : "\n") + e.render();
      },
      [&](const llvm::ErrorInfoBase &e) {
        out += (out.empty() ? "" : "\n") + ("error: " + e.message());
      });
  return out;
}

void Diagnostics::error(SourceLocation loc, std::string message,
                        std::string sourceLine) {
  Errors.emplace_back(std::move(message), std::move(loc),
                      std::move(sourceLine));
}

llvm::Error Diagnostics::takeError() {
  llvm::Error all = llvm::Error::success();
  for (auto &e : Errors)
    all = llvm::joinErrors(std::move(all), llvm::make_error<KilnError>(e));
  Errors.clear();
  return all;
}

} // namespace kiln::core
