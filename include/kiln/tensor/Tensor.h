// Tensor: compile elementwise kernels to one fused native loop and run them.
//
// An Engine owns the JIT, its compile cache and a thread pool; compile() turns
// source (or a builder-made Kernel) into CompiledKernels whose run() checks
// the call (checkCall) and executes native code, split over the pool above a
// size threshold. buildSharedLibrary() is the AOT path: a .so plus a C header
// that need no LLVM at run time. No LLVM types in this header.
#pragma once

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
  int optLevel = 3;                   ///< 0-3
  unsigned threads = 0;               ///< pool size; 0 = hardware threads
  /// Elements; below it one thread. Waking a pool thread costs a few µs,
  /// about a memory-bound call over 1e5 floats, so splitting pays from here.
  int64_t parallelThreshold = 1 << 18;
  bool cache = true;                  ///< on-disk object cache (KILN_CACHE_DIR)
  /// Compiled kernels the engine keeps alive after their callers drop them
  /// (the most recently compiled or found), so compiling one again is a
  /// cache hit; any other kernel frees its code when its last holder drops it.
  unsigned keptKernels = 64;
  /// irgen/optimize/codegen/link times of every compilation are added here
  /// (kiln/core/Timing.h) when non-null; must outlive the engine.
  core::PhaseTimings *timings = nullptr;
};

class CompiledKernel;

class Engine {
public:
  /// Null with `error` set when the JIT cannot be created.
  static std::unique_ptr<Engine> create(const EngineOptions &options,
                                        std::string &error);
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
  /// Returns "" or the error (nothing written then). threads 0 = engine's.
  std::string run(const std::vector<Arg> &args, ArrayView *out,
                  Scalar *result, unsigned threads = 0) const;
  /// The same call on `count` arguments at `args` (no vector needed).
  std::string run(const Arg *args, size_t count, ArrayView *out,
                  Scalar *result, unsigned threads = 0) const;
  struct Impl;
  explicit CompiledKernel(std::unique_ptr<Impl> impl);
  ~CompiledKernel();

private:
  std::unique_ptr<Impl> P;
};

struct CompileOptions {
  std::string fileName = "<input>"; ///< for diagnostics
};

struct CompileResult {
  std::vector<std::shared_ptr<CompiledKernel>> kernels; ///< source order
  std::string diagnostics; ///< rendered errors; empty on success
  bool ok() const { return diagnostics.empty(); }
  /// The kernel called `name`, or null.
  std::shared_ptr<CompiledKernel> find(std::string_view name) const;
};

/// Parses, checks and JIT-compiles every kernel in `source`.
CompileResult compile(Engine &engine, std::string_view source,
                      const CompileOptions &options = {});
/// Compiles one kernel built with KernelBuilder (type-checked here).
CompileResult compile(Engine &engine, const Kernel &kernel,
                      const CompileOptions &options = {});

/// The optimised fused loop of `kernel` as "ll" (LLVM IR) or "asm" (host
/// assembly) into `text`. Returns "" or the error.
std::string emitText(const Kernel &kernel, std::string_view kind,
                     std::string &text, int optLevel = 3);

struct AotOptions {
  int optLevel = 3;
  std::string triple; ///< empty: the host
  std::string cpu;    ///< empty: host CPU (or "generic" for another triple)
  std::string emit;   ///< "" (shared library), or "ll", "asm", "obj"
  core::PhaseTimings *timings = nullptr; ///< irgen..link times, if non-null
};

/// Writes a shared library (or with options.emit the IR/asm/object) for every
/// kernel of `program` to `path`, and the C header to `headerPath` (not for
/// emit). Returns "" or the error; no partial files on error.
std::string buildSharedLibrary(const Program &program, const std::string &path,
                               const std::string &headerPath,
                               const AotOptions &options = {});

/// The C99 header text buildSharedLibrary writes (guard from `guardName`).
std::string cHeader(const Program &program, const std::string &guardName);

} // namespace kiln::tensor
