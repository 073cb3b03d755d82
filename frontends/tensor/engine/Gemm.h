// Gemm: C = epilogue(A @ B) on strided, batched operands — the engine's
// driver around the JIT-generated tile function (irgen/EmitGemm.h).
//
// GotoBLAS's loop nest: column blocks of NC, k blocks of KC (B's KC x NC
// block packed into NR-wide panels), row blocks of MC (A's MC x KC block
// packed into MR-high panels, kept in L2), then NR x MR tiles, each one call
// of the tile function, whose KC x NR panel of B stays in L1. KC, MC and NC
// follow the host's cache sizes. Calls are split into independent tasks
// (batches, then column or row ranges) on the engine's thread pool; every
// task packs its own panels, so tasks share nothing but the read-only
// operands. No BLAS: packing here, arithmetic in generated code.
#pragma once

#include "EngineImpl.h"
#include "tensor/irgen/EmitGemm.h"

#include <atomic>
#include <memory>
#include <mutex>

namespace kiln::tensor {

/// One JIT-compiled tile function for a dtype and an epilogue; frees its
/// code when the last kernel that holds it goes. Shared; thread-safe.
struct GemmTile {
  irgen::TileShape shape;
  DType type = DType::F32;
  int64_t kc = 256, mc = 256, nc = 4096; ///< cache blocks for the host
  Engine::Impl *owner = nullptr;
  core::ResourceTrackerSP tracker;
  std::string symbol;
  /// The function, compiled at its first use (ORC compiles a module at its
  /// first lookup): a kernel whose calls all take the fused path never
  /// spends the ~70 ms of compiling its plain tile.
  Expected<irgen::TileFn> function() const;
  ~GemmTile();

private:
  mutable std::once_flag Once;
  mutable std::atomic<irgen::TileFn> Fn{nullptr};
  mutable Diagnostics Error;
};

/// The cache blocks for a tile of `shape` on this host: KC x NR of B fills
/// half of L1d, MC x KC of A half of L2, KC x NC of B a quarter of the last
/// level (sizes from Linux's sysfs). AOT libraries take the build host's.
void gemmBlocks(DType type, irgen::TileShape shape, int64_t &kc, int64_t &mc,
                int64_t &nc);

/// The tile for `type` (f32/f64) and `epilogue` (null: C = A @ B; else a
/// typed elementwise kernel of result dtype `type` whose parameter
/// `product` is the element of A @ B), compiled once per engine while held.
Expected<std::shared_ptr<const GemmTile>> gemmTile(Engine::Impl &engine,
                                                   DType type,
                                                   const Kernel *epilogue,
                                                   unsigned product);

/// One multiply: c [batch..., M, N] = epilogue(a [..., M, K] @ b [..., K, N])
/// with `epi` the epilogue's arguments in its parameter order (arrays
/// broadcast to c's shape; the product's entry is ignored). c's last
/// stride must be 1 and c must not overlap a, b or an epilogue array.
struct GemmCall {
  const GemmTile *tile = nullptr;
  ArrayView a, b, c;
  std::vector<Arg> epi;
};

/// Runs `call` on up to `threads` threads of `pool`; fails only when the
/// tile cannot be compiled. Throws bad_alloc.
Status runGemm(exec::ThreadPool &pool, unsigned threads, const GemmCall &call);

} // namespace kiln::tensor
