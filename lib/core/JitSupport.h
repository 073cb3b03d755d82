// JitSupport: ORC pieces the Jit plugs into its LLJIT.
//
// A compile function that optimises, caches and runs codegen with the
// target's TargetLibraryInfo; a memory manager that counts the bytes it holds
// (so tests and users can see removal give memory back); a perf-map plugin.
#pragma once

#include "kiln/core/Cache.h"
#include "kiln/support/Diagnostic.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"
#include "kiln/core/Timing.h"

#include "LLVMHeaders.h"

#include <atomic>
#include <map>
#include <mutex>
#include <vector>

namespace kiln::core::detail {

struct JitCounters {
  std::atomic<uint64_t> compilations{0};
  std::atomic<uint64_t> cacheHits{0};
  std::atomic<int64_t> codeBytes{0};
  /// Code generation errors of a failed compile, for Jit::lookup: ORC fails
  /// the lookup before it reports the compile's error to the session.
  std::mutex errorMutex;
  kiln::Diagnostics codegenErrors;
};

/// Optimise + codegen (+ cache) for one module. TargetMachines are not
/// thread-safe, and creating one (with its subtargets) costs more than
/// compiling a small function, so each compilation borrows one from a
/// process-wide pool (JitSupport.cpp): concurrent compilations use
/// different machines, sequential ones, of any Jit, reuse them.
class ModuleCompiler : public llvm::orc::IRCompileLayer::IRCompiler {
public:
  /// The object sink: see JitOptions::onObject.
  using ObjectSink =
      std::function<void(llvm::StringRef module, llvm::StringRef object)>;
  ModuleCompiler(TargetSpec target, PipelineOptions pipeline,
                 std::shared_ptr<CompileCache> cache, JitCounters &counters,
                 PhaseTimings *timings, ObjectSink onObject = nullptr);
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  operator()(llvm::Module &module) override;

private:
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  compileInternal(llvm::Module &module);
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> borrow(OptLevel level);
  void giveBack(OptLevel level, std::unique_ptr<llvm::TargetMachine> tm);

  TargetSpec Target;
  PipelineOptions Pipeline;
  std::shared_ptr<CompileCache> Cache;
  JitCounters &Counters;
  PhaseTimings *Timings;
  ObjectSink OnObject;
};

/// Wraps JITLink's in-process memory manager and keeps `counters.codeBytes`
/// equal to the bytes currently allocated for linked graphs.
std::unique_ptr<llvm::jitlink::JITLinkMemoryManager>
createCountingMemoryManager(JitCounters &counters);

/// Appends "addr size name" lines for every defined function to
/// /tmp/perf-<pid>.map, the format `perf report` reads for JIT code.
std::unique_ptr<llvm::orc::ObjectLinkingLayer::Plugin> createPerfMapPlugin();

} // namespace kiln::core::detail
