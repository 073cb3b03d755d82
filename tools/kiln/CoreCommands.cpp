// CoreCommands: `kiln run`, `kiln compile` and `kiln targets` for LLVM IR
// and bitcode files (the core's own input; frontends add other file types).
// The work is the core's (RunIR.h, CompileIR.h); here are flags and output.
#include "Command.h"
#include "Options.h"
#include "RunInput.h"

#include "kiln/core/CompileIR.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/RunIR.h"
#include "kiln/core/Target.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace kiln::tool {

namespace {

/// `kiln run --timeout S` for IR: JIT code cannot be stopped from outside,
/// so when main outlives the limit this flushes stdout if it can (main may
/// hold its lock), reports and ends the process with status 1.
void timedOut(double seconds) {
  if (ftrylockfile(stdout) == 0) {
    fflush_unlocked(stdout);
    funlockfile(stdout);
  }
  std::string message =
      fmt::format("error: timed out after {} s (--timeout)\n", seconds);
  [[maybe_unused]] ssize_t written = ::write(2, message.data(), message.size());
  ::_exit(1);
}

int runIR(const RunOptions &opts) {
  if (!opts.target.empty() || !opts.cpu.empty())
    return fail("`kiln run` compiles for the host; --target and --cpu are "
                "for `kiln compile`",
                2);
  if (!opts.isolate && (opts.memoryLimit || opts.cpuLimit))
    return fail("--memory-limit and --cpu-limit need --isolate", 2);
  core::PhaseTimings timings;
  core::RunIROptions run;
  run.level = opts.compile.level;
  run.cache = opts.cache;
  run.printPipeline = opts.compile.printPipeline ? &llvm::errs() : nullptr;
  run.printChanged = opts.compile.printChanged ? &llvm::errs() : nullptr;
  run.timings = &timings;
  run.isolate.enabled = opts.isolate;
  run.isolate.limits = {opts.memoryLimit, opts.cpuLimit, opts.timeout};
  run.timeoutSeconds = opts.timeout;
  run.onTimeout = timedOut;
  auto status = core::runIRFile(opts.files[0], opts.args, run);
  if (!status)
    return failWith(status.diagnostics());
  return finish({}, opts.compile.time ? &timings : nullptr, *status);
}

/// The language of `kiln run`'s input (`handler`, null for IR): -x, else
/// the extension, else for "-" a guess from its text (RunInput.h), which is
/// kept in opts.input for a frontend or put back on stdin for the core.
/// Returns the exit status when it cannot tell.
std::optional<int> chooseLanguage(RunOptions &opts,
                                  const FileHandler *&handler) {
  const std::string &file = opts.files[0];
  handler = opts.language.empty() ? handlerFor(file)
                                  : handlerForLanguage(opts.language);
  if (!opts.language.empty() && !handler && opts.language != "ir")
    return fail(
        "unknown language '" + opts.language + "' for -x (use ir or relay)", 2);
  if (!opts.language.empty() || handler || file != "-")
    return std::nullopt;
  std::string text;
  if (auto error = readFile(file, text))
    return fail(*error, 1);
  if (!looksLikeIR(text)) {
    handler = handlerForLanguage("relay");
    opts.input = std::move(text);
  } else if (auto error = replayOnStdin(text)) {
    return fail(*error, 1);
  }
  return std::nullopt;
}

int runCommand(const Args &args) {
  RunOptions opts;
  auto app = makeRunApp(opts, /*programArgs=*/true);
  if (auto done = parseArgs(*app, args, "kiln run --help"))
    return *done;
  if (opts.files.empty())
    return fail("`kiln run` needs an input file (see `kiln run --help`)", 2);
  const FileHandler *handler = nullptr;
  if (auto status = chooseLanguage(opts, handler))
    return *status;
  if (handler) {
    RunOptions source; // not IR: flags may also follow the file
    auto again = makeRunApp(source, /*programArgs=*/false);
    if (auto done = parseArgs(*again, args, "kiln run --help"))
      return *done;
    source.input = std::move(opts.input);
    return handler->run(source);
  }
  return runIR(opts);
}

/// `kiln compile`'s flags.
struct CompileOptions {
  CompileFlags compile;
  std::string target, cpu, output, emit = "exe";
  std::vector<std::string> files;
};

/// One line for functions whose target attributes were replaced (instead of
/// LLVM's warning per function and subtarget).
void noteRetargeted(const core::RetargetReport &report,
                    const core::TargetSpec &target) {
  fmt::print(stderr,
             "kiln: note: replaced the target attributes of {} function{}{} "
             "with those of {} (cpu '{}')\n",
             report.functions, report.functions == 1 ? "" : "s",
             report.cpu.empty() ? "" : " (cpu '" + report.cpu + "')",
             target.triple, target.cpu);
}

/// The target --target and --cpu name (--cpu alone: the host's triple with
/// that CPU's own features), or the host.
llvm::Expected<core::TargetSpec> targetOf(const CompileOptions &opts) {
  core::TargetSpec host = core::hostTarget();
  if (opts.target.empty() && opts.cpu.empty())
    return host;
  return core::targetFromTriple(opts.target.empty() ? host.triple : opts.target,
                                opts.cpu);
}

int compileIR(const CompileOptions &opts, core::IROutput kind) {
  const std::string &file = opts.files[0];
  std::string output =
      opts.output.empty() ? core::defaultOutputFor(file, kind) : opts.output;
  if (auto error = checkOutput(output, {file}))
    return fail(*error);
  auto target = targetOf(opts);
  if (!target)
    return failWith(core::renderError(target.takeError()));
  bool links =
      kind == core::IROutput::Executable || kind == core::IROutput::Shared;
  if (links && !target->isHost && target->triple != core::hostTarget().triple)
    return fail("--emit=" + opts.emit +
                " links for the host only; use "
                "--emit=obj for '" +
                target->triple + "' and link it there");
  core::PhaseTimings timings;
  core::CompileIROptions compile;
  compile.kind = kind;
  compile.level = opts.compile.level;
  compile.target = *target;
  compile.cpuRequested = !opts.cpu.empty();
  compile.printPipeline = opts.compile.printPipeline ? &llvm::errs() : nullptr;
  compile.printChanged = opts.compile.printChanged ? &llvm::errs() : nullptr;
  compile.timings = &timings;
  compile.onRetarget = noteRetargeted;
  if (auto done = core::compileIRFile(file, output, compile); !done)
    return failWith(done.diagnostics());
  return finish({}, opts.compile.time ? &timings : nullptr, 0);
}

int compileCommand(const Args &args) {
  CompileOptions opts;
  auto app = makeApp(
      "kiln compile",
      "compile an IR/bitcode file to obj, asm, bc, ll, exe or .so",
      "exe and shared link with the system C compiler and the Kiln runtime.\n"
      "--cpu alone targets that CPU of the host's triple (`kiln targets "
      "TRIPLE`\nlists the CPUs).");
  addCompileFlags(*app, opts.compile);
  addString(*app, "--emit", opts.emit,
            "obj, asm, bc, ll, exe (default) or shared")
      ->type_name("KIND");
  addString(*app, "--target", opts.target, "the target triple (default: host)")
      ->type_name("TRIPLE");
  addString(*app, "--cpu", opts.cpu,
            "the CPU (`kiln targets TRIPLE` lists them)")
      ->type_name("CPU");
  addString(*app, "-o", opts.output, "the output file")->type_name("OUT");
  app->add_option("FILE", opts.files, "FILE.ll or FILE.bc")->type_name("");
  if (auto done = parseArgs(*app, args, "kiln compile --help"))
    return *done;
  if (opts.files.size() != 1)
    return fail("`kiln compile` needs exactly one input file", 2);
  auto kind = core::parseIROutput(opts.emit);
  if (!kind)
    return fail("unknown --emit kind '" + opts.emit +
                    "' (use obj, asm, bc, ll, exe or shared)",
                2);
  return compileIR(opts, *kind);
}

/// `kiln targets TRIPLE`: the CPU names --cpu takes for that target.
int listCpus(const std::string &triple) {
  auto spec = core::targetFromTriple(triple);
  if (!spec)
    return failWith(core::renderError(spec.takeError()));
  fmt::print(
      "CPUs for {} (--cpu NAME; 'generic' always works{}):\n", spec->triple,
      spec->triple == core::hostTarget().triple ? ", 'native' is this machine's"
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

int targetsCommand(const Args &args) {
  std::vector<std::string> triples;
  auto app =
      makeApp("kiln targets", "list the host and the registered LLVM targets",
              "With a triple, lists the CPU names --cpu accepts for it.");
  app->add_option("TRIPLE", triples, "a target triple")->type_name("");
  if (auto done = parseArgs(*app, args, "kiln targets --help"))
    return *done;
  if (triples.size() > 1)
    return fail("`kiln targets` takes at most one target triple", 2);
  if (triples.size() == 1)
    return listCpus(triples[0]);
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
       runCommand},
      {"compile", "compile an IR/bitcode file to obj, asm, bc, ll, exe or .so",
       compileCommand},
      {"targets", "list the host and the registered LLVM targets",
       targetsCommand},
  };
}

} // namespace kiln::tool
