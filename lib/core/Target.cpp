// Target: host detection, cross triples and TargetMachine creation.
#include "kiln/core/Target.h"
#include "kiln/core/Diagnostic.h"

#include "KilnTargets.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

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

namespace {

/// The target's MC subtarget for its default CPU: its CPU and feature
/// tables, without the warnings an unknown CPU name would print.
std::unique_ptr<llvm::MCSubtargetInfo>
defaultSubtarget(const llvm::Target &target, const std::string &triple) {
  return std::unique_ptr<llvm::MCSubtargetInfo>(
      target.createMCSubtargetInfo(triple, "", ""));
}

/// Whether the target has a feature called `name` (asking about one it
/// lacks prints a warning).
bool hasFeatureNamed(const llvm::MCSubtargetInfo &sti, llvm::StringRef name) {
  for (const llvm::SubtargetFeatureKV &f : sti.getAllProcessorFeatures())
    if (name == f.Key)
      return true;
  return false;
}

/// The register width `triple` needs of a CPU, as a feature of the target
/// that a CPU's table row implies ("64bit": x86-64 and RV64 CPUs,
/// "32bit": RV32 CPUs); empty when the target has no such feature.
std::string widthFeature(const llvm::MCSubtargetInfo &sti,
                         const llvm::Triple &triple) {
  std::string name = triple.isArch64Bit() ? "64bit" : "32bit";
  return hasFeatureNamed(sti, name) ? name : "";
}

} // namespace

llvm::Error checkCpu(const std::string &triple, const std::string &cpu) {
  initializeTargets();
  if (cpu.empty() || cpu == "generic")
    return llvm::Error::success();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("unknown target triple '" + triple +
                     "' (run `kiln targets` for the supported ones)");
  auto sti = defaultSubtarget(*target, triple);
  std::string hint = " (run `kiln targets " + triple + "` for its CPUs)";
  if (!sti || !sti->isCPUStringValid(cpu))
    return makeError("unknown CPU '" + cpu + "' for target '" + triple + "'" +
                     hint);
  // Some backends abort on a known CPU of the wrong width (i386 for x86-64,
  // an RV32 core for riscv64): check the CPU's own features first.
  llvm::Triple parsed(triple);
  std::string width = widthFeature(*sti, parsed);
  if (width.empty())
    return llvm::Error::success();
  std::unique_ptr<llvm::MCSubtargetInfo> cpuSti(
      target->createMCSubtargetInfo(triple, cpu, ""));
  if (cpuSti && !cpuSti->checkFeatures("+" + width))
    return makeError(
        "CPU '" + cpu + "' is not a " + (parsed.isArch64Bit() ? "64" : "32") +
        "-bit CPU, so it cannot run code for target '" + triple + "'" + hint);
  return llvm::Error::success();
}

std::vector<std::string> listCpus(const std::string &triple) {
  initializeTargets();
  std::string error;
  std::string normal = llvm::Triple::normalize(triple);
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(normal, error);
  std::vector<std::string> cpus;
  if (!target)
    return cpus;
  auto sti = defaultSubtarget(*target, normal);
  if (!sti)
    return cpus;
  for (const llvm::SubtargetSubTypeKV &cpu :
       sti->getAllProcessorDescriptions()) {
    if (auto err = checkCpu(normal, cpu.Key))
      llvm::consumeError(std::move(err)); // a CPU of the wrong width
    else
      cpus.push_back(cpu.Key);
  }
  return cpus;
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
  const TargetSpec &host = hostTarget();
  if (spec.triple == host.triple && (cpu == "native" || cpu == host.cpu) &&
      features.empty())
    return host; // the host CPU with the features it really has
  if (auto err = checkCpu(spec.triple, spec.cpu))
    return std::move(err);
  spec.isHost = false;
  return spec;
}

static llvm::CodeGenOptLevel codeGenLevel(OptLevel level) {
  switch (level) {
  case OptLevel::O0: return llvm::CodeGenOptLevel::None;
  case OptLevel::O1: return llvm::CodeGenOptLevel::Less;
  case OptLevel::O3: return llvm::CodeGenOptLevel::Aggressive;
  default: return llvm::CodeGenOptLevel::Default;
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
  // The detected host CPU needs no check (and creations stay cheap).
  if (!(spec.isHost && spec.cpu == hostTarget().cpu))
    if (auto err = checkCpu(spec.triple, spec.cpu))
      return std::move(err);
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

namespace {

/// Which attribute values the target can honour, each name checked once.
class AttributeChecker {
public:
  AttributeChecker(const llvm::MCSubtargetInfo &sti, const TargetSpec &spec)
      : Triple(spec.triple), SpecCpu(spec.cpu) {
    for (const llvm::SubtargetFeatureKV &f : sti.getAllProcessorFeatures())
      Features.insert(f.Key);
  }

  bool cpuOk(llvm::StringRef cpu) {
    if (cpu.empty() || cpu == SpecCpu) // the spec's CPU is checked already
      return true;
    auto [it, inserted] = Cpus.try_emplace(cpu.str(), true);
    if (inserted)
      if (auto err = checkCpu(Triple, cpu.str())) {
        llvm::consumeError(std::move(err));
        it->second = false;
      }
    return it->second;
  }

  bool featuresOk(llvm::StringRef list) {
    llvm::SmallVector<llvm::StringRef, 32> items;
    list.split(items, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef item : items)
      if (!Features.count(item.ltrim("+-").str()))
        return false;
    return true;
  }

private:
  std::string Triple, SpecCpu;
  std::set<std::string> Features;
  std::map<std::string, bool> Cpus;
};

llvm::StringRef attribute(const llvm::Function &f, llvm::StringRef name) {
  llvm::Attribute a = f.getFnAttribute(name);
  return a.isValid() ? a.getValueAsString() : llvm::StringRef();
}

} // namespace

namespace {

/// Whether the target honours one combination of attribute values. The
/// answers are facts of LLVM's constant tables, kept for the process:
/// every module of a Faust factory or a Relay engine carries the same
/// values, and checking them anew costs ~0.3 ms of MCSubtargetInfos.
bool attributesOk(const TargetSpec &spec, llvm::StringRef cpu,
                  llvm::StringRef tune, llvm::StringRef features,
                  std::unique_ptr<AttributeChecker> &checker) {
  static auto *mutex = new std::mutex;
  static auto *known = new std::map<std::string, bool>;
  std::string key = spec.triple + '\n' + cpu.str() + '\n' + tune.str() + '\n' +
                    features.str();
  {
    std::lock_guard<std::mutex> lock(*mutex);
    auto it = known->find(key);
    if (it != known->end())
      return it->second;
  }
  if (!checker) {
    initializeTargets();
    std::string error;
    const llvm::Target *target =
        llvm::TargetRegistry::lookupTarget(spec.triple, error);
    auto sti = target ? defaultSubtarget(*target, spec.triple) : nullptr;
    if (!sti)
      return true; // no table to judge by: leave the attributes alone
    checker = std::make_unique<AttributeChecker>(*sti, spec);
  }
  bool ok = checker->cpuOk(cpu) && checker->cpuOk(tune) &&
            checker->featuresOk(features);
  std::lock_guard<std::mutex> lock(*mutex);
  if (known->size() < 1024)
    known->emplace(std::move(key), ok);
  return ok;
}

} // namespace

RetargetReport retargetFunctions(llvm::Module &module, const TargetSpec &spec,
                                 bool requested) {
  RetargetReport report;
  std::unique_ptr<AttributeChecker> checker; // made for the first that needs it
  for (llvm::Function &f : module) {
    llvm::StringRef cpu = attribute(f, "target-cpu");
    llvm::StringRef features = attribute(f, "target-features");
    llvm::StringRef tune = attribute(f, "tune-cpu");
    if ((cpu.empty() || cpu == spec.cpu) && tune.empty() &&
        (features.empty() || features == spec.features))
      continue; // nothing for another machine: the usual case
    bool foreign = !attributesOk(spec, cpu, tune, features, checker);
    bool otherCpu =
        requested && (cpu.empty() ? !features.empty() : cpu != spec.cpu);
    if (!foreign && !otherCpu)
      continue;
    if (report.cpu.empty())
      report.cpu = cpu.str();
    ++report.functions;
    f.removeFnAttr("target-cpu");
    f.removeFnAttr("tune-cpu");
    f.removeFnAttr("target-features");
  }
  return report;
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
