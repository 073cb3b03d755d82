// Driver: the Relay pipeline behind kiln::relay::run and build: front end,
// then the interpreter, the whole-program JIT, the router or AOT output.
#include "kiln/relay/Relay.h"

#include "DriverSupport.h"
#include "Router.h"
#include "relay/interp/Interpreter.h"
#include "relay/irgen/IRGen.h"

#include "kiln/core/Cache.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/Jit.h"
#include "kiln/core/Link.h"
#include "kiln/core/Target.h"
#include "kiln/core/Timing.h"
#include "kiln/runtime/Abi.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdio>

namespace kiln::relay {

namespace {

core::OptLevel toLevel(int level) {
  static const core::OptLevel levels[] = {core::OptLevel::O0, core::OptLevel::O1,
                                          core::OptLevel::O2, core::OptLevel::O3};
  return levels[level < 0 ? 0 : level > 3 ? 3 : level];
}

int runInterpreted(const Program &program, std::string &errors) {
  Interpreter interp(program);
  RuntimeError error;
  if (interp.run(error))
    return 0;
  errors = renderRuntimeError(program.file, error);
  return 1;
}

void callMain(void *fn) { reinterpret_cast<void (*)()>(fn)(); }

int runCompiled(const Program &program, const RunOptions &options,
                std::string &errors, RunStats *stats) {
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  {
    core::ScopedPhase phase(options.timings, "irgen");
    IRGenOptions irgen;
    irgen.guards = options.guards;
    auto generated = generateProgram(program, *context, irgen);
    if (!generated) {
      errors = core::renderError(generated.takeError());
      return 1;
    }
    module = std::move(*generated);
  }
  core::JitOptions jitOptions;
  jitOptions.level = toLevel(options.optLevel);
  jitOptions.timings = options.timings;
  if (options.cache)
    jitOptions.cache = std::make_shared<core::CompileCache>(
        core::CompileCache::defaultDirectory());
  auto jit = core::Jit::create(jitOptions);
  if (!jit) {
    errors = core::renderError(jit.takeError());
    return 1;
  }
  if (auto err = (*jit)->addModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
    errors = core::renderError(std::move(err));
    return 1;
  }
  auto main = (*jit)->lookupAs<void()>("relay.main");
  if (!main) {
    errors = core::renderError(main.takeError());
    return 1;
  }
  if (stats) {
    stats->compilations = (*jit)->stats().compilations;
    stats->cacheHits = (*jit)->stats().cacheHits;
  }
  core::ScopedPhase phase(options.timings, "run");
  kiln_rt_trap_info info;
  if (kiln_rt_call_guarded(callMain, reinterpret_cast<void *>(*main), &info) == 0)
    return 0;
  errors = renderTrap(program.file, info);
  return 1;
}

} // namespace

int run(const std::string &file, const std::string &source,
        const RunOptions &options, std::string &errors, RunStats *stats) {
  auto program = analyzeWithLimits(file, source, options.maxDepth,
                                   options.timeoutSeconds, options.timings,
                                   errors);
  if (!program)
    return 1;
  int status = 1;
  std::string noStack = runOnLargeStack(options.maxDepth, [&] {
    GuardScope guards(options.maxDepth, options.timeoutSeconds);
    size_t mark = kiln_rt_arena_mark();
    if (options.mode == Mode::Interp) {
      core::ScopedPhase phase(options.timings, "run");
      status = runInterpreted(*program, errors);
    } else if (options.mode == Mode::Jit) {
      status = runCompiled(*program, options, errors, stats);
    } else {
      status = runRouted(*program, options, errors, stats);
    }
    std::fflush(stdout);
    kiln_rt_arena_release(mark);
  });
  if (!noStack.empty())
    errors = noStack;
  return status;
}

namespace {

std::optional<core::EmitKind> emitKindOf(BuildKind kind) {
  switch (kind) {
  case BuildKind::Object: return core::EmitKind::Object;
  case BuildKind::Assembly: return core::EmitKind::Assembly;
  case BuildKind::IR: return core::EmitKind::IR;
  case BuildKind::Bitcode: return core::EmitKind::Bitcode;
  default: return std::nullopt;
  }
}

llvm::Error compileToFile(const Program &program, const std::string &output,
                          const BuildOptions &options) {
  core::TargetSpec target = core::hostTarget();
  if (!options.target.empty()) {
    auto spec = core::targetFromTriple(options.target);
    if (!spec)
      return spec.takeError();
    target = *spec;
  }
  bool link = options.kind == BuildKind::Executable;
  if (link && target.triple != core::hostTarget().triple)
    return core::makeError("executables are linked for the host only; use "
                           "--emit=obj for '" + target.triple + "'");
  llvm::LLVMContext context;
  auto module = [&] {
    core::ScopedPhase phase(options.timings, "irgen");
    IRGenOptions irgen;
    irgen.guards = options.guards;
    return generateProgram(program, context, irgen);
  }();
  if (!module)
    return module.takeError();
  addExecutableMain(**module, options.timeoutSeconds, options.maxDepth);
  auto tm = core::createTargetMachine(target, toLevel(options.optLevel));
  if (!tm)
    return tm.takeError();
  {
    core::ScopedPhase phase(options.timings, "optimize");
    core::PipelineOptions pipeline;
    pipeline.level = toLevel(options.optLevel);
    if (auto err = core::optimizeModule(**module, **tm, pipeline))
      return err;
  }
  if (!link) {
    core::ScopedPhase phase(options.timings, "codegen");
    return core::emitToFile(**module, **tm, *emitKindOf(options.kind), output);
  }
  llvm::SmallString<128> object;
  if (auto ec = llvm::sys::fs::createTemporaryFile("relay", "o", object))
    return core::makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(object);
  {
    core::ScopedPhase phase(options.timings, "codegen");
    if (auto err = core::emitToFile(**module, **tm, core::EmitKind::Object,
                                    std::string(object)))
      return err;
  }
  core::ScopedPhase phase(options.timings, "link");
  return core::linkObjects({std::string(object)}, output);
}

} // namespace

int build(const std::string &file, const std::string &source,
          const std::string &output, const BuildOptions &options,
          std::string &errors) {
  if (options.kind == BuildKind::Tokens || options.kind == BuildKind::AST)
    return writeSyntaxDump(file, source, output, options.kind == BuildKind::AST,
                           errors);
  std::unique_ptr<Program> program;
  {
    core::ScopedPhase phase(options.timings, "parse");
    program = analyzeSource(file, source, errors);
  }
  if (!program)
    return 1;
  errors = checkLimits(options.maxDepth, options.timeoutSeconds);
  if (!errors.empty())
    return 1;
  if (auto err = compileToFile(*program, output, options)) {
    errors = core::renderError(std::move(err));
    return 1;
  }
  return 0;
}

} // namespace kiln::relay
