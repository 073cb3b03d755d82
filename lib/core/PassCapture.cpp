// PassCapture: pass instrumentation callbacks that time every pass run and
// keep the module after each one that changed it.
#include "PassCapture.h"

#include "LLVMHeaders.h"

#include <chrono>
#include <memory>

namespace kiln::core {

namespace {

using Clock = std::chrono::steady_clock;

/// What the callbacks share while one pipeline runs.
struct CaptureState {
  const llvm::Module *module;
  PassCapture *out;
  std::vector<Clock::time_point> starts; ///< one per pass run in progress
  std::string previous;                  ///< the module before the next change
};

std::string printModule(const llvm::Module &module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os, nullptr);
  return text;
}

/// Pass managers and adaptors only wrap the passes that do the work.
bool isWrapper(llvm::StringRef pass) {
  return pass.starts_with("PassManager") || pass.contains("Adaptor") ||
         pass.starts_with("ModuleToPostOrderCGSCC");
}

/// " on fib", " on (f, g)", " on loop %for.body in fib": the unit a pass
/// ran on, so that the same pass on two functions reads as two steps.
std::string unitOf(llvm::Any ir) {
  if (auto *f = llvm::any_cast<const llvm::Function *>(&ir))
    return " on " + (*f)->getName().str();
  if (auto *l = llvm::any_cast<const llvm::Loop *>(&ir))
    return " on loop %" + (*l)->getHeader()->getName().str() + " in " +
           (*l)->getHeader()->getParent()->getName().str();
  if (auto *c = llvm::any_cast<const llvm::LazyCallGraph::SCC *>(&ir)) {
    std::string names;
    for (const llvm::LazyCallGraph::Node &n : **c)
      names += (names.empty() ? "" : ", ") + n.getFunction().getName().str();
    return " on (" + names + ")";
  }
  return "";
}

double popMs(CaptureState &s) {
  if (s.starts.empty())
    return 0;
  auto start = s.starts.back();
  s.starts.pop_back();
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// Records one finished pass run; `unit` is empty when the unit is gone.
void record(CaptureState &s, llvm::StringRef pass, const std::string &unit,
            double ms, bool maybeChanged) {
  if (isWrapper(pass))
    return;
  ++s.out->runs;
  PassCapture &out = *s.out;
  if (maybeChanged && out.truncated) { // past the limit: names and times
    out.changed.push_back({pass.str() + unit, "", ms});
    return;
  }
  std::string now = maybeChanged ? printModule(*s.module) : std::string();
  out.printedBytes += now.size();
  if (!maybeChanged || now == s.previous) {
    out.unchangedMs += ms;
    out.truncated = out.printedBytes > out.limitBytes;
    return;
  }
  out.truncated = out.printedBytes > out.limitBytes;
  out.changed.push_back({pass.str() + unit, out.truncated ? "" : now, ms});
  s.previous = std::move(now);
}

} // namespace

void registerPassCapture(llvm::PassInstrumentationCallbacks &pic,
                         const llvm::Module &module, PassCapture &out) {
  auto state = std::make_shared<CaptureState>();
  state->module = &module;
  state->out = &out;
  state->previous = printModule(module);
  pic.registerBeforeNonSkippedPassCallback([state](llvm::StringRef, llvm::Any) {
    state->starts.push_back(Clock::now());
  });
  pic.registerAfterPassCallback([state](llvm::StringRef pass, llvm::Any ir,
                                        const llvm::PreservedAnalyses &pa) {
    double ms = popMs(*state);
    bool maybeChanged = !pa.areAllPreserved();
    record(*state, pass, maybeChanged ? unitOf(ir) : "", ms, maybeChanged);
  });
  pic.registerAfterPassInvalidatedCallback(
      [state](llvm::StringRef pass, const llvm::PreservedAnalyses &) {
        record(*state, pass, " (its unit was deleted)", popMs(*state), true);
      });
}

} // namespace kiln::core
