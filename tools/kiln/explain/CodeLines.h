// CodeLines: IR and assembly text as the page shows them, each line with
// the source line it came from (0: none), read from debug locations.
//
// The core hands over IR and assembly as LLVM prints them. The page hides
// what only a debugger needs (metadata nodes, `!dbg` attachments, `.loc`
// directives, DWARF sections) and keeps what they say: the source line of
// each instruction, used for the gutter and the click-to-highlight mapping.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiln::tool::explain {

struct CodeLine {
  std::string text;
  unsigned src = 0; ///< 1-based source line; 0 when none
  /// Assembly only: the source line to show above this line (its code
  /// starts here), 0 for none.
  unsigned srcHeading = 0;
};

/// Textual IR without metadata lines and `!dbg !N` attachments; each
/// instruction (and `define`) carries its DILocation's (DISubprogram's)
/// line.
std::vector<CodeLine> irLines(std::string_view ir);

/// Assembly without `.loc` lines and DWARF sections; each instruction
/// carries the line of the `.loc` before it in its function, and the first
/// instruction of each run of one line has srcHeading set.
std::vector<CodeLine> asmLines(std::string_view assembly);

/// Lines of `text` without their newlines (a last line without one too).
std::vector<std::string_view> splitLines(std::string_view text);

} // namespace kiln::tool::explain
