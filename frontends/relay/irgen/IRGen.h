// IRGen: analysed Relay AST -> LLVM IR, through the core's IR helpers.
//
// Symbols: every Relay function `f` becomes `relay.f` with a typed
// signature (number -> double, bool -> i1, array -> ptr to kiln_rt_array,
// no value -> void), plus `relay.f.entry(ptr args, ptr ret)`, a wrapper
// taking 8-byte slots (kiln::relay::Slot: double bits, 0/1, pointer) so
// untyped callers (the interpreter, the router) can call it. The top-level
// statements become `void relay.main()`.
//
// With guards, `relay.f` takes one more argument after its parameters: an
// i32 call budget, kiln_rt_max_depth minus f's call depth. f traps with
// "stack overflow" when it is negative and passes budget - 1 to the user
// functions it calls, so the depth limit costs a register, a compare and a
// subtraction per call, with no memory traffic (docs/relay.md, "Guards").
// Code entered from the runtime's side derives the budget from the
// interpreter's counter: `.entry` passes max - kiln_rt_depth - 1, and
// relay.main starts from max - kiln_rt_depth. Semantics are docs/relay.md's,
// bit for bit: no fast-math, libm by name, the runtime's index checks.
#pragma once

#include "../syntax/AST.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln::relay {

struct IRGenOptions {
  /// Emit the call-depth and timeout checks (docs/relay.md, "Guards") at
  /// user-function entries and loop iterations, and the hidden call-budget
  /// argument of user functions. The top-level code (main) is not a call:
  /// like the interpreter, it neither counts nor polls on entry (its loops
  /// still poll).
  bool guards = true;
  /// DWARF for source-level debugging (DebugInfo.h): a subprogram per
  /// function, the line table and the variables. generateProgram and
  /// generateFunction honour it; OSR continuations get none.
  bool debugInfo = false;
};

/// The whole program in one module named "relay:<file>" (whole-program JIT
/// and AOT): user functions have internal linkage so the optimiser may
/// inline them; the `.entry` wrappers and `relay.main` are external. An
/// unanalysed or damaged AST gives an error, never a crash.
llvm::Expected<std::unique_ptr<llvm::Module>>
generateProgram(const Program &program, llvm::LLVMContext &context,
                const IRGenOptions &options = {});

/// One function alone in a module named "relay:<name>" (the router's unit of
/// compilation): `relay.<name>.impl` and `relay.<name>.entry`, both
/// external; every other user function it calls is an external
/// `relay.<callee>` declaration with the typed signature, which the router
/// must define (its stubs); calls of itself go to `.impl` directly.
llvm::Expected<std::unique_ptr<llvm::Module>>
generateFunction(const Program &program, const FuncDecl &function,
                 llvm::LLVMContext &context, const IRGenOptions &options = {});

/// On-stack replacement (the router): the rest of `function` (or of the
/// top-level code) from the header of `loop`, one of its loops, as the
/// external `void <entryName>(ptr frame, ptr loops, ptr ret)` (see
/// interp's OsrEntry). `frame` holds the interpreter's slots of the running
/// call (Slot: double bits, 0/1, array pointer; arrays are shared, not
/// copied), `loops` the innermost active loop's record (OsrLayout), whose
/// `outer` chain holds the loops around it. The code loads every slot, goes
/// on from the loop's header (resuming each enclosing loop after it
/// finishes: no loop is entered from the side, so every loop stays
/// natural), and stores the call's result (if any) in *ret. With guards,
/// its budget is kiln_rt_max_depth - kiln_rt_depth (the interpreter has
/// counted the call itself). Every other user function is defined in the
/// module with internal linkage, as in generateProgram, so hot callees
/// inline. `topLevelFrame`, for the top-level code only (which runs once):
/// its slots as they were at the loop header when OSR was requested; the
/// slots that cannot change any more (a `let` outside loops, before the
/// loop, and no other definition) become constants, as the whole-program
/// JIT sees them.
llvm::Expected<std::unique_ptr<llvm::Module>>
generateOsr(const Program &program, const FuncDecl &function, const Stmt &loop,
            const std::string &entryName, llvm::LLVMContext &context,
            const IRGenOptions &options = {},
            const std::vector<uint64_t> *topLevelFrame = nullptr);

/// Byte offsets of the fields of interp's OsrLoop that OSR code reads.
struct OsrLayout {
  static constexpr unsigned Outer = 0, Counter = 16, End = 24, Array = 32,
                            Index = 40;
};

/// Adds the C entry point of an AOT executable: `int main(argc, argv)`
/// returns kiln_rt_main(relay.main, maxDepth, timeoutSeconds), which sets
/// kiln_rt_max_depth, starts the watchdog when `timeoutSeconds` > 0 (or the
/// KILN_TIMEOUT environment variable is set), runs relay.main on a stack
/// sized for the depth limit and flushes stdout (a runtime error exits 1
/// from the runtime).
void addExecutableMain(llvm::Module &module, double timeoutSeconds,
                       int maxDepth);

} // namespace kiln::relay
