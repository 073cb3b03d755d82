// Router: the `auto` execution mode. The interpreter runs the program;
// functions marked @llvm are compiled up front, and a function that becomes
// hot (many calls, or long-running loops) is compiled on a background
// thread, after which its calls run native code. Compiled code calls every
// function through a small stub that jumps to native code when there is
// some and otherwise calls back into the interpreter, so the tiers mix
// freely and share arrays.
#pragma once

#include "kiln/core/Cache.h"
#include "kiln/relay/Relay.h"
#include "relay/interp/Interpreter.h"
#include "relay/syntax/AST.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln::relay {

/// What the REPL adds to a routed run.
struct RouterSession {
  std::vector<Slot> *globals = nullptr; ///< top-level frame kept between runs
  bool compileAll = false;              ///< compile every function up front
  std::shared_ptr<core::CompileCache> cache; ///< shared between runs
};

/// Runs `program` in auto mode (on the current thread; guards already set).
int runRouted(const Program &program, const RunOptions &options,
              std::string &errors, RunStats *stats,
              const RouterSession &session = {});

/// The stub module: for every user function g, a global `relay.g.native`
/// (null until g is compiled) and `relay.g`, which calls *relay.g.native or
/// else `relay_router_dispatch(&relay_router_self, index, args, ret,
/// budget)`. With `guards`, relay.g has irgen's hidden call budget (see
/// IRGen.h), which it passes on to either; without, dispatch gets 0.
llvm::Expected<std::unique_ptr<llvm::Module>>
generateStubs(const Program &program, llvm::LLVMContext &context,
              bool guards);

} // namespace kiln::relay
