// InterpreterImpl: the interpreter's private state, shared by the files that
// lower functions to bytecode (Compiler.cpp), run it (Vm.cpp) and make calls
// (Interpreter.cpp).
//
// Runtime errors unwind as a C++ exception (Trap) to run()/call(), which
// restore the call depth, the slot stack and the argument stack; nothing
// else needs cleanup, because frames live on the SlotStack and arrays in the
// runtime's arena.
#pragma once

#include "Bytecode.h"
#include "Interpreter.h"

#include "kiln/runtime/Abi.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::relay::interp {

/// Unwinds from a runtime error to the public entry point.
struct Trap {
  RuntimeError error;
};

/// Frame slots of every active call, in chunks that never move, so a frame
/// pointer stays valid while deeper calls push theirs. Frames are released
/// in LIFO order by restoring a Mark.
class SlotStack {
public:
  struct Mark {
    Slot *top, *limit;
    size_t chunk;
  };
  SlotStack() { pushInNewChunk(0); }
  Mark mark() const { return {top, limit, chunk}; }
  void reset(Mark m) {
    top = m.top;
    limit = m.limit;
    chunk = m.chunk;
  }
  /// `n` uninitialised slots.
  Slot *push(size_t n) {
    if (static_cast<size_t>(limit - top) < n) [[unlikely]]
      return pushInNewChunk(n);
    Slot *frame = top;
    top += n;
    return frame;
  }

private:
  struct Chunk {
    std::unique_ptr<Slot[]> slots;
    Slot *end;
  };
  Slot *pushInNewChunk(size_t n);
  std::vector<Chunk> chunks;
  size_t chunk = 0;
  Slot *top = nullptr, *limit = nullptr;
};

/// Per-function router state and profile counters. Only the interpreting
/// thread writes the counters; other threads may read them.
struct FunctionState {
  std::atomic<NativeEntry> native{nullptr};
  std::atomic<uint64_t> calls{0}, nativeCalls{0}, loopIterations{0};
};

/// One active call: its slots, the loop iterations it has run, and what
/// on-stack replacement needs (see Interpreter::setOsrThreshold).
struct Frame {
  Slot *slots;
  const FuncDecl *fn;
  uint64_t osrAt; ///< ask onHotLoop at loop headers from this many iterations
  uint64_t loopIterations = 0;
  const OsrLoop *loops = nullptr; ///< the innermost active loop
  bool askAtLoopEnd = false;      ///< see Interpreter::askAtLoopEnd
};

inline void bump(std::atomic<uint64_t> &counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by,
                std::memory_order_relaxed);
}

[[noreturn]] void fail(Loc loc, std::string message);
[[noreturn]] void failTimeout();
[[noreturn]] void failStepLimit(uint64_t limit);
[[noreturn]] void failIndex(const kiln_rt_array *array, double index, Loc loc);

/// The poll at every function entry and loop iteration.
inline void pollTimeout() {
  if (kiln_rt_interrupted) [[unlikely]]
    failTimeout();
}

/// `array[index]` with Relay's checks; `at` is the access, whose loc is
/// the '[' (read only on failure).
inline double *element(kiln_rt_array *array, double index, const Expr *at) {
  if (index >= 0 && index < static_cast<double>(array->length)) [[likely]] {
    auto i = static_cast<int64_t>(index);
    if (static_cast<double>(i) == index) [[likely]]
      return &array->data[i];
  }
  failIndex(array, index, at->loc);
}

} // namespace kiln::relay::interp

namespace kiln::relay {

struct Interpreter::Impl {
  Impl(Interpreter &owner, const Program &program);

  Interpreter &owner; ///< for onProfile
  const Program &program;
  std::unique_ptr<interp::FunctionState[]> functions;
  std::vector<std::unique_ptr<interp::Code>> codes; ///< by function index
  interp::SlotStack stack;
  /// Arguments of calls and prints with more than kMaxRegisterArgs of them
  /// (Bytecode.h), pushed one by one and popped by the call or print.
  std::vector<Slot> argStack;
  Slot result{}; ///< what on-stack replaced code returned (enterOsr)
  uint64_t stepLimit = 0, steps = 0;  ///< see Interpreter::setStepLimit
  uint64_t osrThreshold = UINT64_MAX; ///< see Interpreter::setOsrThreshold
  uint64_t osrEntries = 0;
  uint64_t loopRuns = 0; ///< numbers the runs of loops (OsrLoop::run)
  bool askAtLoopEnd =
      false; ///< onHotLoop's wish for the frame it was asked for

  /// The guard at every function entry and loop iteration: the timeout
  /// poll, then one step against the step limit.
  void step() {
    interp::pollTimeout();
    if (stepLimit != 0 && ++steps > stepLimit) [[unlikely]]
      interp::failStepLimit(stepLimit);
  }
  /// The start of one loop iteration.
  void beginIteration(interp::Frame &frame) {
    step();
    ++frame.loopIterations;
  }
  /// A loop header: true when compiled code ran the rest of the call (the
  /// call then returns its result). One compare unless the frame is hot.
  bool replaced(interp::Frame &frame, const OsrLoop &loop) {
    if (frame.loopIterations < frame.osrAt) [[likely]]
      return false;
    return enterOsr(frame, loop);
  }
  /// A `for v in a..b` header after replaced(): false when the loop ends,
  /// else one iteration's guards and v = the hidden counter.
  bool rangeStep(interp::Frame &frame, const OsrLoop &loop, double &var) {
    if (!(loop.counter < loop.end))
      return false;
    beginIteration(frame);
    var = loop.counter;
    return true;
  }
  /// `for v in arr`, likewise; the length is re-read every time.
  bool eachStep(interp::Frame &frame, const OsrLoop &loop, double &var) {
    auto *array = static_cast<const kiln_rt_array *>(loop.array);
    if (!(loop.index < array->length))
      return false;
    beginIteration(frame);
    var = array->data[loop.index];
    return true;
  }
  /// The end of a loop: its enclosing loop becomes the innermost again.
  static void leaveLoop(interp::Frame &frame, const OsrLoop &loop) {
    frame.loops = loop.outer;
    if (frame.askAtLoopEnd) [[unlikely]]
      frame.osrAt = frame.loopIterations;
  }
  interp::Frame newFrame(const FuncDecl &fn, Slot *slots) const {
    return interp::Frame{slots, &fn, osrThreshold};
  }

  // Interpreter.cpp: calls.
  /// `fn`'s bytecode, lowered on its first call.
  const interp::Code &codeFor(const FuncDecl &fn) {
    if (const interp::Code *code = codes[fn.index].get()) [[likely]]
      return *code;
    return lower(fn);
  }
  const interp::Code &lower(const FuncDecl &fn);
  /// A call from bytecode: `args` holds the evaluated arguments.
  Slot callUser(const CallExpr &call, const Slot *args);
  /// A call whose arguments are the top of argStack; pops them.
  Slot callStacked(const CallExpr &call);
  /// A print whose arguments are the top of argStack; pops them.
  void printStacked(const CallExpr &call);
  /// Runs `fn` whose parameters are in frame[0..n-1] (frame has
  /// code.frameSize slots), with the entry guards.
  Slot interpret(const FuncDecl &fn, const interp::Code &code, Slot *frame);
  Slot callNative(const FuncDecl &fn, NativeEntry entry, Slot *args);
  /// Asks onHotLoop for code and runs it (cold: see replaced()).
  [[gnu::noinline]] bool enterOsr(interp::Frame &frame, const OsrLoop &loop);
  /// Runs the top-level code; `globals` (if given) preloads main's first
  /// slots and receives every main slot afterwards, even after an error.
  void runMain(std::vector<Slot> *globals = nullptr);

  // Vm.cpp: runs one call's bytecode to its end; returns its value (none
  // for a void function).
  Slot execute(const interp::Code &code, interp::Frame &frame);
  /// print's arguments, already evaluated into args (strings: unused).
  void print(const CallExpr &call, const Slot *args);
};

} // namespace kiln::relay
