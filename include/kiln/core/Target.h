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
class TargetMachine;
}

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

/// A spec for `triple` (normalised). Fails with a clear message when no
/// registered target handles it.
llvm::Expected<TargetSpec> targetFromTriple(const std::string &triple,
                                            const std::string &cpu = "generic",
                                            const std::string &features = "");

/// How the TargetMachine will be used: AOT objects are PIC with the small code
/// model so they link into executables and shared libraries; the JIT uses the
/// same (JITLink handles small-model PIC everywhere).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &spec, OptLevel level);

struct TargetInfo {
  std::string name;        ///< e.g. "x86-64"
  std::string description; ///< e.g. "64-bit X86: EM64T and AMD64"
};
/// The registered LLVM targets, sorted by name.
std::vector<TargetInfo> listTargets();

} // namespace kiln::core
