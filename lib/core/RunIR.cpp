// RunIR: runIRFile — load, check main, JIT in process or isolated, call.
#include "kiln/core/RunIR.h"
#include "kiln/core/Cache.h"
#include "kiln/core/CodegenGuard.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/Jit.h"
#include "kiln/core/JitMain.h"
#include "kiln/core/Target.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/Module.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace kiln::core {

namespace {

using llvm::orc::ExecutorAddr;

/// Calls `onTimeout` on its own thread when it is not destroyed within
/// `seconds` (beyond three years, or without a callback: never).
class Watchdog {
public:
  Watchdog(double seconds, const std::function<void(double)> &onTimeout) {
    if (!(seconds > 0) || seconds > 1e8 || !onTimeout)
      return;
    Thread = std::thread([this, seconds, onTimeout] {
      std::unique_lock<std::mutex> lock(Mutex);
      auto limit = std::chrono::milliseconds(int64_t(seconds * 1000 + 0.5));
      if (!Wake.wait_for(lock, limit, [this] { return Done; }))
        onTimeout(seconds);
    });
  }
  ~Watchdog() {
    if (!Thread.joinable())
      return;
    {
      std::lock_guard<std::mutex> lock(Mutex);
      Done = true;
    }
    Wake.notify_one();
    Thread.join();
  }

private:
  std::mutex Mutex;
  std::condition_variable Wake;
  bool Done = false;
  std::thread Thread;
};

/// A parsed module whose main has a type lli accepts, and the errors its
/// context collects while it is compiled.
struct LoadedIR {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  MainSignature signature;
  std::shared_ptr<CodegenErrors> codegen;
};

Expected<LoadedIR> load(const std::string &file, PhaseTimings *timings) {
  LoadedIR ir;
  ir.context = std::make_unique<llvm::LLVMContext>();
  ir.codegen = std::make_shared<CodegenErrors>();
  collectCodegenErrors(*ir.context, ir.codegen);
  {
    ScopedPhase phase(timings, "parse");
    auto parsed = loadIRFile(file, *ir.context);
    if (!parsed)
      return parsed.takeError();
    ir.module = std::move(*parsed);
  }
  if (auto err = checkModuleForTarget(*ir.module, hostTarget().triple))
    return std::move(err);
  auto signature = checkMain(*ir.module);
  if (!signature)
    return signature.takeError();
  ir.signature = *signature;
  return std::move(ir);
}

JitOptions jitOptionsFor(const RunIROptions &options) {
  JitOptions jit;
  jit.level = options.level;
  jit.timings = options.timings;
  jit.printPipeline = options.printPipeline;
  jit.printChanged = options.printChanged;
  if (options.cache)
    jit.cache =
        std::make_shared<CompileCache>(CompileCache::defaultDirectory());
  jit.isolate = options.isolate;
  return jit;
}

/// Static constructors, destructors and atexit handlers go through ORC's
/// platform support, which compiles helper modules (~3 ms); plain C
/// programs need none of it.
bool needsPlatform(const llvm::Module &module) {
  return module.getNamedGlobal("llvm.global_ctors") ||
         module.getNamedGlobal("llvm.global_dtors") ||
         module.getFunction("atexit") || module.getFunction("__cxa_atexit");
}

struct Linked {
  std::unique_ptr<Jit> jit;
  ExecutorAddr entry;
};

/// An engine holding `ir`'s code and the address of `entry` (after the
/// constructors ran, with `initialize`). The time that was neither
/// optimising nor generating code counts as linking.
Expected<Linked> link(LoadedIR ir, const JitOptions &options,
                      llvm::StringRef entry, bool initialize) {
  Linked out;
  std::shared_ptr<CodegenErrors> codegen = ir.codegen;
  {
    ScopedPhase phase(options.timings, "link");
    auto created = Jit::create(options);
    if (!created)
      return created.takeError();
    out.jit = std::move(*created);
    if (auto err = out.jit->addModule(llvm::orc::ThreadSafeModule(
            std::move(ir.module), std::move(ir.context))))
      return std::move(err);
    auto fn = out.jit->lookup(entry);
    if (codegen->pending()) { // the reason beats ORC's "cannot compile"
      if (!fn)
        llvm::consumeError(fn.takeError());
      return codegen->takeError();
    }
    if (!fn)
      return fn.takeError();
    if (initialize)
      if (auto err = out.jit->initialize())
        return std::move(err);
    out.entry = fn->getAddress();
  }
  if (PhaseTimings *t = options.timings)
    t->add("link", -t->get("optimize") - t->get("codegen"));
  return std::move(out);
}

std::vector<std::string> argvFor(const std::string &file,
                                 const std::vector<std::string> &args) {
  std::vector<std::string> argv = {file};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Expected<int> runInProcess(LoadedIR ir, const std::string &file,
                           const std::vector<std::string> &args,
                           const RunIROptions &options) {
  bool platform = needsPlatform(*ir.module);
  MainSignature signature = ir.signature;
  auto linked = link(std::move(ir), jitOptionsFor(options), "main", platform);
  if (!linked)
    return linked.takeError();
  int status;
  {
    ScopedPhase phase(options.timings, "run");
    Watchdog watchdog(options.timeoutSeconds, options.onTimeout);
    status = callMain(signature, linked->entry, argvFor(file, args));
  }
  if (platform)
    if (auto err = linked->jit->deinitialize())
      return std::move(err);
  std::fflush(stdout);
  return status & 0xff;
}

/// main runs in kiln-executor, behind addIsolatedMain's wrapper (the
/// executor has no ORC platform): a crash, a limit or the timeout there is
/// an error here.
Expected<int> runIsolated(LoadedIR ir, const std::string &file,
                          const std::vector<std::string> &args,
                          const RunIROptions &options) {
  if (auto err = addIsolatedMain(*ir.module, ir.signature))
    return std::move(err);
  JitOptions jitOptions = jitOptionsFor(options);
  jitOptions.isolate.enabled = true;
  auto linked = link(std::move(ir), jitOptions, kIsolatedMainName, false);
  if (!linked)
    return linked.takeError();
  std::fflush(stdout);
  ScopedPhase phase(options.timings, "run");
  auto status = linked->jit->runMain(linked->entry, argvFor(file, args));
  if (!status)
    return status.takeError();
  return *status & 0xff;
}

} // namespace

kiln::Expected<int> runIRFile(const std::string &file,
                              const std::vector<std::string> &args,
                              const RunIROptions &options) {
  auto ir = load(file, options.timings);
  if (!ir)
    return toDiagnostics(ir.takeError());
  if (options.isolate.enabled)
    return toExpected(runIsolated(std::move(*ir), file, args, options));
  return toExpected(runInProcess(std::move(*ir), file, args, options));
}

} // namespace kiln::core
