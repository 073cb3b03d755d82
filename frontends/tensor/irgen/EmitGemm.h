// EmitGemm: the matrix-multiply tile function — a register-blocked
// micro-kernel with the kernel's elementwise epilogue fused in — as LLVM IR.
//
// The engine's driver (engine/MatmulRun.cpp) packs panels of A and B and
// walks the cache blocks; everything that runs per multiply-add is generated
// here, per (dtype, epilogue), for the host's vector width: MR rows of C
// held in MR x NV vector registers of `lanes` elements, updated with
// llvm.fma from one broadcast element of A and NV vectors of B per k. On
// the last block of k the accumulators go through the epilogue (relu(. + b))
// while still in registers or an L1 tile, and only then to C: the product
// itself is never stored. FMA contracts a*b+c into one rounding, unlike the
// elementwise language (docs/tensor-matmul.md).
#pragma once

#include "kiln/tensor/Ast.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace kiln::tensor::irgen {

/// The register block: `rows` (MR) rows of C times `vectors` (NV) vectors
/// of `lanes` elements, NR = vectors * lanes columns.
struct TileShape {
  unsigned rows = 8, vectors = 2, lanes = 16;
  unsigned cols() const { return vectors * lanes; }
};

/// The block for f32/f64 on a CPU with LLVM feature string `features`:
/// AVX-512 8 x 2 zmm, AVX2 6 x 2 ymm, otherwise 4 x 2 xmm-sized vectors.
TileShape tileShapeFor(DType type, const std::string &features);

/// Bits of the tile function's `mode` argument.
enum : int64_t {
  kTileAccumulate = 1, ///< add C's current value (a later block of k)
  kTileLast = 2,       ///< the last block of k: apply the epilogue
};

/// The tile function:
///   void tile(int64_t kc, const T *a, const T *b, int64_t ldb, T *c,
///             int64_t ldc, int64_t rows, int64_t cols, int64_t mode,
///             const int64_t *epi, int64_t i0, int64_t j0)
/// `a` is an MR x kc panel packed k-major (a[k*MR + r]), `b` a kc x NR
/// panel with rows ldb elements apart (b[k*ldb + j]; packed: ldb = NR),
/// `c` the tile's first element (row
/// stride ldc, column stride 1), of which rows x cols are written. `epi`
/// holds 3 words per epilogue parameter: an array's element pointer at the
/// output's (0, 0) of this matrix and its row and column strides (elements,
/// broadcast dimensions 0), or a scalar's bits in the first word; i0, j0 is
/// the tile's position in the output matrix.
using TileFn = void (*)(int64_t, const void *, const void *, int64_t, void *,
                        int64_t, int64_t, int64_t, int64_t, const int64_t *,
                        int64_t, int64_t);

/// Adds tile function `symbol` for element type `type` (f32/f64) to
/// `module`. `epilogue` may be null (C = A @ B); else a typed elementwise
/// kernel whose result dtype is `type` and whose parameter `product` stands
/// for the element of A @ B.
llvm::Error emitGemmTile(llvm::Module &module, const std::string &symbol,
                         DType type, TileShape shape, const Kernel *epilogue,
                         unsigned product);

} // namespace kiln::tensor::irgen
