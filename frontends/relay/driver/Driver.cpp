// Driver: kiln::relay::run (a CompiledProgram run once) and build (the
// front end, then AOT output: an executable, object, assembly, IR or dump).
#include "kiln/relay/Relay.h"

#include "DriverSupport.h"
#include "relay/irgen/IRGen.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/Link.h"
#include "kiln/core/Target.h"
#include "kiln/core/Timing.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::relay {

Status run(const std::string &file, const std::string &source,
           const RunOptions &options, RunStats *stats) {
  auto program = CompiledProgram::compile(file, source, options);
  if (!program)
    return program.takeDiagnostics();
  return program->run(stats);
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
                           "--emit=obj for '" +
                           target.triple + "'");
  llvm::LLVMContext context;
  auto module = [&] {
    core::ScopedPhase phase(options.timings, "irgen");
    IRGenOptions irgen;
    irgen.guards = options.guards;
    irgen.debugInfo = options.debugInfo;
    return generateProgram(program, context, irgen);
  }();
  if (!module)
    return module.takeError();
  addExecutableMain(**module, options.timeoutSeconds, options.maxDepth);
  auto tm = core::createTargetMachine(target, options.level);
  if (!tm)
    return tm.takeError();
  {
    core::ScopedPhase phase(options.timings, "optimize");
    core::PipelineOptions pipeline;
    pipeline.level = options.level;
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

Status build(const std::string &file, const std::string &source,
             const std::string &output, const BuildOptions &options) {
  if (options.kind == BuildKind::Tokens || options.kind == BuildKind::AST)
    return writeSyntaxDump(file, source, output,
                           options.kind == BuildKind::AST);
  auto program = analyzeWithLimits(file, source, options.maxDepth,
                                   options.timeoutSeconds, options.timings);
  if (!program)
    return program.takeDiagnostics();
  if (auto err = compileToFile(**program, output, options))
    return core::toDiagnostics(std::move(err));
  return {};
}

} // namespace kiln::relay
