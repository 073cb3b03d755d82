// Executor: one way of running an analysed Relay program — interpreter,
// whole-program JIT or tier-up router — behind CompiledProgram.
//
// The caller runs each run() and call() on a thread prepared for it (stack
// sized for the depth limit, guards set, arena marked, print output routed;
// see CompiledProgram.cpp), one at a time.
#pragma once

#include "relay/interp/Interpreter.h"
#include "relay/syntax/AST.h"

#include "kiln/core/Cache.h"
#include "kiln/core/Jit.h"
#include "kiln/relay/Options.h"
#include "kiln/support/Expected.h"

#include <memory>
#include <vector>

namespace kiln::relay {

class Executor {
public:
  virtual ~Executor() = default;
  /// Runs the top-level code; `stats` (when given) receives the counts,
  /// also after an error.
  virtual Status run(RunStats *stats) = 0;
  /// Calls function `index` with one slot per parameter; *ret receives the
  /// result (if any). Arrays in args and *ret belong to the caller's arena.
  virtual Status call(int index, const Slot *args, Slot *ret) = 0;
};

/// The JIT engine options every Relay mode starts from: the opt level, the
/// timings and, with options.cache, the on-disk compile cache.
core::JitOptions jitOptionsFor(const RunOptions &options);

/// The interpreter alone (mode interp).
std::unique_ptr<Executor> makeInterpreted(const Program &program,
                                          const RunOptions &options);

/// The whole program compiled at once (mode jit): compiles now.
Expected<std::unique_ptr<Executor>> makeCompiled(const Program &program,
                                                 const RunOptions &options);

/// What the REPL adds to a routed run.
struct RouterSession {
  std::vector<Slot> *globals = nullptr; ///< top-level frame kept between runs
  bool compileAll = false;              ///< compile every function up front
  std::shared_ptr<core::CompileCache> cache; ///< shared between runs
};

/// The router (mode auto): interprets, compiles what gets hot in the
/// background. `program` must outlive it.
Expected<std::unique_ptr<Executor>>
makeRouted(const Program &program, const RunOptions &options,
           const RouterSession &session = {});

} // namespace kiln::relay
