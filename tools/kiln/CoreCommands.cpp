// CoreCommands: `kiln run`, `kiln compile` and `kiln targets` for LLVM IR
// and bitcode files (the core's own input; frontends add other file types).
#include "Command.h"
#include "Options.h"

#include "kiln/core/Cache.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Jit.h"
#include "kiln/core/JitMain.h"
#include "kiln/core/Link.h"
#include "kiln/core/Target.h"
#include "kiln/core/Timing.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fmt/format.h>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace kiln::tool {

namespace {

int printTimings(const CommonOptions &opts, const core::PhaseTimings &t,
                 int status) {
  if (opts.time) {
    std::fflush(stdout);
    std::fputs(t.table().c_str(), stderr);
  }
  return status;
}

/// `kiln run --timeout S` for IR: JIT code cannot be stopped from outside,
/// so when main outlives the limit the watchdog flushes stdout if it can
/// (main may hold its lock), reports and ends the process with status 1.
class Watchdog {
public:
  explicit Watchdog(double seconds) {
    if (!(seconds > 0) || seconds > 1e8) // beyond three years: no limit
      return;
    Thread = std::thread([this, seconds] {
      std::unique_lock<std::mutex> lock(Mutex);
      auto limit = std::chrono::milliseconds(int64_t(seconds * 1000 + 0.5));
      if (Wake.wait_for(lock, limit, [this] { return Done; }))
        return;
      if (ftrylockfile(stdout) == 0) {
        fflush_unlocked(stdout);
        funlockfile(stdout);
      }
      std::string message =
          fmt::format("error: timed out after {} s (--timeout)\n", seconds);
      ssize_t written = ::write(2, message.data(), message.size());
      (void)written;
      ::_exit(1);
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

/// The engine `kiln run FILE.ll` uses, in process or isolated.
core::JitOptions jitOptionsFor(const CommonOptions &opts,
                               core::PhaseTimings &timings) {
  core::JitOptions jitOptions;
  jitOptions.level = opts.level;
  jitOptions.timings = &timings;
  jitOptions.printPipeline = opts.printPipeline ? &llvm::errs() : nullptr;
  jitOptions.printChanged = opts.printChanged ? &llvm::errs() : nullptr;
  if (opts.cache)
    jitOptions.cache = std::make_shared<core::CompileCache>(
        core::CompileCache::defaultDirectory());
  return jitOptions;
}

/// `kiln run --isolate FILE.ll`: main runs in kiln-executor, so a crash, a
/// limit or --timeout ends that process and is reported here as one line.
int runIsolated(const CommonOptions &opts, const std::string &file,
                std::unique_ptr<llvm::LLVMContext> context,
                std::unique_ptr<llvm::Module> module,
                const core::MainSignature &signature,
                core::PhaseTimings &timings) {
  if (auto err = core::addIsolatedMain(*module, signature))
    return failWith(core::renderError(std::move(err)));
  core::JitOptions jitOptions = jitOptionsFor(opts, timings);
  jitOptions.isolate.enabled = true;
  jitOptions.isolate.limits = {opts.memoryLimit, opts.cpuLimit, opts.timeout};
  std::unique_ptr<core::Jit> jit;
  llvm::orc::ExecutorAddr start;
  {
    core::ScopedPhase phase(&timings, "link");
    auto created = core::Jit::create(jitOptions);
    if (!created)
      return failWith(core::renderError(created.takeError()));
    jit = std::move(*created);
    if (auto err = jit->addModule(
            llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
      return failWith(core::renderError(std::move(err)));
    auto fn = jit->lookup(core::kIsolatedMainName);
    if (!fn)
      return failWith(core::renderError(fn.takeError()));
    start = fn->getAddress();
  }
  timings.add("link", -timings.get("optimize") - timings.get("codegen"));
  std::vector<std::string> argv = {file};
  argv.insert(argv.end(), opts.rest.begin(), opts.rest.end());
  std::fflush(stdout);
  llvm::Expected<int> status = 0;
  {
    core::ScopedPhase phase(&timings, "run");
    status = jit->runMain(start, argv);
  }
  if (!status)
    return failWith(core::renderError(status.takeError()));
  return printTimings(opts, timings, *status & 0xff);
}

int runIR(const Args &args) {
  CommonOptions opts;
  if (auto error = parseOptions(args, /*stopAtInput=*/true, opts))
    return fail(*error + " (see `kiln run --help`)", 2);
  if (opts.positional.empty())
    return fail("`kiln run` needs an input file (see `kiln run --help`)", 2);
  const std::string &file = opts.positional[0];
  if (const FileHandler *handler = handlerFor(file))
    return handler->run(args);
  if (!opts.target.empty() || !opts.cpu.empty())
    return fail("`kiln run` compiles for the host; --target and --cpu are "
                "for `kiln compile`",
                2);
  if (!opts.isolate && (opts.memoryLimit || opts.cpuLimit))
    return fail("--memory-limit and --cpu-limit need --isolate", 2);
  core::PhaseTimings timings;

  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  {
    core::ScopedPhase phase(&timings, "parse");
    auto parsed = core::loadIRFile(file, *context);
    if (!parsed)
      return failWith(core::renderError(parsed.takeError()));
    module = std::move(*parsed);
  }
  auto signature = core::checkMain(*module);
  if (!signature)
    return failWith(core::renderError(signature.takeError()));
  if (opts.isolate)
    return runIsolated(opts, file, std::move(context), std::move(module),
                       *signature, timings);

  // Static constructors, destructors and atexit handlers go through ORC's
  // platform support, which compiles helper modules (~3 ms); plain C
  // programs need none of it.
  bool needsPlatform = module->getNamedGlobal("llvm.global_ctors") ||
                       module->getNamedGlobal("llvm.global_dtors") ||
                       module->getFunction("atexit") ||
                       module->getFunction("__cxa_atexit");

  core::JitOptions jitOptions = jitOptionsFor(opts, timings);
  std::unique_ptr<core::Jit> jit;
  llvm::orc::ExecutorAddr mainAddress;
  {
    auto start = std::chrono::steady_clock::now();
    auto created = core::Jit::create(jitOptions);
    if (!created)
      return failWith(core::renderError(created.takeError()));
    jit = std::move(*created);
    if (auto err = jit->addModule(
            llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
      return failWith(core::renderError(std::move(err)));
    auto fn = jit->lookup("main");
    if (!fn)
      return failWith(core::renderError(fn.takeError()));
    if (needsPlatform)
      if (auto err = jit->initialize())
        return failWith(core::renderError(std::move(err)));
    mainAddress = fn->getAddress();
    double total = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    // Whatever lookup did besides optimising and generating code is linking.
    timings.add("link", total - timings.get("optimize") -
                            timings.get("codegen"));
  }

  std::vector<std::string> argv = {file};
  argv.insert(argv.end(), opts.rest.begin(), opts.rest.end());
  int status;
  {
    core::ScopedPhase phase(&timings, "run");
    Watchdog watchdog(opts.timeout);
    status = core::callMain(*signature, mainAddress, argv);
  }
  if (needsPlatform)
    if (auto err = jit->deinitialize())
      return failWith(core::renderError(std::move(err)));
  std::fflush(stdout);
  return printTimings(opts, timings, status & 0xff);
}

/// One line for functions whose target attributes were replaced (instead of
/// LLVM's warning per function and subtarget).
void noteRetargeted(const core::RetargetReport &report,
                    const core::TargetSpec &target) {
  if (report.functions == 0)
    return;
  fmt::print(stderr,
             "kiln: note: replaced the target attributes of {} function{}{} "
             "with those of {} (cpu '{}')\n",
             report.functions, report.functions == 1 ? "" : "s",
             report.cpu.empty() ? "" : " (cpu '" + report.cpu + "')",
             target.triple, target.cpu);
}

std::string defaultOutput(const std::string &input, const std::string &emit) {
  llvm::SmallString<256> out(llvm::sys::path::filename(input));
  llvm::sys::path::replace_extension(out, "");
  if (emit == "obj")
    return std::string(out) + ".o";
  if (emit == "asm")
    return std::string(out) + ".s";
  if (emit == "bc")
    return std::string(out) + ".bc";
  if (emit == "ll")
    return std::string(out) + ".opt.ll";
  if (emit == "shared")
    return "lib" + std::string(out) + ".so";
  return std::string(out);
}

int compileIR(const Args &args) {
  CommonOptions opts;
  opts.emit = "exe";
  if (auto error = parseOptions(args, /*stopAtInput=*/false, opts))
    return fail(*error + " (see `kiln compile --help`)", 2);
  if (opts.positional.size() != 1)
    return fail("`kiln compile` needs exactly one input file", 2);
  bool link = opts.emit == "exe" || opts.emit == "shared";
  auto kind = core::parseEmitKind(opts.emit);
  if (!link && !kind)
    return fail("unknown --emit kind '" + opts.emit +
                    "' (use obj, asm, bc, ll, exe or shared)",
                2);
  const std::string &file = opts.positional[0];
  std::string output =
      opts.output.empty() ? defaultOutput(file, opts.emit) : opts.output;
  if (auto error = checkOutput(output, {file}))
    return fail(*error);

  core::TargetSpec target = core::hostTarget();
  if (!opts.target.empty() || !opts.cpu.empty()) {
    // --cpu alone: the host's triple with that CPU's own features.
    auto spec = core::targetFromTriple(
        opts.target.empty() ? target.triple : opts.target, opts.cpu);
    if (!spec)
      return failWith(core::renderError(spec.takeError()));
    target = *spec;
  }
  if (link && !target.isHost && target.triple != core::hostTarget().triple)
    return fail("--emit=" + opts.emit + " links for the host only; use "
                "--emit=obj for '" + target.triple + "' and link it there");

  core::PhaseTimings timings;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module;
  {
    core::ScopedPhase phase(&timings, "parse");
    auto parsed = core::loadIRFile(file, context);
    if (!parsed)
      return failWith(core::renderError(parsed.takeError()));
    module = std::move(*parsed);
  }
  auto tm = core::createTargetMachine(target, opts.level);
  if (!tm)
    return failWith(core::renderError(tm.takeError()));
  {
    core::ScopedPhase phase(&timings, "optimize");
    core::PipelineOptions pipeline;
    pipeline.level = opts.level;
    pipeline.printPipeline = opts.printPipeline ? &llvm::errs() : nullptr;
    pipeline.printChanged = opts.printChanged ? &llvm::errs() : nullptr;
    if (auto err = core::verifyModule(*module))
      return failWith(core::renderError(std::move(err)));
    noteRetargeted(
        core::retargetFunctions(*module, target, !opts.cpu.empty()), target);
    if (auto err = core::optimizeModule(*module, **tm, pipeline))
      return failWith(core::renderError(std::move(err)));
  }
  if (!link) {
    core::ScopedPhase phase(&timings, "codegen");
    if (auto err = core::emitToFile(*module, **tm, *kind, output))
      return failWith(core::renderError(std::move(err)));
    return printTimings(opts, timings, 0);
  }
  llvm::SmallString<128> object;
  if (auto ec = llvm::sys::fs::createTemporaryFile("kiln", "o", object))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(object);
  {
    core::ScopedPhase phase(&timings, "codegen");
    if (auto err = core::emitToFile(*module, **tm, core::EmitKind::Object,
                                    std::string(object)))
      return failWith(core::renderError(std::move(err)));
  }
  {
    core::ScopedPhase phase(&timings, "link");
    core::LinkOptions linkOptions;
    linkOptions.shared = opts.emit == "shared";
    if (auto err = core::linkObjects({std::string(object)}, output,
                                     linkOptions))
      return failWith(core::renderError(std::move(err)));
  }
  return printTimings(opts, timings, 0);
}

/// `kiln targets TRIPLE`: the CPU names --cpu takes for that target.
int listCpusCommand(const std::string &triple) {
  auto spec = core::targetFromTriple(triple);
  if (!spec)
    return failWith(core::renderError(spec.takeError()));
  fmt::print("CPUs for {} (--cpu NAME; 'generic' always works{}):\n",
             spec->triple,
             spec->triple == core::hostTarget().triple ? ", 'native' is this "
                                                         "machine's"
                                                       : "");
  std::string line = " ";
  for (const std::string &cpu : core::listCpus(spec->triple)) {
    if (line.size() + cpu.size() > 78) {
      fmt::print("{}\n", line);
      line = " ";
    }
    line += " " + cpu;
  }
  fmt::print("{}\n", line);
  return 0;
}

int listTargetsCommand(const Args &args) {
  if (args.size() == 1 && !args[0].starts_with("-"))
    return listCpusCommand(args[0]);
  if (!args.empty())
    return fail("`kiln targets` takes at most one target triple", 2);
  core::TargetSpec host = core::hostTarget();
  fmt::print("host: {} (cpu {})\n", host.triple, host.cpu);
  fmt::print("registered targets:\n");
  for (auto &t : core::listTargets())
    fmt::print("  {:<12} {}\n", t.name, t.description);
  fmt::print("examples: --target x86_64-linux-gnu, --target "
             "aarch64-linux-gnu, --target riscv64-linux-gnu\n");
  return 0;
}

} // namespace

std::vector<Command> coreCommands() {
  return {
      {"run", "JIT-compile and run main(argc, argv) of an IR/bitcode file",
       "usage: kiln run [-O0..-O3] [--time] [--no-cache] [--print-pipeline]\n"
       "                [--print-changed] [--timeout S] [--isolate\n"
       "                [--memory-limit SIZE] [--cpu-limit S]] FILE.ll|FILE.bc "
       "[ARGS...]\n"
       "       kiln run [--mode=interp|jit|auto] [-O0..-O3] [--timeout S]\n"
       "                [--max-depth N] [--stats] [--time] FILE.relay\n"
       "IR: runs main(argc, argv[, envp]) like lli; the exit status is "
       "main's\n(0 for void main). --timeout S ends the run with status 1.\n"
       "--isolate runs the code in a kiln-executor process: a crash, a limit "
       "or\nthe timeout there is one error line here (status 1). "
       "--memory-limit\n(e.g. 512M) and --cpu-limit apply to that process.\n"
       "Relay: see docs/relay.md (default mode auto, -O2).\n"
       "Compiled code is cached under $KILN_CACHE_DIR (default "
       "~/.cache/kiln).",
       runIR},
      {"compile", "compile an IR/bitcode file to obj, asm, bc, ll, exe or .so",
       "usage: kiln compile FILE --emit=obj|asm|bc|ll|exe|shared\n"
       "                    [--target TRIPLE] [--cpu CPU] [-O0..-O3] [--time]\n"
       "                    [-o OUT]\n"
       "exe and shared link with the system C compiler and the Kiln runtime.\n"
       "--cpu alone targets that CPU of the host's triple (`kiln targets "
       "TRIPLE`\nlists the CPUs).",
       compileIR},
      {"targets", "list the host and the registered LLVM targets",
       "usage: kiln targets [TRIPLE]\n"
       "With a triple, lists the CPU names --cpu accepts for it.",
       listTargetsCommand},
  };
}

} // namespace kiln::tool
