// kiln: the command-line driver. Dispatches to the subcommand named by the
// first argument; `kiln --help` lists them.
#include "Command.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fmt/format.h>

#ifndef KILN_VERSION
#define KILN_VERSION "unknown"
#endif

namespace kiln::tool {

const std::vector<Command> &allCommands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> all;
    for (auto family :
         {coreCommands, relayCommands, tensorCommands, faustCommands,
          explainCommands})
      for (auto &c : family())
        all.push_back(c);
    return all;
  }();
  return commands;
}

namespace {
const std::vector<FileHandler> &fileHandlers() {
  static const std::vector<FileHandler> handlers = relayFileHandlers();
  return handlers;
}
} // namespace

const FileHandler *handlerFor(const std::string &file) {
  for (auto &h : fileHandlers())
    if (file.size() > std::strlen(h.extension) && file.ends_with(h.extension))
      return &h;
  return nullptr;
}

const FileHandler *handlerForLanguage(const std::string &language) {
  for (auto &h : fileHandlers())
    if (language == h.extension + 1) // ".relay" -> "relay"
      return &h;
  return nullptr;
}

int fail(const std::string &message, int status) {
  failWith("kiln: error: " + message);
  return status;
}

int failWith(std::string rendered) {
  std::fflush(stdout);
  fmt::print(stderr, "{}\n", rendered);
  return 1;
}

int failWith(const Diagnostics &diags) {
  return failWith(render(diags, stderrWantsColor()));
}

int finish(const Diagnostics &diags, const core::PhaseTimings *timings,
           int status) {
  std::fflush(stdout);
  if (!diags.empty())
    fmt::print(stderr, "{}\n", render(diags, stderrWantsColor()));
  if (timings)
    std::fputs(timings->table().c_str(), stderr);
  return status;
}

static void printHelp() {
  fmt::print("kiln {} - compile small numeric languages with LLVM 19\n\n"
             "usage: kiln COMMAND [OPTIONS] ...\n\ncommands:\n",
             KILN_VERSION);
  for (auto &c : allCommands())
    fmt::print("  {:<10} {}\n", c.name, c.summary);
  fmt::print("\n`kiln help COMMAND` or `kiln COMMAND --help` for details;\n"
             "every command takes --time to print its phase times.\n");
}

static int dispatch(const Args &args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    printHelp();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    fmt::print("kiln {} (LLVM 19)\n", KILN_VERSION);
    return 0;
  }
  bool help = args[0] == "help"; // `kiln help NAME` is `kiln NAME --help`
  if (help && args.size() < 2) {
    printHelp();
    return 0;
  }
  const std::string &name = args[help ? 1 : 0];
  auto command = std::ranges::find_if(
      allCommands(), [&](const Command &c) { return name == c.name; });
  if (command == allCommands().end())
    return fail("unknown command '" + name + "' (see `kiln --help`)", 2);
  return command->run(help ? Args{"--help"}
                           : Args(args.begin() + 1, args.end()));
}

} // namespace kiln::tool

/// Program output that could not be written (`> /dev/full`, a closed pipe's
/// disk twin) is a failure: the status says so, never 0.
static int checkStdout(int status) {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout))
    return status;
  int error = errno;
  fmt::print(stderr, "kiln: error: cannot write to standard output: {}\n",
             std::strerror(error ? error : EIO));
  return status == 0 ? 1 : status;
}

int main(int argc, char **argv) {
  int status;
  try {
    status = kiln::tool::dispatch(kiln::tool::Args(argv + 1, argv + argc));
  } catch (const std::exception &e) {
    status = kiln::tool::fail(std::string("internal error: ") + e.what());
  }
  return checkStdout(status);
}
