// ReplCommand: `kiln repl`, the interactive Relay session, with line
// editing and history (libedit) when standard input is a terminal.
#include "Command.h"
#include "Options.h"

#include "kiln/relay/Relay.h"

#include <cstdio>
#include <cstdlib>
#include <editline/readline.h>
#include <fmt/format.h>
#include <iostream>
#include <unistd.h>

namespace kiln::tool {

namespace {

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

std::string historyFile() {
  const char *home = std::getenv("HOME");
  return home ? std::string(home) + "/.kiln_history" : std::string();
}

/// `kiln repl`'s flags.
struct ReplFlags {
  OptLevel level = OptLevel::O2;
  RelayLimits limits;
  bool stats = false;
};

/// The session itself: entries until end of input. Returns the status.
int replSession(const ReplFlags &opts, const relay::RunOptions &options) {
  bool interactive = isatty(0);
  std::string history = historyFile();
  if (interactive) {
    fmt::print("Relay {} — definitions and statements, one entry at a time; "
               "Ctrl-D to quit.\n", "REPL");
    if (!history.empty())
      read_history(history.c_str());
  }
  relay::Repl repl(options);
  int failures = 0;
  std::string entry, line;
  while (readLine(interactive, entry.empty() ? "relay> " : "  ...> ", line)) {
    entry += line + "\n";
    if (relay::Repl::incomplete(entry))
      continue;
    if (entry.find_first_not_of(" \t\r\n") != std::string::npos) {
      if (Status status = repl.eval(entry); !status) {
        ++failures;
        std::fflush(stdout);
        fmt::print(stderr, "{}\n", kiln::render(status.diagnostics(),
                                                kiln::stderrWantsColor()));
        std::fflush(stderr);
      }
    }
    entry.clear();
  }
  // The input ended inside an entry (a ( [ or { left open): say where, and
  // fail, instead of dropping it.
  bool unfinished = entry.find_first_not_of(" \t\r\n") != std::string::npos;
  if (unfinished) {
    Status status = repl.eval(entry);
    std::fflush(stdout);
    fmt::print(stderr, "{}\n", kiln::render(status.diagnostics(),
                                            kiln::stderrWantsColor()));
  }
  if (interactive && !history.empty())
    write_history(history.c_str());
  if (opts.stats)
    fmt::print(stderr, "stats: functions-compiled {} compilations {}\n",
               repl.functionsCompiled(), repl.compilations());
  // Interactive sessions end normally, piped sessions report failures; an
  // unfinished last entry fails either way.
  return unfinished || (!interactive && failures > 0) ? 1 : 0;
}

std::unique_ptr<CLI::App> makeReplApp(ReplFlags &opts) {
  auto app = makeApp(
      "kiln repl", "interactive Relay: definitions and statements one at a time",
      "Functions are compiled when defined and kept; top-level variables\n"
      "persist between entries. An entry continues while ( [ { are open.");
  addOptLevel(*app, opts.level, "optimisation level (default -O2)");
  addTimeout(*app, opts.limits.timeout);
  addMaxDepth(*app, opts.limits.maxDepth);
  addFlag(*app, "--stats", opts.stats,
          "functions compiled and compilations on stderr at the end");
  return app; // no positionals: the REPL reads standard input
}

int replCommand(const Args &args) {
  ReplFlags opts;
  auto app = makeReplApp(opts);
  if (auto done = parseArgs(*app, args, "kiln repl --help"))
    return *done;
  relay::RunOptions options;
  options.level = opts.level; // -O1 and -O3 as asked
  options.timeoutSeconds = opts.limits.timeout;
  options.maxDepth = opts.limits.maxDepth;
  // The whole session runs on a thread sized for --max-depth, as `kiln run`
  // does: deep recursion ends in "stack overflow", never a segfault.
  int status = 1;
  Status started = relay::runWithStackFor(
      options.maxDepth, options.timeoutSeconds,
      [&] { status = replSession(opts, options); });
  if (!started)
    return failWith(kiln::render(started.diagnostics(), kiln::stderrWantsColor()));
  return status;
}

} // namespace

Command replCommandEntry() {
  return {"repl", "interactive Relay: definitions and statements one at a time",
          replCommand};
}

} // namespace kiln::tool
