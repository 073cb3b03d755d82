// Router: the `auto` execution mode. The interpreter runs the program;
// functions marked @llvm are compiled up front, and a function that becomes
// hot (many calls, or long-running loops) is compiled on a background
// thread, after which its calls run native code. Compiled code calls every
// function through a small stub that jumps to native code when there is
// some and otherwise calls back into the interpreter, so the tiers mix
// freely and share arrays. The router is an Executor (see makeRouted): a
// CompiledProgram keeps it, and what it compiled, between runs and calls.
#pragma once

#include "Executor.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln::relay {

/// The stub module: for every user function g, a global `relay.g.native`
/// (null until g is compiled) and `relay.g`, which calls *relay.g.native or
/// else `relay_router_dispatch(&relay_router_self, index, args, ret,
/// budget)`. With `guards`, relay.g has irgen's hidden call budget (see
/// IRGen.h), which it passes on to either; without, dispatch gets 0.
llvm::Expected<std::unique_ptr<llvm::Module>>
generateStubs(const Program &program, llvm::LLVMContext &context, bool guards);

} // namespace kiln::relay
