// RunInput: which language `kiln run`'s input is in, and standard input
// given back to a reader that opens "-" itself.
//
// A file's extension names its language (Command.h's FileHandler); `-x LANG`
// overrides it. Standard input (`-`) has no extension, so without -x its
// first bytes decide: bitcode, or text whose first token only LLVM IR starts
// with, is IR; anything else is Relay. The core reads IR from "-" itself, so
// bytes read for that guess are put back on standard input first.
#pragma once

#include "kiln/support/Files.h"

#include <string>
#include <string_view>

namespace kiln::tool {

/// True when `text` (the start of an input is enough) is LLVM bitcode or
/// textual IR: a leading `;` comment, a global, metadata or comdat, or an IR
/// top-level keyword (`define`, `declare`, `target`, ...). Empty text is IR,
/// an empty module, as `kiln run -` has always read it.
bool looksLikeIR(std::string_view text);

/// Makes standard input (fd 0) read `bytes` from their start, in memory (a
/// memfd dup2()ed onto fd 0); on failure, a one-line reason.
support::FileError replayOnStdin(const std::string &bytes);

} // namespace kiln::tool
