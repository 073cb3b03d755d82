// FaustCompiler: runs Debian's `faust -lang llvm` as a subprocess.
//
// libfaust is built against LLVM 14 and must never share a process with
// Kiln's LLVM 19, so the Faust compiler runs as its own program (posix_spawn,
// no shell) and hands back LLVM 14 bitcode, which LLVM 19 reads. Its error
// messages become Kiln diagnostics: `file:line:col: error: msg`, the source
// line and a caret.
#pragma once

#include "kiln/support/Expected.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::faust {

/// What a successful faust run leaves.
struct FaustOutput {
  std::string bitcode;               ///< the module
  std::vector<std::string> warnings; ///< faust's stderr lines
};

struct FaustInput {
  std::string path;        ///< the .dsp file faust reads
  std::string displayName; ///< the name errors use (path, or a string's name)
  std::string source;      ///< its text, for the source line under errors
  std::vector<std::string> args;
  std::string faustPath; ///< empty: $KILN_FAUST, else `faust` on PATH
};

/// Compiles `input` to bitcode. Never throws; every failure (missing binary,
/// faust errors, crash) is a diagnostic in the result.
kiln::Expected<FaustOutput> runFaust(const FaustInput &input);

/// Faust's stderr as one Kiln diagnostic: its first ERROR line located
/// (file, line, column, source line) where faust gives a place, its other
/// lines kept verbatim as the diagnostic's detail (exposed for tests).
kiln::Diagnostics faustDiagnostics(const std::string &stderrText,
                                   const FaustInput &input);

/// The non-empty lines of `text`.
std::vector<std::string> splitLines(const std::string &text);

/// The faust binary to run for `option` (see FaustInput::faustPath).
std::string faustBinary(const std::string &option);

/// A fresh private directory under $TMPDIR (empty on failure) and its removal.
std::string makeTempDir();
void removeTempDir(const std::string &dir);

/// The whole file at `path` into `out` (binary); false if it cannot be read.
bool readWholeFile(const std::string &path, std::string &out);

/// The most bytes Kiln reads from one input (.dsp, bitcode, machine code).
constexpr uint64_t kMaxInputBytes = uint64_t(256) << 20;

/// A user's input file, whole; an IO diagnostic ("cannot read 'x': it is a
/// directory", "cannot open 'x': No such file or directory") when `path` is
/// not a readable regular file of at most kMaxInputBytes. Never blocks on a
/// FIFO.
kiln::Expected<std::string> readInputFile(const std::string &path);

} // namespace kiln::faust
