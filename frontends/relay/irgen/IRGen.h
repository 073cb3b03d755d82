// IRGen: analysed Relay AST -> LLVM IR, through the core's IR helpers.
//
// Symbols: every Relay function `f` becomes `relay.f` with a typed C
// signature (number -> double, bool -> i1 passed as i8 zeroext... see
// docs/relay.md), plus `relay.f.entry(ptr args, ptr ret)`, a wrapper taking
// 8-byte slots (kiln::relay::Slot) so untyped callers (the interpreter, the
// router) can call it. The top-level statements become `relay.main()`.
#pragma once

#include "../syntax/AST.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln::relay {

struct IRGenOptions {
  /// Emit the call-depth and timeout checks (docs/relay.md, "Guards").
  bool guards = true;
};

/// The whole program in one module (whole-program JIT and AOT): user
/// functions have internal linkage so the optimiser may inline them; the
/// `.entry` wrappers and `relay.main` are external.
llvm::Expected<std::unique_ptr<llvm::Module>>
generateProgram(const Program &program, llvm::LLVMContext &context,
                const IRGenOptions &options = {});

/// One function alone (the router's unit of compilation), with external
/// linkage for `relay.<name>.impl` and its `.entry` wrapper; the functions
/// it calls are referenced as external `relay.<callee>` declarations.
llvm::Expected<std::unique_ptr<llvm::Module>>
generateFunction(const Program &program, const FuncDecl &function,
                 llvm::LLVMContext &context, const IRGenOptions &options = {});

/// Adds the C entry point of an AOT executable: `int main(argc, argv)`
/// sets kiln_rt_max_depth, starts the watchdog when `timeoutSeconds` > 0
/// (or the KILN_TIMEOUT environment variable is set), calls relay.main,
/// flushes stdout and returns 0 (a runtime error exits 1 from the runtime).
void addExecutableMain(llvm::Module &module, double timeoutSeconds,
                       int maxDepth);

} // namespace kiln::relay
