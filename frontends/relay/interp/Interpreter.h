// Interpreter: runs an analysed Relay program, each function lowered to
// register bytecode on its first call (Bytecode.h, Compiler.h, Vm.cpp).
//
// The independent oracle for the compiled tiers: it shares only the syntax
// layer and the C runtime's formatting and index messages with them, never
// the core or LLVM. It also hosts the execution router's slow tier: calls of
// a function whose native entry is set go to native code instead.
#pragma once

#include "../syntax/AST.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kiln::relay {

/// A Relay value in one 8-byte slot, the representation shared with
/// compiled code: number = double bits, bool = 0/1, array = kiln_rt_array*.
union Slot {
  double number;
  int64_t boolean;
  void *array;
};

/// A Relay runtime error (docs/relay.md, "Runtime errors"); the driver
/// renders it as `file:line:col: runtime error: message`.
struct RuntimeError {
  std::string message;
  Loc loc; ///< line 0: no location (e.g. timeout)
};

/// Compiled code's slot-based entry (`relay.<f>.entry`): args[i] holds
/// parameter i, *ret receives the result (if any). The interpreter runs it
/// inside kiln_rt_call_guarded, so a trap in it becomes a RuntimeError.
using NativeEntry = void (*)(const Slot *args, Slot *ret);

/// The hidden state of one active loop of a call (or of the top-level
/// code), which on-stack replacement hands to compiled code: a C layout
/// that relay/irgen reads at fixed offsets (IRGen.h, OsrLayout; the router
/// checks that the two agree). Each call's active loops form a chain from
/// the innermost outward.
struct OsrLoop {
  const OsrLoop *outer = nullptr; ///< the enclosing active loop, or null
  const Stmt *loop = nullptr;     ///< a WhileStmt, ForRangeStmt or ForEachStmt
  double counter = 0, end = 0;    ///< `for v in a..b`: hidden counter and end
  void *array = nullptr;          ///< `for x in arr`: the array (kiln_rt_array)
  int64_t index = 0;              ///< `for x in arr`: the index
  uint64_t run = 0; ///< which run of a loop this is: new for every run
};

/// Compiled code that runs the rest of a call (or of the top-level code)
/// from the header of `loops->loop`: `frame` holds the call's slots (read,
/// not written back), `loops` the innermost active loop, *ret receives the
/// call's result (if any). The interpreter runs it inside
/// kiln_rt_call_guarded, like a NativeEntry.
using OsrEntry = void (*)(Slot *frame, const OsrLoop *loops, Slot *ret);

class Interpreter {
public:
  /// `program` must have passed Sema and must outlive the interpreter.
  explicit Interpreter(const Program &program);
  ~Interpreter();

  /// Runs the top-level statements. Returns true on success; false after a
  /// runtime error, described in `error`. Output goes through the runtime
  /// (kiln_rt_print_*: stdout, or the output the host set for the thread).
  bool run(RuntimeError &error);

  /// run() for a REPL: `globals` preloads the first slots of the top-level
  /// frame (variables kept from earlier entries, see analyze's `globals`)
  /// and receives the whole top-level frame afterwards, even after an error.
  bool runWithGlobals(std::vector<Slot> &globals, RuntimeError &error);

  /// Calls function `index` with `args` (used by compiled code that calls an
  /// interpreted function). Always interprets it, even when it has a native
  /// entry. Returns false on a runtime error. Re-entrant: native code called
  /// from run() may call this on the same thread.
  bool call(int index, const Slot *args, Slot *ret, RuntimeError &error);

  /// Stops a program after `steps` function entries and loop iterations
  /// (counted from this call, over run() and call() alike; 0, the default,
  /// is no limit) with a runtime error without location. A deterministic
  /// budget for fuzzing, where a time limit would make runs irreproducible.
  void setStepLimit(uint64_t steps);

  // ---- Router hooks ------------------------------------------------------
  /// From now on, calls of function `index` run `entry` (thread-safe).
  void setNativeEntry(int index, NativeEntry entry);
  /// Called (on the interpreting thread) after every interpreted call of a
  /// function with its total call count and loop iterations so far.
  std::function<void(const FuncDecl &, uint64_t calls, uint64_t loopIterations)>
      onProfile;
  /// On-stack replacement: once one call (or the top-level code) has run
  /// `threshold` loop iterations (0: never), every loop header it reaches
  /// asks onHotLoop, with the chain of active loops, for compiled code that
  /// continues from there; null means "not yet" (asked again after 64 more
  /// iterations). When it returns code, the interpreter runs it to the end
  /// of the call and returns its result. The top-level code of a run with
  /// globals (the REPL) is never replaced: its slots must survive it.
  void setOsrThreshold(uint64_t threshold);
  /// `frame` is the call's slots (read only).
  std::function<OsrEntry(const FuncDecl &, const OsrLoop &, const Slot *frame)>
      onHotLoop;
  /// For onHotLoop, before it returns null: ask again also at the first
  /// header after the current loop ends, which the 64-iteration rhythm
  /// never hits (the enclosing loop's header comes at the same count as the
  /// ended loop's last header), for code that enters an enclosing loop.
  void askAtLoopEnd();
  /// How many times compiled code took over a running call.
  uint64_t osrEntries() const;
  /// Counts calls that ran interpreted / native, per function index.
  uint64_t interpretedCalls(int index) const;
  uint64_t nativeCalls(int index) const;

private:
  struct Impl;
  std::unique_ptr<Impl> P;
};

} // namespace kiln::relay
