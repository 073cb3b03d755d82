// Relay: run or build a Relay program (docs/relay.md).
//
// The entry points the `kiln` tool and embedders use; CompiledProgram.h is
// the finer-grained API they are built on. No LLVM types here: the front
// end's internals (syntax, interpreter, IR generation, router) stay behind
// these headers. Every call returns kiln::Diagnostics on failure; rendering
// them is the caller's business (kiln::render).
#pragma once

#include "kiln/relay/CompiledProgram.h"
#include "kiln/relay/Options.h"
#include "kiln/relay/Repl.h"
#include "kiln/relay/Value.h"
#include "kiln/support/Expected.h"

#include <string>

namespace kiln::relay {

/// Compiles and runs `source` once (CompiledProgram::compile, then run).
/// Output goes to options.print (default stdout). Not thread-safe (see
/// CompiledProgram.h).
Status run(const std::string &file, const std::string &source,
           const RunOptions &options, RunStats *stats = nullptr);

/// Like `run` in jit mode, but the compiled program runs in a separate
/// kiln-executor process (docs/RELIABILITY.md, "Isolated execution"): the
/// program is compiled as `kiln build` compiles an executable and its
/// `main` runs there, so output, runtime errors, --max-depth and --timeout
/// behave as in an AOT executable (the executor writes them to the host's
/// stdout and stderr; options.print does not apply). Returns the executor's
/// exit status; diagnostics when the program does not compile or the
/// executor died (a crash or a limit, naming the signal).
Expected<int> runIsolated(const std::string &file, const std::string &source,
                          const RunOptions &options,
                          const ExecutorLimits &limits);

/// Compiles `source` into `output` (no partial file on failure); tokens and
/// AST dumps go to stdout when output is "-".
Status build(const std::string &file, const std::string &source,
             const std::string &output, const BuildOptions &options);

} // namespace kiln::relay
