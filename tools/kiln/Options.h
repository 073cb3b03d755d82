// Options: the `kiln` tool's one option parser (CLI11) and the flags that
// several commands share, each declared here once with its help text.
//
// Every command builds a CLI::App from these helpers plus its own flags and
// parses with parseArgs, so `--help` works everywhere, values are written
// `--flag V` or `--flag=V`, and a bad flag is one line:
// `kiln: error: MESSAGE (see `kiln CMD --help`)`, exit status 2. CLI11
// rather than a parser of our own: it is header-only (Debian libcli11-dev),
// generates the help from the declarations, and handles subcommands.
#pragma once

#include "Command.h"
#include "kiln/support/Files.h"
#include "kiln/support/OptLevel.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kiln::tool {

/// An app named `name` ("kiln run") with Kiln's help layout (usage line
/// first) and `footer` after the options.
std::unique_ptr<CLI::App> makeApp(const std::string &name,
                                  const std::string &description,
                                  const std::string &footer = "");

/// Parses `args` with `app`. Returns the exit status when the command is
/// done: 0 after printing the help, 2 after printing a misuse error
/// ending in "(see `HINT`)"; nullopt when the command should go on.
/// `unknownNote` follows "unknown option 'X'" (e.g. where else flags go).
std::optional<int> parseArgs(CLI::App &app, const Args &args,
                             const std::string &hint,
                             const std::string &unknownNote = "");

/// Turns a value's text into its destination: nullopt, or why not.
using ValueParser =
    std::function<std::optional<std::string>(const std::string &)>;

/// A flag with a value; `parse` runs on each occurrence, an empty value is
/// "option 'NAME' needs a value".
CLI::Option *addValue(CLI::App &app, const std::string &name,
                      const std::string &help, ValueParser parse);
CLI::Option *addString(CLI::App &app, const std::string &name, std::string &out,
                       const std::string &help);
/// A flag without a value that sets `out` to `value`.
CLI::Option *addFlag(CLI::App &app, const std::string &name, bool &out,
                     const std::string &help, bool value = true);
/// -O0..-O3, -Os, -Oz into `out`.
CLI::Option *addOptLevel(CLI::App &app, OptLevel &out, const std::string &help);

/// A whole number written 1000000 or 1e6 (no hex, fraction, inf or nan);
/// beyond int64_t it saturates, so range checks after it refuse it.
bool parseCount(const std::string &text, int64_t &out);
/// A number of seconds: positive and finite.
std::optional<double> parseSeconds(const std::string &text);

/// The flags every compiling command takes.
struct CompileFlags {
  OptLevel level = OptLevel::O2;
  bool time = false;          ///< --time: the phase table on stderr
  bool printPipeline = false; ///< --print-pipeline
  bool printChanged = false;  ///< --print-changed
};
void addCompileFlags(CLI::App &app, CompileFlags &flags);

/// Relay's limits (`kiln run FILE.relay`, `kiln build`, `kiln repl`);
/// --timeout also limits `kiln run FILE.ll`.
void addTimeout(CLI::App &app, double &out);
void addMaxDepth(CLI::App &app, int &out);
/// -g: DWARF for gdb (`kiln run --mode=jit`, `kiln build`).
void addDebugInfo(CLI::App &app, bool &out);

/// `kiln run`: IR and bitcode like lli, .relay files through Relay.
struct RunOptions {
  CompileFlags compile;
  double timeout = 0;             ///< --timeout SECONDS
  int maxDepth = 10000;           ///< --max-depth N (Relay)
  bool guards = true;             ///< --no-guards (Relay, for measurements)
  bool debugInfo = false;         ///< -g (Relay, --mode=jit)
  bool cache = true;              ///< --no-cache
  std::string mode;               ///< --mode=interp|jit|auto (Relay)
  bool stats = false;             ///< --stats (Relay)
  bool isolate = false;           ///< --isolate: run in kiln-executor
  uint64_t memoryLimit = 0;       ///< --memory-limit SIZE (with --isolate)
  double cpuLimit = 0;            ///< --cpu-limit SECONDS (with --isolate)
  std::string target, cpu;        ///< refused: they are for `kiln compile`
  std::vector<std::string> files; ///< the input (Relay: all positionals)
  std::vector<std::string> args;  ///< after the input: main's argv (IR)
  std::string language;           ///< -x LANG: ir, relay ("": by the input)
  /// The input's text when it was read already: standard input, read to
  /// guess its language (RunInput.h).
  std::optional<std::string> input;
};
/// The `kiln run` app. `programArgs`: everything after the input file is
/// the program's (lli's rule, for IR); otherwise flags may follow it.
std::unique_ptr<CLI::App> makeRunApp(RunOptions &opts, bool programArgs);

/// The whole file at `path` ("-": standard input) into `text`, within
/// support/Files.h's size limit; on failure, a one-line reason.
inline support::FileError readFile(const std::string &path, std::string &text) {
  return support::readInputFile(path, text);
}

/// Checks an output path before any work is done: its directory exists, it
/// is not a directory, and it is none of `inputs` (refused as gcc does).
inline support::FileError checkOutput(const std::string &output,
                                      const std::vector<std::string> &inputs) {
  support::OutputTarget target;
  if (auto error = support::resolveOutput(output, target))
    return error;
  return support::checkOutputNotInput(output, inputs);
}

} // namespace kiln::tool
