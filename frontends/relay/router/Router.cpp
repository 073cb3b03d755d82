// Router: tiering between the interpreter and background-compiled code.
#include "Router.h"

#include "DriverSupport.h"
#include "relay/interp/Interpreter.h"
#include "relay/irgen/IRGen.h"

#include "kiln/core/Cache.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Jit.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace kiln::relay {

namespace {

class Router {
public:
  Router(const Program &program, const RunOptions &options,
         const RouterSession &session)
      : P(program), O(options), S(session), Interp(program),
        State(program.functions.size()),
        NativeSlot(program.functions.size(), nullptr) {}
  ~Router() { stopWorker(); }

  llvm::Error setUp();
  int run(std::string &errors, RunStats *stats);

  /// Called by stubs when the callee has no native code yet, with the
  /// callee's call budget (with guards).
  static void dispatch(Router *self, int32_t index, const Slot *args,
                       Slot *ret, int32_t budget);

private:
  llvm::Error compile(int index);
  void enqueue(int index);
  void workerLoop();
  void stopWorker();

  const Program &P;
  RunOptions O;
  RouterSession S;
  Interpreter Interp;
  std::unique_ptr<core::Jit> J;
  enum : int { Interpreted, Queued, Native };
  std::vector<std::atomic<int>> State;
  std::vector<void **> NativeSlot; ///< &relay.<f>.native in the stub module
  std::atomic<uint64_t> Compiled{0};
  std::mutex Mutex;
  std::condition_variable Wake;
  std::deque<int> Queue;
  bool Stopping = false;
  std::thread Worker;
  std::string WorkerError; ///< first background failure (reported at the end)
};

thread_local char trapMessage[256];

void Router::dispatch(Router *self, int32_t index, const Slot *args,
                      Slot *ret, int32_t budget) {
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
      std::snprintf(trapMessage, sizeof trapMessage, "%s", error.message.c_str());
      line = error.loc.line;
      col = error.loc.col;
    }
  }
  // Nothing with a destructor is alive here: the trap unwinds to the guard
  // around the native call that reached this stub.
  if (!ok)
    kiln_rt_trap(trapMessage, nullptr, int32_t(line), int32_t(col));
}

llvm::Error Router::setUp() {
  core::JitOptions options;
  options.level = O.optLevel <= 0   ? core::OptLevel::O0
                  : O.optLevel == 1 ? core::OptLevel::O1
                  : O.optLevel == 2 ? core::OptLevel::O2
                                    : core::OptLevel::O3;
  options.timings = O.timings;
  if (S.cache)
    options.cache = S.cache;
  else if (O.cache)
    options.cache = std::make_shared<core::CompileCache>(core::CompileCache::defaultDirectory());
  auto jit = core::Jit::create(options);
  if (!jit)
    return jit.takeError();
  J = std::move(*jit);
  if (auto err = J->defineSymbols({{"relay_router_self", this},
                                   {"relay_router_dispatch", (void *)&Router::dispatch}}))
    return err;
  auto context = std::make_unique<llvm::LLVMContext>();
  auto stubs = generateStubs(P, *context, O.guards);
  if (!stubs)
    return stubs.takeError();
  if (auto err = J->addModule(llvm::orc::ThreadSafeModule(std::move(*stubs), std::move(context))))
    return err;
  for (auto &f : P.functions) {
    if (f.get() == P.main)
      continue;
    auto slot = J->lookupAs<void *>("relay." + f->name + ".native");
    if (!slot)
      return slot.takeError();
    NativeSlot[f->index] = *slot;
  }
  for (auto &f : P.functions)
    if (f.get() != P.main && (f->llvmAttr || S.compileAll))
      if (auto err = compile(f->index))
        return err;
  Interp.onProfile = [this](const FuncDecl &f, uint64_t calls, uint64_t loops) {
    if (calls >= O.hotCalls || loops >= O.hotCalls * 100)
      enqueue(f.index);
  };
  Worker = std::thread([this] { workerLoop(); });
  return llvm::Error::success();
}

llvm::Error Router::compile(int index) {
  const FuncDecl &f = *P.functions[index];
  auto context = std::make_unique<llvm::LLVMContext>();
  IRGenOptions irgen;
  irgen.guards = O.guards;
  auto module = generateFunction(P, f, *context, irgen);
  if (!module)
    return module.takeError();
  if (auto err = J->addModule(llvm::orc::ThreadSafeModule(std::move(*module), std::move(context))))
    return err;
  auto impl = J->lookupAs<void>("relay." + f.name + ".impl");
  if (!impl)
    return impl.takeError();
  auto entry = J->lookupAs<void(const Slot *, Slot *)>("relay." + f.name + ".entry");
  if (!entry)
    return entry.takeError();
  __atomic_store_n(NativeSlot[index], (void *)*impl, __ATOMIC_RELEASE);
  Interp.setNativeEntry(index, *entry);
  State[index] = Native;
  ++Compiled;
  return llvm::Error::success();
}

void Router::enqueue(int index) {
  int expected = Interpreted;
  if (!State[index].compare_exchange_strong(expected, Queued))
    return;
  std::lock_guard<std::mutex> lock(Mutex);
  Queue.push_back(index);
  Wake.notify_one();
}

void Router::workerLoop() {
  while (true) {
    int index;
    {
      std::unique_lock<std::mutex> lock(Mutex);
      Wake.wait(lock, [&] { return Stopping || !Queue.empty(); });
      if (Stopping)
        return;
      index = Queue.front();
      Queue.pop_front();
    }
    if (auto err = compile(index)) {
      std::lock_guard<std::mutex> lock(Mutex);
      if (WorkerError.empty())
        WorkerError = core::renderError(std::move(err));
      else
        llvm::consumeError(std::move(err));
    }
  }
}

void Router::stopWorker() {
  {
    std::lock_guard<std::mutex> lock(Mutex);
    Stopping = true;
    Wake.notify_all();
  }
  if (Worker.joinable())
    Worker.join();
}

int Router::run(std::string &errors, RunStats *stats) {
  RuntimeError error;
  bool ok;
  {
    core::ScopedPhase phase(O.timings, "run");
    ok = S.globals ? Interp.runWithGlobals(*S.globals, error) : Interp.run(error);
  }
  stopWorker();
  if (stats) {
    stats->functionsCompiled = Compiled.load();
    auto js = J->stats();
    stats->compilations = js.compilations;
    stats->cacheHits = js.cacheHits;
    for (auto &f : P.functions) {
      stats->nativeCalls += Interp.nativeCalls(f->index);
      stats->interpretedCalls += Interp.interpretedCalls(f->index);
    }
  }
  if (!ok) {
    errors = renderRuntimeError(P.file, error);
    return 1;
  }
  if (!WorkerError.empty()) {
    errors = WorkerError;
    return 1;
  }
  return 0;
}

} // namespace

int runRouted(const Program &program, const RunOptions &options,
              std::string &errors, RunStats *stats, const RouterSession &session) {
  Router router(program, options, session);
  if (auto err = router.setUp()) {
    errors = core::renderError(std::move(err));
    return 1;
  }
  return router.run(errors, stats);
}

} // namespace kiln::relay
