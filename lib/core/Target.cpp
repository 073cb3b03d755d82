// Target: host detection, cross triples and TargetMachine creation.
#include "kiln/core/Target.h"
#include "kiln/core/Diagnostic.h"

#include "KilnTargets.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <mutex>

namespace kiln::core {

void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
#define KILN_INIT_TARGET(T)                                                    \
  LLVMInitialize##T##TargetInfo();                                             \
  LLVMInitialize##T##Target();                                                 \
  LLVMInitialize##T##TargetMC();                                               \
  LLVMInitialize##T##AsmPrinter();                                             \
  LLVMInitialize##T##AsmParser();
    KILN_TARGETS(KILN_INIT_TARGET)
#undef KILN_INIT_TARGET
  });
}

TargetSpec hostTarget() {
  initializeTargets();
  static const TargetSpec host = [] {
    TargetSpec spec;
    spec.triple = llvm::sys::getProcessTriple();
    spec.cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures features;
    for (auto &f : llvm::sys::getHostCPUFeatures())
      features.AddFeature(f.first(), f.second);
    spec.features = features.getString();
    spec.isHost = true;
    return spec;
  }();
  return host;
}

llvm::Expected<TargetSpec> targetFromTriple(const std::string &triple,
                                            const std::string &cpu,
                                            const std::string &features) {
  initializeTargets();
  if (triple.empty())
    return makeError("empty target triple");
  TargetSpec spec;
  spec.triple = llvm::Triple::normalize(triple);
  spec.cpu = cpu.empty() ? "generic" : cpu;
  spec.features = features;
  std::string error;
  if (!llvm::TargetRegistry::lookupTarget(spec.triple, error))
    return makeError("unknown target triple '" + triple +
                     "' (run `kiln targets` for the supported ones)");
  spec.isHost = spec.triple == hostTarget().triple && cpu == hostTarget().cpu;
  return spec;
}

static llvm::CodeGenOptLevel codeGenLevel(OptLevel level) {
  switch (level) {
  case OptLevel::O0:
    return llvm::CodeGenOptLevel::None;
  case OptLevel::O1:
    return llvm::CodeGenOptLevel::Less;
  case OptLevel::O3:
    return llvm::CodeGenOptLevel::Aggressive;
  default:
    return llvm::CodeGenOptLevel::Default;
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &spec, OptLevel level) {
  initializeTargets();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(spec.triple, error);
  if (!target)
    return makeError("unknown target triple '" + spec.triple + "'");
  llvm::TargetOptions options;
  // Exact IEEE semantics everywhere: no FMA contraction, so every execution
  // mode of a frontend computes bit-identical results.
  options.AllowFPOpFusion = llvm::FPOpFusion::Strict;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      spec.triple, spec.cpu, spec.features, options, llvm::Reloc::PIC_,
      llvm::CodeModel::Small, codeGenLevel(level)));
  if (!tm)
    return makeError("cannot create a target machine for '" + spec.triple +
                     "' (cpu '" + spec.cpu + "')");
  return std::move(tm);
}

std::vector<TargetInfo> listTargets() {
  initializeTargets();
  std::vector<TargetInfo> result;
  for (const llvm::Target &t : llvm::TargetRegistry::targets())
    result.push_back({t.getName(), t.getShortDescription()});
  std::sort(result.begin(), result.end(),
            [](auto &a, auto &b) { return a.name < b.name; });
  return result;
}

} // namespace kiln::core
