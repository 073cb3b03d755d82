// DriverSupport: the front end's diagnostics, runtime errors, syntax dumps,
// stacks, guards and print output.
#include "DriverSupport.h"
#include "StackRunner.h"

#include "relay/syntax/Lexer.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/Timing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <pthread.h>

namespace kiln::relay {

namespace {

Diagnostics located(DiagList diags, ErrorKind kind, const std::string &file,
                    const std::string &source) {
  for (Diagnostic &d : diags)
    if (d.kind == ErrorKind::Other)
      d.kind = kind;
  attachSource(diags, file, source);
  return diags;
}

Diagnostic invalidArgument(std::string message) {
  Diagnostic d = errorDiagnostic(std::move(message));
  d.kind = ErrorKind::InvalidArgument;
  return d;
}

} // namespace

Expected<std::unique_ptr<Program>> analyzeSource(const std::string &file,
                                                 const std::string &source) {
  DiagList diags;
  auto program = parseProgram(file, source, diags);
  if (!diags.empty())
    return located(std::move(diags), ErrorKind::Parse, file, source);
  // Type errors in a tree that did not parse would only add noise.
  if (!analyze(*program, diags))
    return located(std::move(diags), ErrorKind::Type, file, source);
  return std::move(program);
}

Diagnostic runtimeDiagnostic(const std::string &file, const RuntimeError &e) {
  Diagnostic d{e.loc, e.message};
  d.kind = e.message.rfind("timeout: ", 0) == 0 ? ErrorKind::Timeout
                                                : ErrorKind::Runtime;
  if (e.loc.known())
    d.file = file;
  return d;
}

Diagnostic trapDiagnostic(const std::string &file,
                          const kiln_rt_trap_info &info) {
  RuntimeError e{info.message,
                 {uint32_t(info.line > 0 ? info.line : 0),
                  uint32_t(info.column > 0 ? info.column : 0)}};
  return runtimeDiagnostic(info.file[0] ? std::string(info.file) : file, e);
}

Status writeSyntaxDump(const std::string &file, const std::string &source,
                       const std::string &output, bool ast) {
  std::string text;
  if (ast) {
    auto program = analyzeSource(file, source);
    if (!program)
      return program.takeDiagnostics();
    text = dumpAST(**program);
  } else {
    DiagList diags;
    text = dumpTokens(lex(source, diags));
    if (!diags.empty())
      return located(std::move(diags), ErrorKind::Parse, file, source);
  }
  if (auto err = core::writeOutputFile(output, text))
    return core::toDiagnostics(std::move(err));
  return {};
}


Status checkLimits(int maxDepth, double timeoutSeconds) {
  if (std::isnan(timeoutSeconds) || timeoutSeconds < 0)
    return invalidArgument("the time limit must be a positive number of "
                           "seconds (or 0 for none), not " +
                           std::to_string(timeoutSeconds));
  char message[256];
  if (kiln_rt_depth_message(maxDepth > 0 ? maxDepth : 10000, message,
                            sizeof message))
    return invalidArgument(message);
  return {};
}

Status runOnLargeStack(int maxDepth, const std::function<void()> &fn) {
  int depth = maxDepth > 0 ? maxDepth : 10000;
  size_t need = kiln_rt_stack_for_depth(depth);
  // At least 1 GiB (reserved, not committed): JIT compilation runs on this
  // thread too. If that much cannot be had, exactly what the limit needs.
  if (runOnRunner(std::max(kiln_rt_stack_reserve(depth), size_t(1) << 30),
                  fn) == 0)
    return {};
  int rc = runOnRunner(need, fn);
  if (rc == 0)
    return {};
  return errorDiagnostic("cannot reserve " + std::to_string((need >> 20) + 1) +
                         " MiB of stack for --max-depth " +
                         std::to_string(maxDepth) + ": " + std::strerror(rc));
}

Expected<std::unique_ptr<Program>>
analyzeWithLimits(const std::string &file, const std::string &source,
                  int maxDepth, double timeoutSeconds,
                  core::PhaseTimings *timings) {
  auto program = [&] {
    core::ScopedPhase phase(timings, "parse");
    return analyzeSource(file, source);
  }();
  if (!program)
    return program;
  if (Status limits = checkLimits(maxDepth, timeoutSeconds); !limits)
    return limits.takeDiagnostics();
  return program;
}

Status runWithStackFor(int maxDepth, double timeoutSeconds,
                       const std::function<void()> &session) {
  if (Status limits = checkLimits(maxDepth, timeoutSeconds); !limits)
    return limits;
  return runOnLargeStack(maxDepth, session);
}

namespace {
void callFunction(void *fn) {
  (*static_cast<const std::function<void()> *>(fn))();
}
} // namespace

bool callGuarded(const std::function<void()> &fn, kiln_rt_trap_info &info) {
  return kiln_rt_call_guarded(callFunction,
                              const_cast<std::function<void()> *>(&fn),
                              &info) == 0;
}

GuardScope::GuardScope(int maxDepth, double timeoutSeconds) {
  kiln_rt_depth = 0;
  kiln_rt_max_depth = maxDepth > 0 ? maxDepth : 10000;
  kiln_rt_interrupted = 0;
  if (timeoutSeconds > 0)
    kiln_rt_watchdog_start(timeoutSeconds);
}

GuardScope::~GuardScope() {
  kiln_rt_watchdog_stop();
  kiln_rt_interrupted = 0;
  kiln_rt_depth = 0;
}

OutputScope::OutputScope(const PrintSink &sink) : Sink(sink) {
  SavedOutput = kiln_rt_get_output(&SavedContext);
  if (Sink)
    kiln_rt_set_output(write, this);
}

OutputScope::~OutputScope() {
  if (!Sink)
    std::fflush(stdout);
  kiln_rt_set_output(SavedOutput, SavedContext);
}

void OutputScope::write(void *self, const char *data, size_t size) {
  auto *scope = static_cast<OutputScope *>(self);
  if (!scope->Error.empty())
    return;
  try {
    scope->Sink(std::string_view(data, size));
  } catch (const std::exception &e) {
    scope->Error = std::string("the print sink threw: ") + e.what();
  } catch (...) {
    scope->Error = "the print sink threw an exception";
  }
}

Status OutputScope::failure() const {
  if (Error.empty())
    return {};
  return errorDiagnostic(Error);
}

} // namespace kiln::relay
