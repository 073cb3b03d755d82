// Target: which machine code is generated for.
//
// A TargetSpec names a triple, a CPU and its features. The host's spec carries
// the CPU's real features (AVX2, AVX-512, ...) so the vectorizers and cost
// models are the host's; any other registered target can be named by triple
// for cross emission.
#pragma once

#include "kiln/core/Pipeline.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace kiln::core {

struct TargetSpec {
  std::string triple;
  std::string cpu = "generic";
  std::string features; ///< comma-separated, LLVM syntax: "+avx2,+fma"
  bool isHost = false;
};

/// Registers the targets compiled into Kiln with LLVM. Idempotent and
/// thread-safe; every function below calls it.
void initializeTargets();

/// The machine Kiln runs on: triple, CPU name and its detected features.
TargetSpec hostTarget();

/// A spec for `triple` (normalised) and `cpu` with only that CPU's own
/// features (plus `features`). Fails with a clear message when no registered
/// target handles the triple or checkCpu rejects the CPU. The host's triple
/// with cpu "native" or the host CPU's name gives hostTarget().
llvm::Expected<TargetSpec> targetFromTriple(const std::string &triple,
                                            const std::string &cpu = "generic",
                                            const std::string &features = "");

/// Succeeds when `cpu` can generate code for the normalised `triple`: the
/// target knows the name ("generic" always) and the CPU has the register
/// width the triple needs (not i386 for x86-64, not an RV32 core for
/// riscv64). LLVM itself would abort on some of these.
llvm::Error checkCpu(const std::string &triple, const std::string &cpu);

/// The CPU names `checkCpu` accepts for `triple`, sorted; empty for an
/// unknown triple.
std::vector<std::string> listCpus(const std::string &triple);

/// How the TargetMachine will be used: AOT objects are PIC with the small code
/// model so they link into executables and shared libraries; the JIT uses the
/// same (JITLink handles small-model PIC everywhere). Checks the CPU
/// (checkCpu) first, so a bad name is an error, never an LLVM abort.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &spec, OptLevel level);

/// What retargetFunctions replaced, for one note at the edge.
struct RetargetReport {
  unsigned functions = 0; ///< functions whose attributes were replaced
  std::string cpu;        ///< a target-cpu they named ("" when none did)
};

/// Drops the target-cpu, tune-cpu and target-features attributes of
/// `module`'s functions where `spec`'s target cannot honour them (another
/// architecture's names, a CPU of the wrong width: LLVM warns once per
/// function and subtarget, or aborts) and, when the user `requested` a
/// target or CPU, where they name a CPU other than `spec.cpu`; such
/// functions then get the TargetMachine's CPU and features.
RetargetReport retargetFunctions(llvm::Module &module, const TargetSpec &spec,
                                 bool requested);

struct TargetInfo {
  std::string name;        ///< e.g. "x86-64"
  std::string description; ///< e.g. "64-bit X86: EM64T and AMD64"
};
/// The registered LLVM targets, sorted by name.
std::vector<TargetInfo> listTargets();

} // namespace kiln::core
