// Command: how `kiln` subcommands are declared and found.
//
// Each subcommand family lives in its own file and contributes Command
// entries through one function listed in allCommands() (main.cpp);
// frontends add theirs the same way. A command parses its own arguments
// (Options.h), `--help` included.
#pragma once

#include "kiln/core/Timing.h"
#include "kiln/support/Diagnostic.h"

#include <string>
#include <vector>

namespace kiln::tool {

struct RunOptions; // Options.h

using Args = std::vector<std::string>;

struct Command {
  const char *name;
  const char *summary;          ///< one line for `kiln --help`
  int (*run)(const Args &args); ///< parses its own flags, --help included
};

/// Every subcommand, in the order `kiln --help` lists them.
const std::vector<Command> &allCommands();

/// Prints "kiln: error: <message>" on stderr and returns exit status 2
/// (command-line misuse) or 1 (failure), as given.
int fail(const std::string &message, int status = 1);

/// Prints an error already rendered as a diagnostic and returns 1.
int failWith(std::string rendered);
/// Prints `diags` (coloured when stderr is a terminal) and returns 1.
int failWith(const Diagnostics &diags);
/// The end of a compiling command: after its output, `diags` (if any) and
/// `timings`' table (non-null for --time) on stderr; returns `status`.
int finish(const Diagnostics &diags, const core::PhaseTimings *timings,
           int status);

/// A source language `kiln run FILE` accepts, chosen by the file's
/// extension (frontends register one each); `run` gets `kiln run`'s flags.
struct FileHandler {
  const char *extension; ///< ".relay"
  int (*run)(const RunOptions &opts);
};
const FileHandler *handlerFor(const std::string &file);
/// The handler for `-x LANGUAGE` (its extension without the dot), or null.
const FileHandler *handlerForLanguage(const std::string &language);

// The families (one file each).
std::vector<Command> coreCommands();  // run, compile, targets
std::vector<Command> relayCommands(); // build, repl
std::vector<FileHandler> relayFileHandlers();
std::vector<Command> tensorCommands(); // tensor run|build
std::vector<Command> faustCommands();  // faust info|render|compile|bench
std::vector<Command> explainCommands(); // explain (explain/)

} // namespace kiln::tool
