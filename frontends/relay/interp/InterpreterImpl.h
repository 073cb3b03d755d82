// InterpreterImpl: the interpreter's private state, shared by the files that
// evaluate expressions (Eval.cpp), execute statements (Exec.cpp) and make
// calls (Interpreter.cpp).
//
// Runtime errors unwind as a C++ exception (Trap) to run()/call(), which
// restore the call depth and the slot stack; nothing else needs cleanup,
// because frames live on the SlotStack and arrays in the runtime's arena.
#pragma once

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

/// How a statement finished: normally or by break, continue or return.
enum class Flow { Normal, Break, Continue, Return };

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
  bool askAtLoopEnd = false; ///< see Interpreter::askAtLoopEnd
};

/// Makes `loop` the frame's innermost active loop while it runs.
class ActiveLoop {
public:
  ActiveLoop(Frame &frame, OsrLoop &loop) : frame(frame) {
    loop.outer = frame.loops;
    frame.loops = &loop;
  }
  ~ActiveLoop() {
    frame.loops = frame.loops->outer;
    if (frame.askAtLoopEnd) [[unlikely]]
      frame.osrAt = frame.loopIterations;
  }

private:
  Frame &frame;
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

/// `array[index]` with Relay's checks; loc is the '['.
inline double *element(kiln_rt_array *array, double index, Loc loc) {
  if (index >= 0 && index < static_cast<double>(array->length)) [[likely]] {
    auto i = static_cast<int64_t>(index);
    if (static_cast<double>(i) == index) [[likely]]
      return &array->data[i];
  }
  failIndex(array, index, loc);
}

} // namespace kiln::relay::interp

namespace kiln::relay {

struct Interpreter::Impl {
  Impl(Interpreter &owner, const Program &program);

  Interpreter &owner; ///< for onProfile
  const Program &program;
  std::unique_ptr<interp::FunctionState[]> functions;
  interp::SlotStack stack;
  Slot result{};                      ///< the value of the last `return value`
  uint64_t stepLimit = 0, steps = 0;  ///< see Interpreter::setStepLimit
  uint64_t osrThreshold = UINT64_MAX; ///< see Interpreter::setOsrThreshold
  uint64_t osrEntries = 0;
  uint64_t loopRuns = 0; ///< numbers the runs of loops (OsrLoop::run)
  bool askAtLoopEnd = false; ///< onHotLoop's wish for the frame it was asked for

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
  /// loop then returns Flow::Return). One compare unless the frame is hot.
  bool replaced(interp::Frame &frame, const OsrLoop &loop) {
    if (frame.loopIterations < frame.osrAt) [[likely]]
      return false;
    return enterOsr(frame, loop);
  }
  interp::Frame newFrame(const FuncDecl &fn, Slot *slots) const {
    return interp::Frame{slots, &fn, osrThreshold};
  }

  // Interpreter.cpp: calls.
  Slot callUser(const CallExpr *call, Slot *slots);
  Slot interpret(const FuncDecl &fn, Slot *frame);
  Slot callNative(const FuncDecl &fn, NativeEntry entry, Slot *args);
  /// Asks onHotLoop for code and runs it (cold: see replaced()).
  [[gnu::noinline]] bool enterOsr(interp::Frame &frame, const OsrLoop &loop);
  /// Runs the top-level code; `globals` (if given) preloads main's first
  /// slots and receives every main slot afterwards, even after an error.
  void runMain(std::vector<Slot> *globals = nullptr);

  // Eval.cpp: expressions and builtins. eval works for any value; number
  // and truth return the value unboxed, with the commonest leaves inline.
  Slot eval(const Expr *e, Slot *slots);
  Slot value(const Expr *e, Slot *slots) {
    if (e->type == Type::Number)
      return Slot{.number = number(e, slots)};
    if (e->kind == Expr::Kind::Var)
      return slots[static_cast<const VarExpr *>(e)->slot];
    return eval(e, slots);
  }
  double number(const Expr *e, Slot *slots) {
    if (e->kind == Expr::Kind::Var)
      return slots[static_cast<const VarExpr *>(e)->slot].number;
    if (e->kind == Expr::Kind::Number)
      return static_cast<const NumberExpr *>(e)->value;
    return evalNumber(e, slots);
  }
  bool truth(const Expr *e, Slot *slots) {
    if (e->kind == Expr::Kind::Binary)
      return evalCondition(static_cast<const BinaryExpr *>(e), slots);
    return evalTruth(e, slots);
  }
  double evalNumber(const Expr *e, Slot *slots);
  bool evalTruth(const Expr *e, Slot *slots);
  bool evalCondition(const BinaryExpr *e, Slot *slots);
  double numberChain(const BinaryExpr *top, Slot *slots);
  bool truthChain(const BinaryExpr *top, Slot *slots);
  double evalIndex(const IndexExpr *e, Slot *slots);
  Slot evalArrayLit(const ArrayLitExpr *e, Slot *slots);
  Slot evalCall(const CallExpr *e, Slot *slots);
  double evalMath(const CallExpr *e, Slot *slots);
  void print(const CallExpr *e, Slot *slots);

  // Exec.cpp: statements.
  interp::Flow exec(const Stmt *s, interp::Frame &frame);
  interp::Flow execBlock(const BlockStmt *block, interp::Frame &frame);
  void execAssign(const AssignStmt *s, Slot *slots);
  interp::Flow execIf(const IfStmt *s, interp::Frame &frame);
  interp::Flow execWhile(const WhileStmt *s, interp::Frame &frame);
  interp::Flow execForRange(const ForRangeStmt *s, interp::Frame &frame);
  interp::Flow execForEach(const ForEachStmt *s, interp::Frame &frame);
};

} // namespace kiln::relay
