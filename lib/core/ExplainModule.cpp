// ExplainModule: print, optimise with a pass capture, emit assembly — the
// core's part of `kiln explain`.
#include "kiln/core/ExplainModule.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "LLVMHeaders.h"

#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/Support/Path.h"

namespace kiln::core {

namespace {

bool hasDebugLocations(const llvm::Module &module) {
  for (const llvm::Function &f : module)
    for (const llvm::BasicBlock &b : f)
      for (const llvm::Instruction &i : b)
        if (i.getDebugLoc())
          return true;
  return false;
}

/// Bitcode's magic (raw or in its wrapper): not text to show on a page.
bool isBitcode(const std::string &text) {
  return text.starts_with("BC\xC0\xDE") || text.starts_with("\xDE\xC0\x17\x0B");
}

/// A note when the module's debug locations name files other than `file`
/// (an IR file from a compiler names its source, whose lines the page's
/// line numbers then are).
void noteForeignFiles(const llvm::Module &module, const std::string &file,
                      Explanation &out) {
  std::string names;
  llvm::StringRef base = llvm::sys::path::filename(file);
  for (const llvm::DICompileUnit *cu : module.debug_compile_units())
    if (cu->getFilename() != base && cu->getFilename() != file)
      names += (names.empty() ? "" : ", ") + cu->getFilename().str();
  if (!names.empty())
    out.notes.push_back("The debug locations name lines of " + names +
                        ", not of this file: line N below selects that "
                        "file's line N.");
}

} // namespace

void setPhases(Explanation &out, const PhaseTimings &timings) {
  out.phases = timings.entries();
}

llvm::Error explainModule(llvm::Module &module, llvm::TargetMachine &tm,
                          Explanation &out, PhaseTimings &timings,
                          VectorLibrary vectorLibrary) {
  // The pipeline sets these first; set them before printing so that the
  // first pass's diff shows only what the pass did.
  module.setTargetTriple(tm.getTargetTriple().str());
  module.setDataLayout(tm.createDataLayout());
  out.target =
      tm.getTargetTriple().str() + " (cpu " + tm.getTargetCPU().str() + ")";
  if (!hasDebugLocations(module))
    out.notes.push_back("The IR carries no debug locations (!dbg), so "
                        "source lines map to no IR or assembly lines.");
  llvm::raw_string_ostream ir(out.irGenerated);
  module.print(ir, nullptr);
  {
    ScopedPhase phase(&timings, "optimize");
    PipelineOptions pipeline;
    pipeline.level = out.level;
    pipeline.vectorLibrary = vectorLibrary;
    pipeline.capture = &out.passes;
    if (auto err = optimizeModule(module, tm, pipeline))
      return err;
  }
  llvm::raw_string_ostream optimized(out.irOptimized);
  module.print(optimized, nullptr);
  ScopedPhase phase(&timings, "codegen");
  auto assembly = emitToString(module, tm, EmitKind::Assembly, vectorLibrary);
  if (!assembly)
    return assembly.takeError();
  out.assembly = std::move(*assembly);
  return llvm::Error::success();
}

kiln::Expected<Explanation> explainIRFile(const std::string &file,
                                          const std::string &source,
                                          OptLevel level) {
  if (isBitcode(source))
    return errorDiagnostic("'" + file +
                               "' is bitcode; `kiln explain` shows textual "
                               "IR (llvm-dis it first)",
                           file);
  Explanation out;
  out.language = "ll";
  out.file = file;
  out.source = source;
  out.level = level;
  PhaseTimings timings;
  llvm::LLVMContext context;
  auto module = [&] {
    ScopedPhase phase(&timings, "parse");
    return parseIR(source, file, context);
  }();
  if (!module)
    return toDiagnostics(module.takeError());
  if (auto err = core::verifyModule(**module))
    return toDiagnostics(std::move(err));
  noteForeignFiles(**module, file, out);
  TargetSpec host = hostTarget();
  retargetFunctions(**module, host, false);
  auto tm = createTargetMachine(host, level);
  if (!tm)
    return toDiagnostics(tm.takeError());
  if (auto err = explainModule(**module, **tm, out, timings))
    return toDiagnostics(std::move(err));
  setPhases(out, timings);
  return out;
}

} // namespace kiln::core
