// Tensor: compile elementwise kernels to one fused native loop and run them.
//
// An Engine owns the JIT, its compile cache and a thread pool; compile() turns
// source (or a builder-made Kernel) into CompiledKernels whose run() checks
// the call (checkCall) and executes native code, split over the pool above a
// size threshold. buildSharedLibrary() is the AOT path: a .so plus a C header
// that need no LLVM at run time. No LLVM types in this header.
//
// Every fallible call returns kiln::Expected / kiln::Status: parse and type
// errors are located (file, line, column, source line), bad calls are
// ErrorKind::InvalidArgument without a location. Nothing here renders text;
// callers render with kiln::render (kiln/support/Diagnostic.h).
#pragma once

#include "kiln/support/Expected.h"
#include "kiln/support/OptLevel.h"
#include "kiln/tensor/Array.h"
#include "kiln/tensor/Ast.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::core {
class PhaseTimings;
} // namespace kiln::core

namespace kiln::tensor {

struct EngineOptions {
  OptLevel optLevel = OptLevel::O3;
  unsigned threads = 0; ///< pool size; 0 = hardware threads
  /// Elements; below it one thread. Waking a pool thread costs a few µs,
  /// about a memory-bound call over 1e5 floats, so splitting pays from here.
  int64_t parallelThreshold = 1 << 18;
  bool cache = true; ///< on-disk object cache (KILN_CACHE_DIR)
  /// Compiled kernels the engine keeps alive after their callers drop them
  /// (the most recently compiled or found), so compiling one again is a
  /// cache hit; any other kernel frees its code when its last holder drops it.
  unsigned keptKernels = 64;
  /// irgen/optimize/codegen/link times of every compilation are added here
  /// (kiln/core/Timing.h) when non-null; must outlive the engine.
  core::PhaseTimings *timings = nullptr;
};

class CompiledKernel;
class BoundCall;

class Engine {
public:
  /// The engine, or why the JIT cannot be created (no location).
  static Expected<std::unique_ptr<Engine>>
  create(const EngineOptions &options = {});
  ~Engine();
  const EngineOptions &options() const;
  unsigned threads() const; ///< the pool's size (options.threads resolved)
  struct Impl;
  Impl &impl() { return *P; }

private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> P;
};

/// One kernel compiled to native code; owned by shared_ptr, keeps its code
/// alive (the Engine must outlive it). run() may be called from any thread.
class CompiledKernel {
public:
  const Kernel &signature() const;
  /// Runs on `args`; `out` receives an array result, `result` a scalar one.
  /// On error (checkCall's ErrorKind::InvalidArgument, or out of memory)
  /// nothing is written. threads 0 = the engine's. A successful call
  /// allocates nothing for its Status.
  Status run(const std::vector<Arg> &args, ArrayView *out, Scalar *result,
             unsigned threads = 0) const;
  /// The same call on `count` arguments at `args` (no vector needed).
  Status run(const Arg *args, size_t count, ArrayView *out, Scalar *result,
             unsigned threads = 0) const;
  /// Checks a call once (checkCall, as run() does) and prepares it for
  /// BoundCall::run, which then runs it with no checks: the cheap entry for
  /// small arrays called in a loop (the C API's kiln_tensor_bind). The views
  /// are copied; the memory they describe is borrowed.
  Expected<BoundCall> bind(const Arg *args, size_t count, const ArrayView *out,
                           unsigned threads = 0) const;
  struct Impl;
  explicit CompiledKernel(std::unique_ptr<Impl> impl);
  /// The compiled code (EngineImpl.h; the engine's own use: a staged
  /// kernel's plan points at its passes' loops).
  const Impl &impl() const { return *P; }
  ~CompiledKernel();

private:
  std::unique_ptr<Impl> P;
};

/// A call checked once by CompiledKernel::bind. run() repeats it on the same
/// views (the data behind them may change) without checking or allocating
/// (a strided reduction still allocates its chunk partials, as run() does).
/// The kernel must outlive it; one thread at a time (it owns a scratch
/// context block).
class BoundCall {
public:
  /// Runs the call; `result` receives a scalar result (may be null: it is
  /// then dropped). Fails only when memory for reduction partials runs out
  /// or the strided loop cannot be compiled (on its first use).
  Status run(Scalar *result = nullptr);
  BoundCall(BoundCall &&) noexcept;
  BoundCall &operator=(BoundCall &&) noexcept;
  ~BoundCall();
  struct Impl;
  explicit BoundCall(std::unique_ptr<Impl> impl);

private:
  std::unique_ptr<Impl> P;
};

struct CompileOptions {
  std::string fileName = "<input>"; ///< the diagnostics' file
};

/// Every kernel of one source, compiled.
struct CompiledProgram {
  std::vector<std::shared_ptr<CompiledKernel>> kernels; ///< source order
  /// The kernel called `name`, or null.
  std::shared_ptr<CompiledKernel> find(std::string_view name) const;
};

/// Parses, checks and JIT-compiles every kernel in `source`; all parse and
/// type errors (file options.fileName) or the first compile error.
Expected<CompiledProgram> compile(Engine &engine, std::string_view source,
                                  const CompileOptions &options = {});
/// Compiles one kernel built with KernelBuilder (type-checked here; its
/// errors have no location and the file "kernel 'NAME'").
Expected<std::shared_ptr<CompiledKernel>> compile(Engine &engine,
                                                  const Kernel &kernel);

/// The optimised fused loop of `kernel` as "ll" (LLVM IR) or "asm" (host
/// assembly).
Expected<std::string> emitText(const Kernel &kernel, std::string_view kind,
                               OptLevel optLevel = OptLevel::O3);

struct AotOptions {
  OptLevel optLevel = OptLevel::O3;
  std::string triple; ///< empty: the host
  std::string cpu;    ///< empty: host CPU (or "generic" for another triple)
  std::string emit;   ///< "" (shared library), or "ll", "asm", "obj"
  core::PhaseTimings *timings = nullptr; ///< irgen..link times, if non-null
};

/// Writes a shared library (or with options.emit the IR/asm/object) for every
/// kernel of `program` to `path`, and the C header to `headerPath` (not for
/// emit). No partial files on error.
Status buildSharedLibrary(const Program &program, const std::string &path,
                          const std::string &headerPath,
                          const AotOptions &options = {});

/// The C99 header text buildSharedLibrary writes (guard from `guardName`).
std::string cHeader(const Program &program, const std::string &guardName);

} // namespace kiln::tensor
