// Options: the flags shared by Kiln's subcommands, parsed by hand so the
// tool does not expose LLVM's hundreds of internal cl::opt flags.
#pragma once

#include "Command.h"
#include "kiln/core/Pipeline.h"
#include "kiln/support/Files.h"

#include <cstdint>
#include <optional>
#include <string>

namespace kiln::tool {

struct CommonOptions {
  core::OptLevel level = core::OptLevel::O2;
  bool time = false;           ///< --time: phase table on stderr
  bool printPipeline = false;  ///< --print-pipeline
  bool printChanged = false;   ///< --print-changed
  bool cache = true;           ///< --no-cache turns it off
  std::string target;          ///< --target TRIPLE
  std::string cpu;             ///< --cpu NAME (with --target)
  std::string emit;            ///< --emit=KIND
  std::string output;          ///< -o PATH
  std::string mode;             ///< --mode=interp|jit|auto (Relay)
  double timeout = 0;           ///< --timeout SECONDS (Relay)
  int maxDepth = 10000;         ///< --max-depth N (Relay)
  bool stats = false;           ///< --stats: execution statistics on stderr
  bool guards = true;           ///< --no-guards (Relay, for measurements)
  bool isolate = false;         ///< --isolate: run in kiln-executor
  uint64_t memoryLimit = 0;     ///< --memory-limit SIZE (with --isolate)
  double cpuLimit = 0;          ///< --cpu-limit SECONDS (with --isolate)
  std::vector<std::string> positional;
  std::vector<std::string> rest; ///< after the input file, for `run`
  bool help = false;
};

/// Parses `args`. With `stopAtInput`, the first positional argument ends
/// option parsing and everything after it goes to `rest` (like lli).
/// Returns an error message for unknown or malformed flags.
std::optional<std::string> parseOptions(const Args &args, bool stopAtInput,
                                        CommonOptions &out);

/// The value of the flag at args[i]: after '=' in `--flag=value`, else the
/// next argument (then i advances past it). False when there is none or it
/// is empty.
bool takeFlagValue(const Args &args, size_t &i, std::string &out);


/// The whole file at `path` ("-": standard input) into `text`, within
/// support/Files.h's size limit; on failure, a one-line reason.
support::FileError readFile(const std::string &path, std::string &text);

/// Checks an output path before any work is done: its directory exists, it
/// is not a directory, and it is none of `inputs` (refused as gcc does).
support::FileError checkOutput(const std::string &output,
                               const std::vector<std::string> &inputs);

} // namespace kiln::tool
