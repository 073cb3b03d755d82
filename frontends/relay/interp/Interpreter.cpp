// Interpreter: the public entry points, calls (interpreted or routed to
// native code) and the guards around them.
//
// Every entry point runs its body inside kiln_rt_call_guarded with a C++
// catch inside, so both kinds of failure end there: a Relay runtime error
// (thrown as interp::Trap) and a trap raised by the C runtime itself (out of
// memory while growing an array). Either way the call depth and the slot
// stack are put back as the entry point found them.
#include "Compiler.h"
#include "InterpreterImpl.h"

#include <algorithm>
#include <new>

namespace kiln::relay {
using namespace interp;

// ---- Errors -----------------------------------------------------------------

void interp::fail(Loc loc, std::string message) {
  throw Trap{RuntimeError{std::move(message), loc}};
}

void interp::failTimeout() {
  char message[128];
  kiln_rt_timeout_message(message, sizeof message);
  fail(Loc{}, message);
}

void interp::failStepLimit(uint64_t limit) {
  fail(Loc{}, "step limit exceeded: more than " + std::to_string(limit) +
                  " function entries and loop iterations");
}

void interp::failIndex(const kiln_rt_array *array, double index, Loc loc) {
  char message[128];
  if (!kiln_rt_index_message(array, index, message, sizeof message))
    fail(loc, "invalid array index");
  fail(loc, message);
}

namespace {

/// Where a trap reported by the C runtime happened.
Loc trapLoc(const kiln_rt_trap_info &info) {
  return Loc{static_cast<uint32_t>(std::max(info.line, 0)),
             static_cast<uint32_t>(std::max(info.column, 0))};
}

/// Trap details, filled only while a trap unwinds to one guarded call and
/// read right after it, so one buffer per thread serves every nesting level
/// and deep native/interpreted recursion keeps its frames small.
kiln_rt_trap_info &trapInfo() {
  static thread_local kiln_rt_trap_info info;
  return info;
}

} // namespace

// ---- Slot stack
// ---------------------------------------------------------------

Slot *SlotStack::pushInNewChunk(size_t n) {
  constexpr size_t ChunkSlots = size_t(1) << 16;
  size_t next = chunks.empty() ? 0 : chunk + 1;
  if (next < chunks.size() &&
      static_cast<size_t>(chunks[next].end - chunks[next].slots.get()) < n)
    chunks.resize(next); // too small for this frame: replace it
  if (next == chunks.size()) {
    size_t size = std::max(n, ChunkSlots);
    auto slots = std::make_unique<Slot[]>(size);
    Slot *end = slots.get() + size;
    chunks.push_back(Chunk{std::move(slots), end});
  }
  chunk = next;
  top = chunks[next].slots.get() + n;
  limit = chunks[next].end;
  return chunks[next].slots.get();
}

// ---- Calls
// --------------------------------------------------------------------

Interpreter::Impl::Impl(Interpreter &owner, const Program &program)
    : owner(owner), program(program),
      functions(std::make_unique<FunctionState[]>(program.functions.size())),
      codes(program.functions.size()) {}

const Code &Interpreter::Impl::lower(const FuncDecl &fn) {
  codes[fn.index] = compile(fn);
  return *codes[fn.index];
}

namespace {

struct NativeCall {
  NativeEntry entry;
  const Slot *args;
  Slot ret;
};

void enterNative(void *context) {
  auto *call = static_cast<NativeCall *>(context);
  call->entry(call->args, &call->ret);
}

} // namespace

/// Native code does its own guards; a trap inside it unwinds to
/// kiln_rt_call_guarded, which also restores the depth it found.
Slot Interpreter::Impl::callNative(const FuncDecl &fn, NativeEntry entry,
                                   Slot *args) {
  bump(functions[fn.index].nativeCalls);
  NativeCall call{entry, args, Slot{}};
  kiln_rt_trap_info &info = trapInfo();
  if (kiln_rt_call_guarded(enterNative, &call, &info))
    fail(trapLoc(info), info.message);
  return call.ret;
}

namespace {

struct OsrCall {
  OsrEntry entry;
  Slot *frame;
  const OsrLoop *loops;
  Slot ret;
};

void enterOsrCode(void *context) {
  auto *call = static_cast<OsrCall *>(context);
  call->entry(call->frame, call->loops, &call->ret);
}

/// Iterations between two questions to onHotLoop once a call is hot.
constexpr uint64_t OsrRetry = 64;

} // namespace

/// The compiled code runs the rest of the call with its own guards; a trap
/// in it unwinds to kiln_rt_call_guarded and becomes this call's error.
bool Interpreter::Impl::enterOsr(Frame &frame, const OsrLoop &loop) {
  askAtLoopEnd = false;
  OsrEntry entry =
      owner.onHotLoop ? owner.onHotLoop(*frame.fn, loop, frame.slots) : nullptr;
  frame.askAtLoopEnd = askAtLoopEnd && !entry;
  if (!entry) {
    frame.osrAt = frame.loopIterations + OsrRetry;
    return false;
  }
  ++osrEntries;
  OsrCall call{entry, frame.slots, &loop, Slot{}};
  kiln_rt_trap_info &info = trapInfo();
  if (kiln_rt_call_guarded(enterOsrCode, &call, &info))
    fail(trapLoc(info), info.message);
  result = call.ret;
  return true;
}

void Interpreter::Impl::runMain(std::vector<Slot> *globals) {
  const FuncDecl &fn = *program.main;
  const Code &code = codeFor(fn);
  size_t n = code.nslots;
  Slot *frame = stack.push(code.frameSize);
  std::fill(frame, frame + n, Slot{});
  if (globals)
    std::copy(globals->begin(), globals->begin() + std::min(n, globals->size()),
              frame);
  Frame active = newFrame(fn, frame);
  if (globals) // the REPL keeps these slots: no compiled code replaces them
    active.osrAt = UINT64_MAX;
  struct SaveBack { // also when a runtime error unwinds
    std::vector<Slot> *globals;
    Slot *frame;
    size_t n;
    ~SaveBack() {
      if (globals)
        globals->assign(frame, frame + n);
    }
  } saveBack{globals, frame, n};
  execute(code, active);
  bump(functions[fn.index].loopIterations, active.loopIterations);
}

// ---- Entry points
// -------------------------------------------------------------

namespace {

/// One entry point's body and its outcome, passed through the C runtime.
template <typename Body> struct Guarded {
  Body &body;
  RuntimeError &error;
  bool ok = false;

  static void run(void *context) {
    auto *self = static_cast<Guarded *>(context);
    try {
      self->body();
      self->ok = true;
    } catch (Trap &trap) {
      self->error = std::move(trap.error);
    } catch (const std::bad_alloc &) {
      self->error = RuntimeError{"out of memory", Loc{}};
    } catch (...) {
      self->error = RuntimeError{"internal error in the interpreter", Loc{}};
    }
  }
};

/// Runs `body`, turning every failure into `error`; restores the call depth,
/// the slot stack and the argument stack.
template <typename Body>
bool runGuarded(SlotStack &stack, std::vector<Slot> &argStack,
                RuntimeError &error, Body body) {
  int32_t depth = kiln_rt_depth;
  SlotStack::Mark mark = stack.mark();
  size_t args = argStack.size();
  Guarded<Body> guarded{body, error};
  kiln_rt_trap_info &info = trapInfo();
  if (kiln_rt_call_guarded(&Guarded<Body>::run, &guarded, &info)) {
    error = RuntimeError{info.message, trapLoc(info)};
    guarded.ok = false;
  }
  kiln_rt_depth = depth;
  stack.reset(mark);
  argStack.resize(args);
  return guarded.ok;
}

} // namespace

Interpreter::Interpreter(const Program &program)
    : P(std::make_unique<Impl>(*this, program)) {
  assert(program.main && "the program must have passed Sema");
}

Interpreter::~Interpreter() = default;

void Interpreter::setStepLimit(uint64_t steps) {
  P->stepLimit = steps;
  P->steps = 0;
}

bool Interpreter::run(RuntimeError &error) {
  return runGuarded(P->stack, P->argStack, error, [&] { P->runMain(); });
}

bool Interpreter::runWithGlobals(std::vector<Slot> &globals,
                                 RuntimeError &error) {
  return runGuarded(P->stack, P->argStack, error,
                    [&] { P->runMain(&globals); });
}

/// Always interprets the function, even when it has a native entry: the
/// caller is native code that chose the interpreted version.
bool Interpreter::call(int index, const Slot *args, Slot *ret,
                       RuntimeError &error) {
  if (index < 0 || static_cast<size_t>(index) >= P->program.functions.size()) {
    error =
        RuntimeError{"no function with index " + std::to_string(index), Loc{}};
    return false;
  }
  const FuncDecl &fn = *P->program.functions[index];
  return runGuarded(P->stack, P->argStack, error, [&] {
    const Code &code = P->codeFor(fn);
    Slot *frame = P->stack.push(code.frameSize);
    std::copy(args, args + code.nparams, frame);
    Slot returned = P->interpret(fn, code, frame);
    if (ret && fn.returnType != Type::Void)
      *ret = returned;
  });
}

void Interpreter::setOsrThreshold(uint64_t threshold) {
  P->osrThreshold = threshold == 0 ? UINT64_MAX : threshold;
}

uint64_t Interpreter::osrEntries() const { return P->osrEntries; }

void Interpreter::askAtLoopEnd() { P->askAtLoopEnd = true; }

void Interpreter::setNativeEntry(int index, NativeEntry entry) {
  if (index >= 0 && static_cast<size_t>(index) < P->program.functions.size())
    P->functions[index].native.store(entry, std::memory_order_release);
}

uint64_t Interpreter::interpretedCalls(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= P->program.functions.size())
    return 0;
  return P->functions[index].calls.load(std::memory_order_relaxed);
}

uint64_t Interpreter::nativeCalls(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= P->program.functions.size())
    return 0;
  return P->functions[index].nativeCalls.load(std::memory_order_relaxed);
}

} // namespace kiln::relay
