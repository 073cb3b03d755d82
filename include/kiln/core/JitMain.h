// JitMain: calling a JIT'd program's `main` the way lli does.
//
// `kiln run FILE.ll` calls main through a function pointer, so a `main` of
// another type (a global variable, `double main(double)`) must be refused
// before the call: calling it as int(int, char **) jumps into data or reads
// a random register as the exit status.
#pragma once

#include "llvm/ExecutionEngine/Orc/Shared/ExecutorAddress.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace kiln::core {

/// The type of a module's `main`, as checked by checkMain.
struct MainSignature {
  unsigned params = 0;      ///< 0 to 3: (i32 argc, ptr argv, ptr envp)
  unsigned returnBits = 32; ///< 0 (void), 1, 8, 16, 32 or 64
};

/// The signature of `module`'s `main`, or a one-line error when there is no
/// defined function of a type lli accepts: up to three parameters
/// (i32, ptr, ptr) and an integer or void result.
llvm::Expected<MainSignature> checkMain(const llvm::Module &module);

/// Calls the `main` at `address` with `args` as argv (args[0] is the
/// program's name) and the process's environment as envp. Returns the exit
/// status: main's result modulo 256, 0 for a void main.
int callMain(const MainSignature &signature, llvm::orc::ExecutorAddr address,
             const std::vector<std::string> &args);

/// The symbol addIsolatedMain defines.
inline constexpr const char *kIsolatedMainName = "__kiln_main";

/// Adds `i32 __kiln_main(i32 argc, ptr argv)` to `module` for an isolated
/// engine (which has no ORC platform): it runs the module's constructors in
/// priority order, registers its destructors with atexit, calls main with
/// the executor's environment and ends with exit(status) as a C program's
/// start does, so atexit handlers run and stdio is flushed. Removes
/// llvm.global_ctors/dtors. Call Jit::runMain on it; its result is main's
/// status (modulo 256, 0 for a void main).
llvm::Error addIsolatedMain(llvm::Module &module,
                            const MainSignature &signature);

} // namespace kiln::core
