// Jit: Kiln's in-memory compiler, a thin layer over ORC's LLJIT.
//
// Shaped like KaleidoscopeJIT: create(), addModule(), lookup(), and one
// ResourceTracker per transient module so removing it frees its code. Modules
// are optimised at the engine's level and compiled with the host's CPU
// features on first lookup; with a CompileCache attached, a module already
// compiled (same IR, level, CPU) is loaded instead of recompiled.
//
// Thread-safety: every member may be called from several threads at once
// (each module brings its own ThreadSafeContext).
#pragma once

#include "kiln/core/Cache.h"
#include "kiln/core/Isolate.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Timing.h"

// Core.h for ResourceTracker: callers hold and release trackers.
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/Shared/ExecutorSymbolDef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class MemoryBuffer;
class DataLayout;
namespace orc {
class ThreadSafeModule;
} // namespace orc
} // namespace llvm

namespace kiln::core {

using ResourceTrackerSP = llvm::IntrusiveRefCntPtr<llvm::orc::ResourceTracker>;

struct JitOptions {
  OptLevel level = OptLevel::O2;
  /// Shared with other engines if wanted; null disables caching.
  std::shared_ptr<CompileCache> cache;
  /// Resolve unknown symbols from the process (libc, libm, the Kiln runtime).
  bool processSymbols = true;
  /// Register JIT code with GDB's JIT interface (debug JIT code in gdb).
  bool gdbRegistration = false;
  /// Append symbols to /tmp/perf-<pid>.map so `perf report` names JIT code.
  bool perfMap = false;
  /// Teaching aids, forwarded to the optimiser (see PipelineOptions).
  llvm::raw_ostream *printPipeline = nullptr;
  llvm::raw_ostream *printChanged = nullptr;
  /// Optimize/codegen times are added here when non-null.
  PhaseTimings *timings = nullptr;
  /// Vector math library for the optimiser and codegen; create() loads it
  /// into the process (Libmvec: libmvec.so.1) so JIT code can call it.
  VectorLibrary vectorLibrary = VectorLibrary::None;
  /// Forwarded to the optimiser (see PipelineOptions::lateLicm).
  bool lateLicm = true;
  /// Called with the identifier and the object code of every module added
  /// with addModule, once compiled (or found in the cache), before it is
  /// linked: a way to keep the machine code without a cache key's cost.
  std::function<void(llvm::StringRef module, llvm::StringRef object)> onObject;
  /// Run the code in a kiln-executor process (Isolate.h): a crash, a limit
  /// or a timeout there is an error here. Addresses are then the
  /// executor's: call code with runMain/callInt/callVoid, never lookupAs;
  /// defineSymbols, gdbRegistration, perfMap and a vector library are not
  /// available.
  IsolateOptions isolate;
};

struct JitStats {
  uint64_t compilations = 0; ///< modules optimised and code-generated
  uint64_t cacheHits = 0;    ///< modules loaded from the cache instead
  uint64_t codeBytes = 0;    ///< bytes of JIT memory currently allocated
};

class Jit {
public:
  static llvm::Expected<std::unique_ptr<Jit>>
  create(const JitOptions &options = {});
  ~Jit();

  /// Verifies and adds a module (ownership transfers). Its code is compiled
  /// on first lookup of one of its symbols. With `rt`, removing `rt` removes
  /// the module.
  llvm::Error addModule(llvm::orc::ThreadSafeModule module,
                        ResourceTrackerSP rt = nullptr);
  /// Adds a relocatable object (e.g. written by emitToFile) without
  /// recompiling anything: the fast reload path.
  llvm::Error addObject(std::unique_ptr<llvm::MemoryBuffer> object,
                        ResourceTrackerSP rt = nullptr);

  ResourceTrackerSP createTracker();
  /// Removes everything added under `rt` and frees its JIT memory.
  llvm::Error remove(ResourceTrackerSP rt);

  /// Makes host functions/data callable from JIT code under `name`.
  llvm::Error
  defineSymbols(const std::vector<std::pair<std::string, void *>> &symbols);

  llvm::Expected<llvm::orc::ExecutorSymbolDef> lookup(llvm::StringRef name);
  /// lookup() as a typed pointer: `jit.lookupAs<int(int)>("fib")`.
  template <typename Fn> llvm::Expected<Fn *> lookupAs(llvm::StringRef name) {
    auto sym = lookup(name);
    if (!sym)
      return sym.takeError();
    return sym->getAddress().template toPtr<Fn *>();
  }

  /// Whether code runs in an executor process (JitOptions::isolate).
  bool isolated() const;
  /// Calls `int main(int argc, char **argv)` at `address` with `args` as
  /// argv (args[0] is the program's name). Isolated: a crash or a limit is
  /// an error naming it, and when the code calls exit() (addIsolatedMain's
  /// wrapper does) its status is the result and the executor has ended.
  llvm::Expected<int> runMain(llvm::orc::ExecutorAddr address,
                              const std::vector<std::string> &args);
  /// Calls `int f(int)` / `void f()` at `address` (0 for a void function),
  /// under the same guard as runMain when isolated.
  llvm::Expected<int32_t> callInt(llvm::orc::ExecutorAddr address, int32_t arg);
  llvm::Expected<int32_t> callVoid(llvm::orc::ExecutorAddr address);

  /// Runs the static constructors / destructors of the added modules.
  llvm::Error initialize();
  llvm::Error deinitialize();

  JitStats stats() const;
  const llvm::DataLayout &dataLayout() const;
  const std::string &triple() const;
  OptLevel level() const;

private:
  struct Impl;
  explicit Jit(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> P;
};

} // namespace kiln::core
