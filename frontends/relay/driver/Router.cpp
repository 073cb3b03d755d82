// Router: tiering between the interpreter and background-compiled code.
#include "Router.h"

#include "DriverSupport.h"
#include "OsrChoice.h"
#include "relay/interp/Interpreter.h"
#include "relay/irgen/IRGen.h"

#include "kiln/core/Cache.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Jit.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace kiln::relay {

// OSR code reads the interpreter's loop records at irgen's offsets.
static_assert(offsetof(OsrLoop, outer) == OsrLayout::Outer);
static_assert(offsetof(OsrLoop, counter) == OsrLayout::Counter);
static_assert(offsetof(OsrLoop, end) == OsrLayout::End);
static_assert(offsetof(OsrLoop, array) == OsrLayout::Array);
static_assert(offsetof(OsrLoop, index) == OsrLayout::Index);

namespace {

/// One OSR continuation: requested by the interpreting thread, compiled by
/// the worker, which publishes `entry` (null if compilation failed) and
/// then `done`.
struct OsrCode {
  int function;
  const Stmt *loop;
  std::vector<uint64_t> topLevelFrame; ///< see generateOsr (main only)
  std::atomic<OsrEntry> entry{nullptr};
  std::atomic<bool> done{false};
};

/// Before tierUpDelayMs has passed, a hot call whose counted loops will
/// still run this long in the interpreter arms the router at once (the delay
/// only spares tiny programs the compilation).
constexpr std::chrono::milliseconds EarlyArm{50};

/// A call whose enclosing loop has code ready waits for that loop's header
/// unless the loop's current iteration has already run this long (then a
/// continuation of an inner loop is asked for instead).
constexpr std::chrono::milliseconds EnclosingWait{50};

/// A compilation for the worker: function `index`, or OSR code.
struct Job {
  int index = -1;
  OsrCode *osr = nullptr;
};

class Router : public Executor {
public:
  Router(const Program &program, const RunOptions &options,
         const RouterSession &session)
      : P(program), O(options), S(session), Interp(program),
        State(program.functions.size()),
        NativeSlot(program.functions.size(), nullptr),
        Entries(program.functions.size()) {}
  ~Router() override { stopWorker(); }

  llvm::Error setUp();
  /// Runs the top-level code, then stops the worker so `stats` are final.
  Status run(RunStats *stats) override;
  /// Native code when the function has some, else the interpreter.
  Status call(int index, const Slot *args, Slot *ret) override;

  /// Called by stubs when the callee has no native code yet, with the
  /// callee's call budget (with guards).
  static void dispatch(Router *self, int32_t index, const Slot *args, Slot *ret,
                       int32_t budget);

private:
  llvm::Error createJit();
  llvm::Error createStubs();
  llvm::Error compile(int index);
  llvm::Error compileOsr(OsrCode &code);
  void enqueue(int index);
  void push(Job job);
  OsrEntry hotLoop(const FuncDecl &f, const OsrLoop &loop, const Slot *frame);
  bool waitFor(const OsrCode &code, const OsrLoop &loop,
               OsrChoice::Clock::time_point now);
  OsrCode *request(const FuncDecl &f, const OsrLoop &loop, const Slot *frame);
  const Stmt *parentLoop(const Stmt *loop);
  void arm();
  void workerLoop();
  void stopWorker();
  void resume();
  void collect(RunStats &stats);
  Status takeWorkerError();

  const Program &P;
  RunOptions O;
  RouterSession S;
  Interpreter Interp;
  std::unique_ptr<core::Jit> J;
  bool HaveStubs = false;
  enum : int { Interpreted, Queued, Native };
  std::vector<std::atomic<int>> State;
  std::vector<void **> NativeSlot; ///< &relay.<f>.native in the stub module
  std::vector<std::atomic<NativeEntry>> Entries; ///< relay.<f>.entry, or null
  std::atomic<uint64_t> Compiled{0}, OsrCompiled{0};
  uint64_t HostNativeCalls = 0; ///< call()s that ran native code
  /// Set once tierUpDelayMs has passed, or earlier by a long loop (see
  /// EarlyArm): before, nothing is compiled.
  std::atomic<bool> Armed{false};
  /// OSR requests per function (only the interpreting thread touches the
  /// lists; the worker fills in the entries).
  std::vector<std::vector<std::unique_ptr<OsrCode>>> Osr;
  std::unordered_map<const Stmt *, const Stmt *> LoopParents; ///< lazily
  OsrChoice Choice; ///< the interpreting thread's
  std::mutex Mutex;
  std::condition_variable Wake, OsrDone;
  std::deque<Job> Queue;
  bool Stopping = false;
  std::thread Worker;
  Diagnostics WorkerError; ///< first background failure (reported at the end)
};

thread_local char trapMessage[256];

void Router::dispatch(Router *self, int32_t index, const Slot *args, Slot *ret,
                      int32_t budget) {
  bool ok;
  uint32_t line = 0, col = 0;
  {
    // Compiled code counts depth in its budget, the interpreter in
    // kiln_rt_depth: hand over the caller's depth (the interpreter adds the
    // callee's level), and give the interpreter that called the compiled
    // code its own count back afterwards (call() restores it on errors).
    int32_t saved = kiln_rt_depth;
    if (self->O.guards)
      kiln_rt_depth = kiln_rt_max_depth - budget - 1;
    RuntimeError error;
    ok = self->Interp.call(index, args, ret, error);
    kiln_rt_depth = saved;
    if (!ok) {
      std::snprintf(trapMessage, sizeof trapMessage, "%s",
                    error.message.c_str());
      line = error.loc.line;
      col = error.loc.col;
    }
  }
  // Nothing with a destructor is alive here: the trap unwinds to the guard
  // around the native call that reached this stub.
  if (!ok)
    kiln_rt_trap(trapMessage, nullptr, int32_t(line), int32_t(col));
}

/// The JIT: made by the first compilation, so a program that never gets
/// hot never pays for it.
llvm::Error Router::createJit() {
  if (J)
    return llvm::Error::success();
  core::JitOptions options = jitOptionsFor(O);
  options.gdbRegistration = O.debugInfo; // -g: gdb reads the DWARF there
  if (S.cache)
    options.cache = S.cache;
  auto jit = core::Jit::create(options);
  if (!jit)
    return jit.takeError();
  J = std::move(*jit);
  return llvm::Error::success();
}

/// The stub module, which compiled functions call each other through: made
/// by the first function compilation (OSR code calls its own copies).
llvm::Error Router::createStubs() {
  if (HaveStubs)
    return llvm::Error::success();
  if (auto err = createJit())
    return err;
  if (auto err = J->defineSymbols(
          {{"relay_router_self", this},
           {"relay_router_dispatch", (void *)&Router::dispatch}}))
    return err;
  auto context = std::make_unique<llvm::LLVMContext>();
  auto stubs = generateStubs(P, *context, O.guards);
  if (!stubs)
    return stubs.takeError();
  if (auto err = J->addModule(
          llvm::orc::ThreadSafeModule(std::move(*stubs), std::move(context))))
    return err;
  for (auto &f : P.functions) {
    if (f.get() == P.main)
      continue;
    auto slot = J->lookupAs<void *>("relay." + f->name + ".native");
    if (!slot)
      return slot.takeError();
    NativeSlot[f->index] = *slot;
  }
  HaveStubs = true;
  return llvm::Error::success();
}

llvm::Error Router::setUp() {
  Osr.resize(P.functions.size());
  // The REPL compiles what is entered at once, as its users expect.
  if (S.compileAll) {
    for (auto &f : P.functions)
      if (f.get() != P.main)
        if (auto err = compile(f->index))
          return err;
  }
  // A function whose loops were hot has OSR code for them, which its next
  // calls enter too: only being called often makes it worth compiling then
  // (for @llvm ones too: most are called once, and OSR took that call).
  Interp.onProfile = [this](const FuncDecl &f, uint64_t calls, uint64_t loops) {
    if (Armed.load(std::memory_order_relaxed) &&
        (calls >= O.hotCalls ||
         ((f.llvmAttr || loops >= O.hotCalls * 100) && Osr[f.index].empty())))
      enqueue(f.index);
  };
  Interp.setOsrThreshold(O.osrThreshold);
  Interp.onHotLoop = [this](const FuncDecl &f, const OsrLoop &loop,
                            const Slot *frame) {
    return hotLoop(f, loop, frame);
  };
  if (O.tierUpDelayMs <= 0)
    arm();
  Worker = std::thread([this] { workerLoop(); });
  return llvm::Error::success();
}

/// From now on hot code is compiled; @llvm functions go first, unless
/// already called (a running call is left to OSR, and a later one compiles
/// them, see onProfile), and so do functions already called often (before
/// the continuation that a long loop arming the router asks for next).
void Router::arm() {
  if (Armed.exchange(true)) // the worker's timer and a long loop may race
    return;
  for (auto &f : P.functions) {
    uint64_t calls = Interp.interpretedCalls(f->index);
    if (f.get() != P.main &&
        ((f->llvmAttr && calls == 0) || calls >= O.hotCalls))
      enqueue(f->index);
  }
}

llvm::Error Router::compile(int index) {
  if (auto err = createStubs())
    return err;
  const FuncDecl &f = *P.functions[index];
  auto context = std::make_unique<llvm::LLVMContext>();
  IRGenOptions irgen;
  irgen.guards = O.guards;
  irgen.debugInfo = O.debugInfo; // OSR continuations get none
  auto module = generateFunction(P, f, *context, irgen);
  if (!module)
    return module.takeError();
  if (auto err = J->addModule(
          llvm::orc::ThreadSafeModule(std::move(*module), std::move(context))))
    return err;
  auto impl = J->lookupAs<void>("relay." + f.name + ".impl");
  if (!impl)
    return impl.takeError();
  auto entry =
      J->lookupAs<void(const Slot *, Slot *)>("relay." + f.name + ".entry");
  if (!entry)
    return entry.takeError();
  __atomic_store_n(NativeSlot[index], (void *)*impl, __ATOMIC_RELEASE);
  Interp.setNativeEntry(index, *entry);
  Entries[index].store(*entry, std::memory_order_release);
  State[index] = Native;
  ++Compiled;
  return llvm::Error::success();
}

/// OSR code for the loop `code.loop` of function `code.function`, under a
/// name of its own (the JIT keeps every module it was given).
llvm::Error Router::compileOsr(OsrCode &code) {
  if (auto err = createJit())
    return err;
  const FuncDecl &f = *P.functions[code.function];
  std::string name =
      "relay.osr." + std::to_string(OsrCompiled.load() + 1) + "." + f.name;
  auto context = std::make_unique<llvm::LLVMContext>();
  IRGenOptions irgen;
  irgen.guards = O.guards;
  auto module =
      generateOsr(P, f, *code.loop, name, *context, irgen,
                  code.topLevelFrame.empty() ? nullptr : &code.topLevelFrame);
  if (!module)
    return module.takeError();
  if (auto err = J->addModule(
          llvm::orc::ThreadSafeModule(std::move(*module), std::move(context))))
    return err;
  auto entry = J->lookupAs<void(Slot *, const OsrLoop *, Slot *)>(name);
  if (!entry)
    return entry.takeError();
  code.entry.store(*entry, std::memory_order_release);
  ++OsrCompiled;
  return llvm::Error::success();
}

void Router::enqueue(int index) {
  int expected = Interpreted;
  if (State[index].compare_exchange_strong(expected, Queued))
    push(Job{index});
}

/// Functions first: a hot function is usually smaller than a continuation
/// (which inlines its hot callees), and compiled it speeds up the
/// interpreted calls that the running call makes meanwhile.
void Router::push(Job job) {
  std::lock_guard<std::mutex> lock(Mutex);
  if (job.osr)
    Queue.push_back(job);
  else
    Queue.push_front(job);
  Wake.notify_one();
}

/// The loop around `loop` in its function, or null.
const Stmt *Router::parentLoop(const Stmt *loop) {
  if (LoopParents.empty()) {
    // Every loop of the program, once; the walk's stack holds at most the
    // parser's 256 levels of nesting.
    std::function<void(const Stmt *, const Stmt *)> walk =
        [&](const Stmt *s, const Stmt *parent) {
          if (!s)
            return;
          switch (s->kind) {
          case Stmt::Kind::Block:
            for (auto &child : static_cast<const BlockStmt *>(s)->body)
              walk(child.get(), parent);
            return;
          case Stmt::Kind::If:
            for (auto *i = static_cast<const IfStmt *>(s); i;) {
              walk(i->thenBlock.get(), parent);
              const Stmt *orElse = i->elseStmt.get();
              i = orElse ? dyn_cast<IfStmt>(orElse) : nullptr;
              if (orElse && !i)
                walk(orElse, parent);
            }
            return;
          case Stmt::Kind::While:
            LoopParents[s] = parent;
            return walk(static_cast<const WhileStmt *>(s)->body.get(), s);
          case Stmt::Kind::ForRange:
            LoopParents[s] = parent;
            return walk(static_cast<const ForRangeStmt *>(s)->body.get(), s);
          case Stmt::Kind::ForEach:
            LoopParents[s] = parent;
            return walk(static_cast<const ForEachStmt *>(s)->body.get(), s);
          default: return;
          }
        };
    for (auto &f : P.functions)
      walk(f->body.get(), nullptr);
  }
  auto it = LoopParents.find(loop);
  return it == LoopParents.end() ? nullptr : it->second;
}

/// Whether the interpreter, at the header of `loop`, should wait for
/// `code` (for another loop of the same call) instead of asking for code
/// of its own: while code for an enclosing or enclosed loop compiles, or
/// when code for an enclosed loop is ready (that loop is usually reached
/// again soon), or when code for an enclosing loop is ready and that
/// loop's current iteration has not run long (the call then enters at its
/// header; not in the deterministic test mode).
bool Router::waitFor(const OsrCode &code, const OsrLoop &loop,
                     OsrChoice::Clock::time_point now) {
  bool ready = code.done.load(std::memory_order_acquire);
  for (const Stmt *l = parentLoop(code.loop); l; l = parentLoop(l))
    if (l == loop.loop)
      return true; // code's loop is inside this one
  for (const OsrLoop *l = loop.outer; l; l = l->outer) {
    if (l->loop != code.loop)
      continue;
    // code's loop encloses this one
    if (!ready)
      return true;
    if (O.osrWait || !code.entry.load() ||
        Choice.iterationAge(*l, now) > EnclosingWait)
      return false;
    Interp.askAtLoopEnd(); // its header follows the end of an inner loop
    return true;
  }
  return false;
}

/// A new request for OSR code for `loop` of a call of `f`, queued behind
/// the functions.
OsrCode *Router::request(const FuncDecl &f, const OsrLoop &loop,
                         const Slot *frame) {
  auto &requests = Osr[f.index];
  requests.push_back(std::make_unique<OsrCode>());
  OsrCode *code = requests.back().get();
  code->function = f.index;
  code->loop = loop.loop;
  if (&f == P.main) // runs once: what cannot change is compiled in
    for (size_t i = 0; i < f.slotTypes.size(); ++i)
      code->topLevelFrame.push_back(uint64_t(frame[i].boolean));
  push(Job{f.index, code});
  return code;
}

/// The interpreter's question at a hot loop header (see setOsrThreshold),
/// also asked before the router is armed, so that OsrChoice knows the
/// loops by then. Code is asked for the loop OsrChoice picks; the call
/// enters it when it reaches that loop's header.
OsrEntry Router::hotLoop(const FuncDecl &f, const OsrLoop &loop,
                         const Slot *frame) {
  auto now = OsrChoice::Clock::now();
  if (!O.osrWait)
    Choice.observe(loop, now);
  if (!Armed.load(std::memory_order_relaxed)) {
    if (O.osrWait || Choice.remaining(loop, now) < EarlyArm)
      return nullptr;
    arm(); // a loop this long is no tiny program: tier up now
    std::lock_guard<std::mutex> lock(Mutex);
    Wake.notify_all();
  }
  auto &requests = Osr[f.index];
  OsrCode *code = nullptr;
  for (auto &r : requests)
    if (r->loop == loop.loop)
      code = r.get();
  if (!code) {
    for (auto &r : requests)
      if (waitFor(*r, loop, now))
        return nullptr;
    const OsrLoop *target = O.osrWait ? &loop : Choice.choose(loop, now);
    if (!target)
      return nullptr;
    code = request(f, *target, frame);
    if (target != &loop)
      return nullptr;
  }
  if (O.osrWait && !code->done.load(std::memory_order_acquire)) {
    std::unique_lock<std::mutex> lock(Mutex);
    OsrDone.wait(lock, [&] { return code->done.load() || Stopping; });
  }
  return code->entry.load(std::memory_order_acquire);
}

void Router::workerLoop() {
  if (!Armed) {
    std::unique_lock<std::mutex> lock(Mutex);
    auto delay = std::chrono::duration<double, std::milli>(O.tierUpDelayMs);
    Wake.wait_for(lock, delay, [&] { return Stopping || Armed.load(); });
    if (Stopping)
      return;
    lock.unlock();
    arm();
  }
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(Mutex);
      Wake.wait(lock, [&] { return Stopping || !Queue.empty(); });
      if (Stopping)
        return;
      job = Queue.front();
      Queue.pop_front();
    }
    auto err = job.osr ? compileOsr(*job.osr) : compile(job.index);
    std::lock_guard<std::mutex> lock(Mutex);
    if (job.osr) {
      job.osr->done.store(true, std::memory_order_release);
      OsrDone.notify_all();
    }
    if (!err)
      continue;
    if (WorkerError.empty())
      WorkerError = core::toDiagnostics(std::move(err));
    else
      llvm::consumeError(std::move(err));
  }
}

void Router::stopWorker() {
  {
    std::lock_guard<std::mutex> lock(Mutex);
    Stopping = true;
    Wake.notify_all();
    OsrDone.notify_all();
  }
  if (Worker.joinable())
    Worker.join();
}

/// Starts the worker again after run() stopped it, with the compilations
/// that were still waiting (a stopped worker leaves its queue behind).
void Router::resume() {
  if (Worker.joinable())
    return;
  {
    std::lock_guard<std::mutex> lock(Mutex);
    Stopping = false;
    Queue.clear();
    for (size_t i = 0; i < State.size(); ++i)
      if (State[i] == Queued)
        Queue.push_back(Job{int(i)});
    for (auto &requests : Osr)
      for (auto &code : requests)
        if (!code->done.load())
          Queue.push_back(Job{code->function, code.get()});
  }
  Worker = std::thread([this] { workerLoop(); });
}

void Router::collect(RunStats &stats) {
  stats.functionsCompiled = Compiled.load();
  stats.osrCompiled = OsrCompiled.load();
  stats.osrEntries = Interp.osrEntries();
  if (J) {
    auto js = J->stats();
    stats.compilations = js.compilations;
    stats.cacheHits = js.cacheHits;
  }
  stats.nativeCalls = HostNativeCalls;
  stats.interpretedCalls = 0;
  for (auto &f : P.functions) {
    stats.nativeCalls += Interp.nativeCalls(f->index);
    stats.interpretedCalls += Interp.interpretedCalls(f->index);
  }
}

Status Router::takeWorkerError() {
  std::lock_guard<std::mutex> lock(Mutex);
  if (WorkerError.empty())
    return {};
  return std::move(WorkerError);
}

Status Router::run(RunStats *stats) {
  resume();
  RuntimeError error;
  bool ok;
  {
    core::ScopedPhase phase(O.timings, "run");
    ok = S.globals ? Interp.runWithGlobals(*S.globals, error)
                   : Interp.run(error);
  }
  stopWorker();
  if (stats)
    collect(*stats);
  if (!ok)
    return runtimeDiagnostic(P.file, error);
  return takeWorkerError();
}

Status Router::call(int index, const Slot *args, Slot *ret) {
  resume();
  if (NativeEntry entry = Entries[index].load(std::memory_order_acquire)) {
    ++HostNativeCalls;
    kiln_rt_trap_info info;
    if (!callGuarded([&] { entry(args, ret); }, info))
      return trapDiagnostic(P.file, info);
  } else {
    RuntimeError error;
    if (!Interp.call(index, args, ret, error))
      return runtimeDiagnostic(P.file, error);
  }
  return takeWorkerError();
}

} // namespace

Expected<std::unique_ptr<Executor>> makeRouted(const Program &program,
                                               const RunOptions &options,
                                               const RouterSession &session) {
  auto router = std::make_unique<Router>(program, options, session);
  if (auto err = router->setUp())
    return core::toDiagnostics(std::move(err));
  return std::unique_ptr<Executor>(std::move(router));
}

} // namespace kiln::relay
