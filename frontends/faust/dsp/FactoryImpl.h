// FactoryImpl: what a Factory holds — the Faust module's description, its
// JIT code and the entry points a Dsp instance calls.
//
// Internal to the Faust adapter (frontends/faust); uses core (LLVM) types.
// The module preparation is PrepareModule.h, target strings and keys
// TargetString.h, the machine-code container MachineCode.h.
#pragma once

#include "DspInfo.h"
#include "TargetString.h"

#include "kiln/core/Cache.h"
#include "kiln/core/Jit.h"
#include "kiln/core/Target.h"
#include "kiln/faust/Factory.h"

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kiln::faust {

/// The functions `faust -lang llvm` defines for class NAME.
struct Kernel {
  void (*classInit)(int) = nullptr;
  void (*instanceConstants)(void *, int) = nullptr;
  void (*instanceClear)(void *) = nullptr;
  void (*allocate)(void *) = nullptr;
  void (*destroy)(void *) = nullptr;
  void (*compute)(void *, int, void **, void **) = nullptr;
  const char *(*getJSON)() = nullptr;
};

/// The objects a factory's JIT compiled, by module name (filled from the
/// JIT's compile threads).
struct CapturedObjects {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> objects;
};

struct Factory::Impl {
  std::string name, shaKey, dspCode, compileOptions, target;
  std::vector<std::string> libraryList, includePathnames, warnings;
  std::string className; ///< NAME in computeNAME
  std::string bitcode; ///< unoptimised Faust module; empty if from machine code
  core::TargetSpec spec; ///< what the code is built for
  core::OptLevel level = core::OptLevel::O3;
  DspInfo info;
  std::unique_ptr<core::Jit> jit; ///< null for a non-host target
  Kernel kernel;
  /// The host object code, when built or loaded here: one object, or two
  /// when the module was compiled in two parts (set-up, then compute).
  std::vector<std::string> objects;
  /// Where the JIT leaves the objects it compiles (to fill `objects`).
  std::shared_ptr<CapturedObjects> captured;
  /// Compile compute and the set-up functions as two modules at once.
  bool split = false;
  core::PhaseTimings *timings = nullptr; ///< while building only
  /// A JIT being created while faust runs (startJit); used by buildFactory.
  std::future<llvm::Expected<std::unique_ptr<core::Jit>>> pendingJit;
  /// The process's warm-up compilation, when this factory started it
  /// (startJit): jitModule waits for it before compiling.
  std::future<void> pendingWarmUp;
};

// LICM's runs after GVN (late function simplification, after
// vectorization) find nothing left to hoist or promote in compute's sample
// loop, but each costs as much as the first on a large loop: leaving them
// out cuts freeverb's factory by ~8 % and churchBell's by ~15 %, with the
// same ns per frame over the corpus (docs/faust.md, "Factory creation time").
constexpr bool kLateLicm = false;

/// Starts the process's warm-up compilation, once, for the first factory
/// built for the host on two threads; the future lands in
/// `impl.pendingWarmUp`, which jitModule waits for (WarmUp.cpp).
void startWarmUp(Factory::Impl &impl);

/// Starts creating the factory's JIT on another thread, so it overlaps the
/// faust subprocess (host factories only), and calls startWarmUp
/// (JitBuild.cpp).
void startJit(Factory::Impl &impl);

/// Builds a factory from Faust bitcode (or textual IR): finds the class
/// name and JSON, then, for the host, JIT-compiles and looks up the kernel.
/// `impl` arrives with name/key/code/warnings filled as known (JitBuild.cpp).
llvm::Expected<std::shared_ptr<Factory>>
buildFactory(std::unique_ptr<Factory::Impl> impl, const std::string &module,
             const std::string &moduleName);

/// Builds a factory from relocatable objects for the host (no optimisation,
/// no codegen): the machine-code read path. `size` is the instance size the
/// container records (0: none recorded, take the JSON's) (JitBuild.cpp).
llvm::Expected<std::shared_ptr<Factory>>
loadFactoryObject(std::unique_ptr<Factory::Impl> impl,
                  const std::vector<std::string> &objects, uint64_t size);

/// The factory's code for `spec` as one object: the host object when it was
/// compiled as one, else a fresh copy of the module optimised for `spec`
/// (ObjectCode.cpp).
llvm::Expected<std::string> compileObject(const Factory::Impl &impl,
                                          const core::TargetSpec &spec);

/// The factory's code for `spec` as the objects machine code carries: the
/// host objects as compiled (one or two), else compileObject's one.
llvm::Expected<std::vector<std::string>>
machineObjects(const Factory::Impl &impl, const core::TargetSpec &spec);

} // namespace kiln::faust
