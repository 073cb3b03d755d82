// CompileIR: llc and a linker as a library call — an IR or bitcode file to
// an object, assembly, bitcode, optimised IR, an executable or a .so.
//
// `kiln compile FILE.ll` is a thin caller of compileIRFile. Output files
// follow support/Files.h: a failed compilation leaves nothing behind.
#pragma once

#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"
#include "kiln/core/Timing.h"
#include "kiln/support/Expected.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::core {

enum class IROutput { Object, Assembly, Bitcode, IR, Executable, Shared };

/// Parses "obj", "asm", "bc", "ll", "exe", "shared".
std::optional<IROutput> parseIROutput(std::string_view text);

/// The name to write `kind` to when the caller names none, in the current
/// directory: fib.ll gives fib.o, fib.s, fib.bc, fib.opt.ll, fib, libfib.so.
std::string defaultOutputFor(const std::string &input, IROutput kind);

struct CompileIROptions {
  IROutput kind = IROutput::Executable;
  OptLevel level = OptLevel::O2;
  /// The machine to compile for; empty: hostTarget(). Executables and
  /// shared libraries are linked for the host only.
  std::optional<TargetSpec> target;
  /// Whether the caller chose the CPU: functions naming another CPU then
  /// get the target's (retargetFunctions' `requested`).
  bool cpuRequested = false;
  /// Teaching aids, forwarded to the optimiser (see PipelineOptions).
  llvm::raw_ostream *printPipeline = nullptr;
  llvm::raw_ostream *printChanged = nullptr;
  /// Phase times (parse, optimize, codegen, link) are added here.
  PhaseTimings *timings = nullptr;
  /// Called once when functions' target attributes were replaced, so the
  /// caller can say so in one line (LLVM would warn once per function).
  std::function<void(const RetargetReport &, const TargetSpec &)> onRetarget;
};

/// Loads, verifies and optimises `input`, then writes `output` as
/// `options.kind` (linking with the system C compiler and the Kiln runtime
/// for Executable and Shared). Thread-safe for different outputs.
kiln::Status compileIRFile(const std::string &input, const std::string &output,
                           const CompileIROptions &options = {});

} // namespace kiln::core
