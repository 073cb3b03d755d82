// CompileIR: compileIRFile — load, verify, retarget, optimise, emit, link.
#include "kiln/core/CompileIR.h"
#include "kiln/core/CodegenGuard.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Link.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::core {

std::optional<IROutput> parseIROutput(std::string_view text) {
  if (auto kind = parseEmitKind(text))
    return IROutput(*kind); // the first four share EmitKind's order
  if (text == "exe")
    return IROutput::Executable;
  if (text == "shared")
    return IROutput::Shared;
  return std::nullopt;
}

std::string defaultOutputFor(const std::string &input, IROutput kind) {
  llvm::SmallString<256> name(llvm::sys::path::filename(input));
  llvm::sys::path::replace_extension(name, "");
  std::string base(name);
  switch (kind) {
  case IROutput::Object: return base + ".o";
  case IROutput::Assembly: return base + ".s";
  case IROutput::Bitcode: return base + ".bc";
  case IROutput::IR: return base + ".opt.ll";
  case IROutput::Executable: return base;
  case IROutput::Shared: return "lib" + base + ".so";
  }
  return base;
}

namespace {

static_assert(int(IROutput::IR) == int(EmitKind::IR));

bool links(IROutput kind) {
  return kind == IROutput::Executable || kind == IROutput::Shared;
}

/// Whether `kind` runs LLVM's code generator (.bc and .ll outputs do not).
bool generatesCode(IROutput kind) {
  return kind != IROutput::Bitcode && kind != IROutput::IR;
}

/// Verifies `module`, replaces target attributes `target` cannot honour
/// and optimises it for `tm`.
llvm::Error optimizeFor(llvm::Module &module, llvm::TargetMachine &tm,
                        const TargetSpec &target,
                        const CompileIROptions &options) {
  ScopedPhase phase(options.timings, "optimize");
  if (auto err = core::verifyModule(module))
    return err;
  RetargetReport report =
      retargetFunctions(module, target, options.cpuRequested);
  if (report.functions && options.onRetarget)
    options.onRetarget(report, target);
  PipelineOptions pipeline;
  pipeline.level = options.level;
  pipeline.printPipeline = options.printPipeline;
  pipeline.printChanged = options.printChanged;
  return optimizeModule(module, tm, pipeline);
}

/// Generates `kind` into `path`, unless LLVM reported errors into
/// `codegen` meanwhile: then nothing is written and they are the result.
llvm::Error emitChecked(llvm::Module &module, llvm::TargetMachine &tm,
                        EmitKind kind, const std::string &path,
                        CodegenErrors &codegen) {
  auto data = emitToString(module, tm, kind);
  if (codegen.pending()) {
    if (!data)
      llvm::consumeError(data.takeError());
    return codegen.takeError();
  }
  if (!data)
    return data.takeError();
  return writeOutputFile(path, *data);
}

/// Emits an object to a temporary file and links it into `output`.
llvm::Error emitAndLink(llvm::Module &module, llvm::TargetMachine &tm,
                        const std::string &output,
                        const CompileIROptions &options,
                        CodegenErrors &codegen) {
  llvm::SmallString<128> object;
  if (auto ec = llvm::sys::fs::createTemporaryFile("kiln", "o", object))
    return makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(object);
  {
    ScopedPhase phase(options.timings, "codegen");
    if (auto err = emitChecked(module, tm, EmitKind::Object,
                               std::string(object), codegen))
      return err;
  }
  ScopedPhase phase(options.timings, "link");
  LinkOptions link;
  link.shared = options.kind == IROutput::Shared;
  return linkObjects({std::string(object)}, output, link);
}

llvm::Error compile(const std::string &input, const std::string &output,
                    const CompileIROptions &options) {
  TargetSpec target = options.target ? *options.target : hostTarget();
  if (links(options.kind) && !target.isHost &&
      target.triple != hostTarget().triple)
    return makeError("executables and shared libraries are linked for the "
                     "host only; emit an object for '" +
                     target.triple + "'");
  llvm::LLVMContext context;
  auto codegen = std::make_shared<CodegenErrors>();
  collectCodegenErrors(context, codegen);
  std::unique_ptr<llvm::Module> module;
  {
    ScopedPhase phase(options.timings, "parse");
    auto parsed = loadIRFile(input, context);
    if (!parsed)
      return parsed.takeError();
    module = std::move(*parsed);
  }
  if (generatesCode(options.kind))
    if (auto err = checkModuleForTarget(*module, target.triple))
      return err;
  auto tm = createTargetMachine(target, options.level);
  if (!tm)
    return tm.takeError();
  if (auto err = optimizeFor(*module, **tm, target, options))
    return err;
  if (links(options.kind))
    return emitAndLink(*module, **tm, output, options, *codegen);
  ScopedPhase phase(options.timings, "codegen");
  return emitChecked(*module, **tm, EmitKind(options.kind), output, *codegen);
}

} // namespace

kiln::Status compileIRFile(const std::string &input, const std::string &output,
                           const CompileIROptions &options) {
  if (auto err = compile(input, output, options))
    return toDiagnostics(std::move(err));
  return {};
}

} // namespace kiln::core
