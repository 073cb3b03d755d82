// Diagnostic: a user error as data — where it is, what it says.
//
// Every library of Kiln reports bad input with these values; text is made
// from them only at the edge (the `kiln` tool, the C API's message, a Python
// exception), so an embedder reads the file, line and column as fields
// instead of parsing a rendered string. LLVM-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

/// A position in a source text; 1-based, line 0 = unknown (code built from
/// C++, a whole-file error). Columns count bytes.
struct SourceLoc {
  uint32_t line = 0;
  uint32_t col = 0;
  bool known() const { return line != 0; }
};

enum class Severity : uint8_t { Error, Warning, Note };

/// What kind of failure an error is, for programs that react to it (the C
/// API's error code). Runtime and Timeout render as "runtime error".
enum class ErrorKind : uint8_t {
  Other,
  Parse,           ///< the text is not in the language
  Type,            ///< well-formed but ill-typed or undefined names
  IO,              ///< a file could not be read or written
  InvalidArgument, ///< a bad option or call argument from the host
  Link,            ///< linking or symbol resolution failed
  Runtime,         ///< a trap while running (index, stack overflow, …)
  Timeout,         ///< the time limit ended the run
};

/// One diagnostic. Producers that only know the position fill `loc` and
/// `message` (`{loc, "message"}`); the caller that knows the file attaches
/// `file` and `sourceLine` with attachSource before anyone renders it.
struct Diagnostic {
  SourceLoc loc;
  std::string message;
  Severity severity = Severity::Error;
  ErrorKind kind = ErrorKind::Other;
  std::string file = {};       ///< "" when the error belongs to no file
  std::string sourceLine = {}; ///< the text of line loc.line, for the caret
  std::vector<Diagnostic> notes = {}; ///< located explanations, rendered after
  /// Further lines of a message from another program (the Faust compiler's
  /// continuation lines), kept verbatim and rendered after the caret.
  std::string detail = {};
};

using Diagnostics = std::vector<Diagnostic>;

/// A diagnostic without location: `error: message` (or `file: error: …`).
Diagnostic errorDiagnostic(std::string message, std::string file = {});

/// Sets `file` on every diagnostic (and note) that has none, and its source
/// line from `source` when its location is known.
void attachSource(Diagnostics &diags, std::string_view file,
                  std::string_view source);

/// Line `line` (1-based) of `text`, without its newline, CR or a leading
/// UTF-8 byte order mark.
std::string_view lineOf(std::string_view text, unsigned line);

/// `file:line:col: error: message`, then the source line and a caret under
/// the column (tabs kept, one cell per UTF-8 character). `color` adds
/// clang's ANSI colours. No trailing newline.
std::string render(const Diagnostic &diag, bool color = false);
/// Every diagnostic, joined by newlines.
std::string render(const Diagnostics &diags, bool color = false);

/// Whether diagnostics written to stderr should be coloured: stderr is a
/// terminal, TERM is not "dumb" and NO_COLOR is unset (as clang decides).
bool stderrWantsColor();

} // namespace kiln
