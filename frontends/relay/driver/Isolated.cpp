// Isolated: a Relay program run in kiln-executor, a process of its own.
//
// The program is compiled exactly as `kiln build` compiles an executable
// (generateProgram + addExecutableMain, whose main is kiln_rt_main), then
// linked and run by an isolated core::Jit instead of the system linker: the
// executor exports the whole Kiln runtime, so output, runtime errors, the
// depth limit and the timeout are those of an AOT executable, which every
// other mode already matches. A crash or a limit ends the executor only.
#include "DriverSupport.h"
#include "Executor.h"
#include "relay/irgen/IRGen.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Jit.h"
#include "kiln/core/JitMain.h"
#include "kiln/core/Timing.h"
#include "kiln/relay/Relay.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <cstdio>

namespace kiln::relay {

namespace {

/// The whole program as a module with an executable `main`, ready for
/// addIsolatedMain.
llvm::Expected<std::unique_ptr<llvm::Module>>
executableModule(const Program &program, const RunOptions &options,
                 llvm::LLVMContext &context) {
  IRGenOptions irgen;
  irgen.guards = options.guards;
  auto module = generateProgram(program, context, irgen);
  if (!module)
    return module.takeError();
  addExecutableMain(**module, options.timeoutSeconds, options.maxDepth);
  auto signature = core::checkMain(**module);
  if (!signature)
    return signature.takeError();
  if (auto err = core::addIsolatedMain(**module, *signature))
    return std::move(err);
  return std::move(*module);
}

core::JitOptions isolatedJit(const RunOptions &options,
                             const ExecutorLimits &limits) {
  core::JitOptions jit = jitOptionsFor(options);
  jit.isolate.enabled = true;
  // The program's own watchdog reports --timeout as every mode does; the
  // executor's wall-clock limit is only a backstop for code that ignores it.
  double backstop =
      options.timeoutSeconds > 0 ? options.timeoutSeconds * 2 + 5 : 0;
  jit.isolate.limits = {limits.memoryBytes, limits.cpuSeconds, backstop};
  return jit;
}

/// Compiles and runs; the exit status, or an error (the executor's death).
llvm::Expected<int> compileAndRun(const std::string &file,
                                  const Program &program,
                                  const RunOptions &options,
                                  const ExecutorLimits &limits) {
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  {
    core::ScopedPhase phase(options.timings, "irgen");
    auto made = executableModule(program, options, *context);
    if (!made)
      return made.takeError();
    module = std::move(*made);
  }
  auto jit = core::Jit::create(isolatedJit(options, limits));
  if (!jit)
    return jit.takeError();
  if (auto err = (*jit)->addModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    return std::move(err);
  auto start = (*jit)->lookup(core::kIsolatedMainName);
  if (!start)
    return start.takeError();
  std::fflush(stdout); // the executor writes to the same descriptors
  core::ScopedPhase phase(options.timings, "run");
  return (*jit)->runMain(start->getAddress(), {file});
}

} // namespace

Expected<int> runIsolated(const std::string &file, const std::string &source,
                          const RunOptions &options,
                          const ExecutorLimits &limits) {
  if (options.mode == Mode::Interp) {
    Diagnostic d = errorDiagnostic("--isolate runs compiled code; it does not "
                                   "combine with --mode=interp");
    d.kind = ErrorKind::InvalidArgument;
    return d;
  }
  auto program = analyzeWithLimits(file, source, options.maxDepth,
                                   options.timeoutSeconds, options.timings);
  if (!program)
    return program.takeDiagnostics();
  return core::toExpected(compileAndRun(file, **program, options, limits));
}

} // namespace kiln::relay
