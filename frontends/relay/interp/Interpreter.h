// Interpreter: runs an analysed Relay program by walking its AST.
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

/// Calls compiled code: args[i] holds parameter i, *ret the result (if any).
/// Runs inside kiln_rt_call_guarded; returns non-zero after a trap, with the
/// runtime error already described in `error`.
struct RuntimeError {
  std::string message;
  Loc loc;           ///< line 0: no location (e.g. timeout)
};
using NativeEntry = void (*)(const Slot *args, Slot *ret);

class Interpreter {
public:
  /// `program` must have passed Sema and must outlive the interpreter.
  explicit Interpreter(const Program &program);
  ~Interpreter();

  /// Runs the top-level statements. Returns true on success; false after a
  /// runtime error, described in `error`. Output goes to stdout.
  bool run(RuntimeError &error);

  /// Calls function `index` with `args` (used by compiled code that calls an
  /// interpreted function). Returns false on a runtime error.
  bool call(int index, const Slot *args, Slot *ret, RuntimeError &error);

  // ---- Router hooks ------------------------------------------------------
  /// From now on, calls of function `index` run `entry` (thread-safe).
  void setNativeEntry(int index, NativeEntry entry);
  /// Called (on the interpreting thread) after every interpreted call of a
  /// function with its total call count and loop iterations so far.
  std::function<void(const FuncDecl &, uint64_t calls, uint64_t loopIterations)>
      onProfile;
  /// Counts calls that ran interpreted / native, per function index.
  uint64_t interpretedCalls(int index) const;
  uint64_t nativeCalls(int index) const;

private:
  struct Impl;
  std::unique_ptr<Impl> P;
};

} // namespace kiln::relay
