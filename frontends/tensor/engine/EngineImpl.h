// EngineImpl: what an Engine and a CompiledKernel hold (exec-internal).
#pragma once

#include "RankOne.h"
#include "ThreadPool.h"
#include "tensor/irgen/KernelAbi.h"

#include "kiln/core/Jit.h"
#include "kiln/tensor/Tensor.h"

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

#include <deque>
#include <map>
#include <mutex>

namespace kiln::tensor {

struct GemmTile;   // Gemm.h
struct MatmulPlan; // Matmul.h

struct Engine::Impl {
  EngineOptions Options;
  std::unique_ptr<core::Jit> Jit;
  std::unique_ptr<exec::ThreadPool> Pool;
  std::mutex CacheMutex;
  /// Canonical kernel text -> the compiled kernel while anyone holds it (the
  /// ~µs cached path). Weak: a kernel nobody holds frees its code, so an
  /// engine compiling new kernels for hours does not grow (test/soak).
  std::map<std::string, std::weak_ptr<CompiledKernel>> Compiled;
  /// Compiled's size at which expired entries are next erased.
  size_t SweepAt = 64;
  /// The Options.keptKernels kernels compiled or found most recently, newest
  /// last: held here so compiling one of them again stays a hit after its
  /// caller dropped it.
  std::deque<std::shared_ptr<CompiledKernel>> Recent;
  /// Kernels compiled per name, for unique symbol suffixes.
  std::map<std::string, unsigned> NameCount;
  /// Matmul tile functions by dtype and epilogue while a kernel holds them
  /// (Gemm.h); under CacheMutex.
  std::map<std::string, std::weak_ptr<const GemmTile>> Tiles;
};

struct StagedKernel; // Staged.h

struct CompiledKernel::Impl {
  Kernel Signature;
  Engine::Impl *Owner = nullptr;
  core::ResourceTrackerSP Tracker;
  /// Element bytes per slot (params, then output); 0: scalar.
  std::vector<unsigned char> ElemSize;
  /// What the contiguous fast path (Run.cpp) compares each argument with:
  /// its dtype, | 0x80 for an array parameter.
  unsigned char PlainCode[64] = {};
  /// The rank-1 check's plan (Run.cpp: tried first on every call).
  RankOnePlan Plan;
  /// The engine's parallelThreshold (one load on the fast path).
  int64_t Threshold = 0;
  kt_kernel_fns Fns{};
  /// The strided loop is its own module, compiled on first use.
  std::once_flag StridedOnce;
  std::string StridedSymbol;
  Diagnostics StridedError; ///< why the strided loop could not be compiled
  /// Set for a kernel that reduces along an axis (Staged.h): run() executes
  /// these passes; the members above are then unused.
  std::shared_ptr<const StagedKernel> Staged;
  /// Set for a kernel with `a @ b` (Matmul.h): run() executes this plan.
  std::shared_ptr<const MatmulPlan> Matmul;
};

struct BoundCall::Impl {
  const CompiledKernel::Impl *Kernel = nullptr;
  std::vector<int64_t> Ctx;  ///< the call's full context block, filled once
  std::vector<int64_t> Work; ///< Ctx's copy for the driver, which rewrites it
  int64_t N = -1; ///< elements when every view is contiguous, else -1
  unsigned Threads = 0;
  /// A staged kernel's call (Staged.h): its arguments and output view.
  std::vector<Arg> Args;
  ArrayView Out;
};

/// A scalar argument's bits in a context word (f32 in the low 4 bytes), and
/// a scalar result from the driver's 8-byte slot (Run.cpp).
int64_t scalarBits(const Scalar &s);
Scalar scalarFrom(DType t, const unsigned char *bytes);

enum class LoopKind { All, Flat, Strided };

/// Builds the module of `kernels` (suffix appended to every symbol) in
/// `ctx`; used by the JIT, emitText and the AOT build. Flat: the flat loop
/// with combine/finish; Strided: the strided loop alone.
llvm::Expected<std::unique_ptr<llvm::Module>>
buildKernelModule(llvm::LLVMContext &ctx, const std::vector<Kernel> &kernels,
                  const std::string &suffix, const std::string &name,
                  LoopKind loops = LoopKind::All);

} // namespace kiln::tensor
