// CrossCheck: runs one kernel call through the JIT (O0 and O3, 1 and 2
// threads) and both reference executors and compares every result with the
// eager one — bit for bit, or within a stated tolerance for the
// transcendental builtins and float reductions.
#pragma once

#include "RefTestUtil.h"

#include "kiln/tensor/Tensor.h"

#include <memory>

namespace kiln::tensor::test {

/// How results must agree with the eager reference.
struct Tolerance {
  double rel = 0;   ///< 0: exactly (NaN = NaN, -0 = +0); else |d| <= rel*scale
  double scale = 0; ///< for reductions: sum of |x|; 0: max(|got|, |want|)
};

/// The JIT engines every cross-check uses (created once per test binary).
struct Engines {
  std::unique_ptr<Engine> o0, o3;
  int64_t threshold = 0; ///< parallelThreshold of both (elements)
  static Engines &get();
};

/// Compiles `source` at O0 and O3, runs every column on `args` (array result
/// of `outShape`, or a scalar result) and expects agreement with eager.
/// Returns false (after reporting) on the first disagreement.
bool crossCheck(const std::string &source, const std::vector<Arg> &args,
                const std::vector<int64_t> &outShape, Tolerance tol = {});

/// Same, for a strided output view: `makeOut(buffer)` returns the view into
/// a zero-filled buffer of `bufferBytes`; the whole buffers are compared.
bool crossCheckStridedOut(const std::string &source,
                          const std::vector<Arg> &args, size_t bufferBytes,
                          ArrayView (*makeOut)(void *));

} // namespace kiln::tensor::test
