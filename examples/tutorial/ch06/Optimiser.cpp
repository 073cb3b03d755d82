// Optimiser: kiln::core::optimizeModule with its teaching aids switched on.
#include "Optimiser.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Target.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

namespace ember {

namespace {

/// Splits the printChanged stream at its "; *** IR after PASS ***" headers.
std::vector<PassChange> splitChanges(const std::string &log) {
  const std::string head = "; *** IR after ", tail = " ***\n";
  std::vector<PassChange> changes;
  size_t at = log.find(head);
  while (at != std::string::npos) {
    size_t nameEnd = log.find(tail, at);
    size_t next = log.find(head, nameEnd);
    std::string pass = log.substr(at + head.size(), nameEnd - at - head.size());
    size_t irStart = nameEnd + tail.size();
    size_t irEnd = next == std::string::npos ? log.size() : next;
    changes.push_back({pass, log.substr(irStart, irEnd - irStart)});
    at = next;
  }
  return changes;
}

} // namespace

// [tutorial:optimise-with-log]
kiln::Expected<OptimiseLog> optimiseWithLog(llvm::Module &module,
                                            kiln::OptLevel level) {
  kiln::core::TargetSpec spec = kiln::core::hostTarget();
  spec.cpu = "generic"; // the same cost model on every machine
  spec.features.clear();
  auto tm = kiln::core::createTargetMachine(spec, level);
  if (!tm)
    return kiln::core::toDiagnostics(tm.takeError());
  std::string pipeline, changed;
  llvm::raw_string_ostream pipelineOut(pipeline), changedOut(changed);
  kiln::core::PipelineOptions options;
  options.level = level;
  options.printPipeline = &pipelineOut; // the passes, before they run
  options.printChanged = &changedOut;   // the IR after each that changed it
  if (llvm::Error err = kiln::core::optimizeModule(module, **tm, options))
    return kiln::core::toDiagnostics(std::move(err));
  return OptimiseLog{pipeline, splitChanges(changed)};
}
// [/tutorial]

bool definesFunction(const std::string &ir, const std::string &name) {
  return !functionText(ir, name).empty();
}

std::string functionText(const std::string &ir, const std::string &name) {
  size_t at = ir.find("@" + name + "(");
  size_t start = at == std::string::npos ? at : ir.rfind("define ", at);
  if (start == std::string::npos || ir.find('\n', start) < at)
    return "";
  size_t end = ir.find("\n}\n", start);
  return ir.substr(start, end == std::string::npos ? end : end + 3 - start);
}

} // namespace ember
