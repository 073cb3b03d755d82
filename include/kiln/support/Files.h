// Files: reading inputs and writing outputs without losing anyone's data.
//
// Every command that reads a source or writes a result goes through these
// functions, so one set of rules holds everywhere:
//  - an input must be readable, not a directory, and at most `limit` bytes
//    (a pipe or device is read up to the limit, so /dev/zero cannot exhaust
//    memory);
//  - an output onto a regular file (or a new name) is written to a temporary
//    in the same directory and renamed: readers never see half a file, and a
//    failed write leaves the old file alone;
//  - an output onto an existing device, FIFO or socket (/dev/null, /dev/stdout,
//    a pipe) is written through, never replaced; symbolic links are followed,
//    so the link stays and its target is written;
//  - "-" names standard output;
//  - an output that is one of the inputs is refused, as gcc does.
// LLVM-free: errors are one-line messages for the caller to wrap.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::support {

/// A one-line, user-facing reason ("cannot write 'x': No space left on
/// device"); empty optional means success.
using FileError = std::optional<std::string>;

/// The largest input read by default: sources and IR files beyond this are
/// refused before any memory is spent on them.
inline constexpr size_t DefaultInputLimit = size_t(256) << 20;

/// Reads `path` ("-" = standard input) into `text`.
[[nodiscard]] FileError readInputFile(const std::string &path,
                                      std::string &text,
                                      size_t limit = DefaultInputLimit);

/// Where an output will go once its symlinks are followed.
struct OutputTarget {
  std::string path;          ///< as the user wrote it (for messages)
  std::string resolved;      ///< symlinks followed
  bool writeThrough = false; ///< an existing device, FIFO or socket
  bool toStdout = false;     ///< "-"
};

/// Checks that `path` can be an output (its directory exists, it is not a
/// directory) and says how it will be written. Call before long work.
[[nodiscard]] FileError resolveOutput(const std::string &path,
                                      OutputTarget &target);

/// Writes `data` to `path` by the rules above; `executable` makes a new
/// regular file mode 0755 (less the umask).
[[nodiscard]] FileError writeOutputFile(const std::string &path,
                                        std::string_view data,
                                        bool executable = false);

/// A fresh, unused name for a temporary file that a tool (the linker) will
/// create, placed so that commitOutput can rename it onto `target`.
[[nodiscard]] FileError temporaryFor(const OutputTarget &target,
                                     std::string &tempPath);

/// Moves the finished file `tempPath` onto `target` (rename for a regular
/// target, copy through for a device or pipe) and removes the temporary,
/// also on failure.
[[nodiscard]] FileError commitOutput(const OutputTarget &target,
                                     const std::string &tempPath);

/// Refuses an output that names one of `inputs` (the same file, whatever
/// the spelling): "output file 'x' is the same as input file 'y'".
[[nodiscard]] FileError
checkOutputNotInput(const std::string &output,
                    const std::vector<std::string> &inputs);

} // namespace kiln::support
