// PrepareModule: readying a Faust module for LLVM's optimiser, and cutting
// it in two for split compilation.
//
// The bitcode `faust -lang llvm` writes has no data layout and no target CPU.
// Before it reaches the optimiser, every function gets the target's
// "target-cpu"/"target-features" attributes, or the vectorizers and the code
// generator would not use the host's AVX2/AVX-512; its fast-math flags are
// cleared, and the set-up functions are marked optnone. The JSON description
// is read straight out of the module (the constant getJSONNAME returns), so
// no code has to run to learn the struct size, channels and UI.
#pragma once

#include "kiln/core/Target.h"

#include <cstdint>
#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace kiln::faust {

/// NAME from the module's defined function getJSONNAME, or empty when the
/// module is not a Faust module.
std::string findClassName(llvm::Module &m);

/// The C string getJSONNAME returns (the DSP's JSON description), or empty.
std::string jsonOf(llvm::Module &m, const std::string &className);

/// The instance struct's size: the allocation size of faust's
/// `%struct.dspNAME`, or `jsonSize` for a module without that type (the
/// JSON's "size" is 32-bit and wraps for a 4 GiB struct).
uint64_t instanceSize(llvm::Module &m, const std::string &className,
                      uint64_t jsonSize);

/// Clears the `fast` flags faust puts on every floating-point operation.
void dropFastMath(llvm::Module &m);

/// Marks every function of the Faust module that `computeCLASS` cannot
/// reach (classInit, the table fillers, instanceConstants, instanceClear,
/// ...) `optnone noinline`: they run once per init, and skipping them halves
/// the optimise + codegen time of small DSPs. Part of preparing a module.
void skipSetUpFunctions(llvm::Module &m, const std::string &className);

/// Readies a Faust module for `spec` before the optimiser: target triple,
/// IEEE arithmetic (dropFastMath), the target's CPU and features on every
/// function, `noalias` on compute's instance, optnone set-up functions.
void prepareModule(llvm::Module &m, const core::TargetSpec &spec,
                   const std::string &className);

/// Which half of a split module to keep (splitModule).
enum class Part { SetUp, Compute };

/// Cuts a prepared module down to one half: compute and what it calls, or
/// the set-up functions, which define and export the tables compute reads.
void splitModule(llvm::Module &m, const std::string &className, Part part);

} // namespace kiln::faust
