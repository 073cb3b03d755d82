// Explain: relay::explain — the front end's dumps, then IR generation with
// debug info and the core's explainModule.
#include "kiln/relay/Explain.h"

#include "DriverSupport.h"
#include "relay/irgen/IRGen.h"
#include "relay/syntax/Lexer.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/ExplainModule.h"
#include "kiln/core/Target.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::relay {

Expected<core::Explanation> explain(const std::string &file,
                                    const std::string &source, OptLevel level,
                                    bool guards) {
  core::PhaseTimings timings;
  auto program = analyzeWithLimits(file, source, 0, 0, &timings);
  if (!program)
    return program.takeDiagnostics();
  core::Explanation out;
  out.language = "relay";
  out.file = file;
  out.source = source;
  out.level = level;
  Diagnostics ignored; // the source parsed: the lexer finds nothing
  out.tokens = dumpTokens(lex(source, ignored));
  out.ast = dumpAST(**program);
  llvm::LLVMContext context;
  auto module = [&] {
    core::ScopedPhase phase(&timings, "irgen");
    IRGenOptions irgen;
    irgen.guards = guards;
    irgen.debugInfo = true; // the line mapping of the page
    return generateProgram(**program, context, irgen);
  }();
  if (!module)
    return core::toDiagnostics(module.takeError());
  auto tm = core::createTargetMachine(core::hostTarget(), level);
  if (!tm)
    return core::toDiagnostics(tm.takeError());
  if (auto err = core::explainModule(**module, **tm, out, timings))
    return core::toDiagnostics(std::move(err));
  core::setPhases(out, timings);
  return out;
}

} // namespace kiln::relay
