// RelayCommands: `kiln run FILE.relay`, `kiln build FILE.relay` and
// `kiln repl` (docs/relay.md), the REPL with line editing and history
// (libedit) when standard input is a terminal.
#include "Command.h"
#include "Options.h"

#include "kiln/core/Timing.h"
#include "kiln/relay/Relay.h"

#include <cstdio>
#include <cstdlib>
#include <editline/readline.h>
#include <fmt/format.h>
#include <iostream>
#include <unistd.h>

namespace kiln::tool {

namespace {

/// The program `kiln run` was given: its file, or standard input's text
/// read already to guess its language (RunInput.h).
support::FileError readProgram(const RunOptions &opts, std::string &source) {
  if (!opts.input)
    return readFile(opts.files[0], source);
  source = *opts.input;
  return std::nullopt;
}

/// `kiln run FILE.relay`: the flags come from `kiln run` (Options.h).
int runRelay(const RunOptions &opts) {
  if (opts.files.size() != 1)
    return fail("`kiln run` takes one .relay file", 2);
  if (!opts.target.empty() || !opts.cpu.empty())
    return fail("`kiln run` compiles for the host; --target and --cpu are "
                "for `kiln build`",
                2);
  const std::string file = opts.files[0] == "-" ? "<stdin>" : opts.files[0];
  std::string source;
  if (auto error = readProgram(opts, source))
    return fail(*error, 1);
  core::PhaseTimings timings;
  relay::RunOptions options;
  options.mode = relay::parseMode(opts.mode).value_or(relay::Mode::Auto);
  options.level = opts.compile.level;
  options.timeoutSeconds = opts.timeout;
  options.maxDepth = opts.maxDepth;
  options.guards = opts.guards;
  options.debugInfo = opts.debugInfo;
  options.timings = &timings;
  options.cache = opts.cache;
  if (const char *osr = std::getenv("KILN_OSR_THRESHOLD"); // a testing knob
      osr && *osr && !relay::setDeterministicOsr(options, osr))
    return fail("KILN_OSR_THRESHOLD must be a count of loop iterations, not '" +
                    std::string(osr) + "'",
                2);
  if (opts.debugInfo && (opts.mode == "interp" || opts.isolate))
    return fail("-g debugs compiled code in this process: use it with "
                "--mode=jit or auto (without --isolate), or `kiln build -g`",
                2);
  if (opts.isolate && opts.mode == "interp")
    return fail("--isolate runs compiled code; it does not combine with "
                "--mode=interp",
                2);
  const core::PhaseTimings *table = opts.compile.time ? &timings : nullptr;
  if (opts.isolate) { // compiled as for `kiln build`, run in kiln-executor
    auto status = relay::runIsolated(file, source, options,
                                     {opts.memoryLimit, opts.cpuLimit});
    return finish(status.diagnostics(), table, status ? *status : 1);
  }
  if (opts.memoryLimit || opts.cpuLimit)
    return fail("--memory-limit and --cpu-limit need --isolate", 2);
  relay::RunStats stats;
  Status status = relay::run(file, source, options, &stats);
  if (opts.stats)
    std::fputs(relay::statsLine(stats).c_str(), stderr);
  return finish(status.diagnostics(), table, status ? 0 : 1);
}

/// `kiln build`'s flags; the shared ones go straight into `options`.
struct BuildFlags {
  relay::BuildOptions options;
  bool time = false;
  std::string emit = "exe", output;
  std::vector<std::string> files;
};

std::unique_ptr<CLI::App> makeBuildApp(BuildFlags &opts) {
  auto app = makeApp(
      "kiln build",
      "compile a .relay program to an executable (or obj/asm/ll/bc/tokens/ast)",
      "The executable needs no LLVM at run time; KILN_TIMEOUT=S limits its "
      "run.");
  addOptLevel(*app, opts.options.level, "optimisation level (default -O2)");
  addFlag(*app, "--time", opts.time, "print the phase times on stderr");
  addString(*app, "--emit", opts.emit,
            "exe (default), obj, asm, ll, bc, tokens or ast")
      ->type_name("KIND");
  addString(*app, "-o", opts.output, "the output (tokens, ast: default stdout)")
      ->type_name("OUT");
  addString(*app, "--target", opts.options.target,
            "the target triple (default: host)")
      ->type_name("TRIPLE");
  addTimeout(*app, opts.options.timeoutSeconds);
  addMaxDepth(*app, opts.options.maxDepth);
  addFlag(*app, "--no-guards", opts.options.guards,
          "compiled code without depth and time guards", false);
  addDebugInfo(*app, opts.options.debugInfo);
  app->add_option("FILE", opts.files, "FILE.relay")->type_name("");
  return app;
}

int buildRelay(const Args &args) {
  BuildFlags opts;
  auto app = makeBuildApp(opts);
  if (auto done = parseArgs(*app, args, "kiln build --help"))
    return *done;
  if (opts.files.size() != 1)
    return fail("`kiln build` takes one .relay file", 2);
  const std::string &file = opts.files[0];
  if (file.size() < 7 || !file.ends_with(".relay"))
    return fail("`kiln build` compiles .relay files; use `kiln compile` for IR",
                2);
  auto kind = relay::parseBuildKind(opts.emit);
  if (!kind)
    return fail("unknown --emit kind '" + opts.emit +
                    "' (use exe, obj, asm, ll, bc, tokens or ast)",
                2);
  bool dump =
      *kind == relay::BuildKind::Tokens || *kind == relay::BuildKind::AST;
  if (opts.output.empty() && !dump)
    return fail("`kiln build` needs -o OUTPUT", 2);
  std::string output = opts.output.empty() ? "-" : opts.output;
  if (auto error = checkOutput(output, {file}))
    return fail(*error, 1);
  std::string source;
  if (auto error = readFile(file, source))
    return fail(*error, 1);
  core::PhaseTimings timings;
  opts.options.kind = *kind;
  opts.options.timings = &timings;
  Status status = relay::build(file, source, output, opts.options);
  return finish(status.diagnostics(), opts.time ? &timings : nullptr,
                status ? 0 : 1);
}

/// One line of input, or false at end of input.
bool readLine(bool interactive, const char *prompt, std::string &line) {
  if (!interactive)
    return bool(std::getline(std::cin, line));
  char *text = readline(prompt);
  if (!text)
    return false;
  line = text;
  if (!line.empty())
    add_history(text);
  std::free(text);
  return true;
}

/// The session (relay::Repl::session) with a terminal's banner and history
/// around it. Returns the status.
int replSession(const relay::RunOptions &options, bool stats) {
  bool interactive = isatty(0);
  const char *home = std::getenv("HOME");
  std::string history = home ? std::string(home) + "/.kiln_history" : "";
  if (interactive) {
    fmt::print("Relay {} — definitions and statements, one entry at a time; "
               "Ctrl-D to quit.\n",
               "REPL");
    if (!history.empty())
      read_history(history.c_str());
  }
  relay::Repl repl(options);
  auto result = repl.session(
      [&](const char *prompt, std::string &line) {
        return readLine(interactive, prompt, line);
      },
      [](const Diagnostics &diags) { failWith(diags); });
  if (interactive && !history.empty())
    write_history(history.c_str());
  if (stats)
    std::fputs(repl.statsLine().c_str(), stderr);
  // Interactive sessions end normally, piped sessions report failures; an
  // unfinished last entry (a ( [ or { left open) fails either way.
  return result.unfinished || (!interactive && result.failures > 0) ? 1 : 0;
}

int replCommand(const Args &args) {
  relay::RunOptions options; // -O1 and -O3 as asked
  bool stats = false;
  auto app = makeApp(
      "kiln repl",
      "interactive Relay: definitions and statements one at a time",
      "Functions are compiled when defined and kept; top-level variables\n"
      "persist between entries. An entry continues while ( [ { are open.");
  addOptLevel(*app, options.level, "optimisation level (default -O2)");
  addTimeout(*app, options.timeoutSeconds);
  addMaxDepth(*app, options.maxDepth);
  addFlag(*app, "--stats", stats,
          "functions compiled and compilations on stderr at the end");
  // No positionals: the REPL reads standard input.
  if (auto done = parseArgs(*app, args, "kiln repl --help"))
    return *done;
  // The whole session runs on a thread sized for --max-depth, as `kiln run`
  // does: deep recursion ends in "stack overflow", never a segfault.
  int status = 1;
  Status started =
      relay::runWithStackFor(options.maxDepth, options.timeoutSeconds,
                             [&] { status = replSession(options, stats); });
  return started ? status : failWith(started.diagnostics());
}

} // namespace

std::vector<FileHandler> relayFileHandlers() { return {{".relay", runRelay}}; }

std::vector<Command> relayCommands() {
  return {
      {"build",
       "compile a .relay program to an executable (or "
       "obj/asm/ll/bc/tokens/ast)",
       buildRelay},
      {"repl", "interactive Relay: definitions and statements one at a time",
       replCommand},
  };
}

} // namespace kiln::tool
