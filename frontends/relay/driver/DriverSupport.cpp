// DriverSupport: diagnostics rendering, syntax dumps, stacks and guards.
#include "DriverSupport.h"

#include "relay/syntax/Lexer.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/Timing.h"
#include "kiln/relay/Relay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <pthread.h>

namespace kiln::relay {

namespace {

std::string renderDiags(const std::string &file, const std::string &source,
                        const DiagList &diags) {
  DiagList all = diags;
  attachSource(all, file, source);
  return kiln::render(all);
}

} // namespace

std::unique_ptr<Program> analyzeSource(const std::string &file,
                                       const std::string &source,
                                       std::string &errors) {
  DiagList diags;
  auto program = parseProgram(file, source, diags);
  // Type errors in a tree that did not parse would only add noise.
  if (diags.empty())
    analyze(*program, diags);
  if (diags.empty())
    return program;
  errors = renderDiags(file, source, diags);
  return nullptr;
}

std::string renderRuntimeError(const std::string &file, const RuntimeError &e) {
  if (e.loc.line == 0)
    return "runtime error: " + e.message;
  return file + ":" + std::to_string(e.loc.line) + ":" +
         std::to_string(e.loc.col ? e.loc.col : 1) + ": runtime error: " + e.message;
}

std::string renderTrap(const std::string &file, const kiln_rt_trap_info &info) {
  RuntimeError e{info.message, {uint32_t(info.line > 0 ? info.line : 0),
                                uint32_t(info.column > 0 ? info.column : 0)}};
  return renderRuntimeError(info.file[0] ? std::string(info.file) : file, e);
}

int writeSyntaxDump(const std::string &file, const std::string &source,
                    const std::string &output, bool ast, std::string &errors) {
  std::string text;
  if (ast) {
    auto program = analyzeSource(file, source, errors);
    if (!program)
      return 1;
    text = dumpAST(*program);
  } else {
    DiagList diags;
    text = dumpTokens(lex(source, diags));
    if (!diags.empty()) {
      errors = renderDiags(file, source, diags);
      return 1;
    }
  }
  if (auto err = core::writeOutputFile(output, text)) {
    errors = core::renderError(std::move(err));
    return 1;
  }
  return 0;
}

namespace {
void *trampoline(void *arg) {
  (*static_cast<const std::function<void()> *>(arg))();
  return nullptr;
}

/// Runs fn on a new thread with `bytes` of stack; 0 or the pthread error.
int runOnThread(size_t bytes, const std::function<void()> &fn) {
  pthread_attr_t attr;
  pthread_t thread;
  int rc = pthread_attr_init(&attr);
  if (rc == 0)
    rc = pthread_attr_setstacksize(&attr, bytes);
  if (rc == 0)
    rc = pthread_create(&thread, &attr, trampoline,
                        const_cast<std::function<void()> *>(&fn));
  pthread_attr_destroy(&attr);
  if (rc == 0)
    pthread_join(thread, nullptr);
  return rc;
}
} // namespace

std::string checkLimits(int maxDepth, double timeoutSeconds) {
  if (std::isnan(timeoutSeconds) || timeoutSeconds < 0)
    return "error: the time limit must be a positive number of seconds "
           "(or 0 for none), not " + std::to_string(timeoutSeconds);
  char message[256];
  if (kiln_rt_depth_message(maxDepth > 0 ? maxDepth : 10000, message,
                            sizeof message))
    return std::string("error: ") + message;
  return "";
}

std::string runOnLargeStack(int maxDepth, const std::function<void()> &fn) {
  int depth = maxDepth > 0 ? maxDepth : 10000;
  size_t need = kiln_rt_stack_for_depth(depth);
  // At least 1 GiB (reserved, not committed): JIT compilation runs on this
  // thread too. If that much cannot be had, exactly what the limit needs.
  if (runOnThread(std::max(kiln_rt_stack_reserve(depth), size_t(1) << 30),
                  fn) == 0)
    return "";
  int rc = runOnThread(need, fn);
  if (rc == 0)
    return "";
  return "error: cannot reserve " + std::to_string((need >> 20) + 1) +
         " MiB of stack for --max-depth " + std::to_string(maxDepth) + ": " +
         std::strerror(rc);
}

std::unique_ptr<Program> analyzeWithLimits(const std::string &file,
                                           const std::string &source,
                                           int maxDepth, double timeoutSeconds,
                                           core::PhaseTimings *timings,
                                           std::string &errors) {
  std::unique_ptr<Program> program;
  {
    core::ScopedPhase phase(timings, "parse");
    program = analyzeSource(file, source, errors);
  }
  if (!program)
    return nullptr;
  errors = checkLimits(maxDepth, timeoutSeconds);
  if (!errors.empty())
    return nullptr;
  return program;
}

std::string runWithStackFor(int maxDepth, double timeoutSeconds,
                            const std::function<void()> &session) {
  if (std::string error = checkLimits(maxDepth, timeoutSeconds); !error.empty())
    return error;
  return runOnLargeStack(maxDepth, session);
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

} // namespace kiln::relay
