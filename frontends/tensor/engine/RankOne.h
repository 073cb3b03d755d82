// RankOne: the JIT's rank-1 call check — a kernel's parameters planned at
// compile time so that run() checks the common call with a straight run of
// compares (Run.cpp). Exec-internal, no LLVM.
//
// Most calls pass rank-1 contiguous arrays of one length. plainContext's
// generic checks (per-argument tables, a rank loop) cost more than a short
// kernel; a check generated per kernel in LLVM IR costs milliseconds of
// compile time. The plan keeps the check in C++, unrolled for the usual
// parameter counts.
#pragma once

#include "kiln/tensor/Tensor.h"

#include <cstdint>
#include <string>

namespace kiln::tensor {

struct RankOnePlan;
/// The rank-1 check (Run.cpp rankOneContext): for a call whose arrays and
/// array output are all rank 1, contiguous, of one length n, it fills `ctx`
/// as plainContext would and returns n; -1 for any other call.
using RankOneFn = int64_t (*)(const RankOnePlan &plan, const Arg *args,
                              size_t count, const ArrayView *out,
                              const Scalar *result, int64_t *ctx);
/// run() for one kernel shape (Run.cpp runRankOne).
using RankOneRun = Status (*)(const CompiledKernel::Impl &P, const Arg *args,
                              size_t count, ArrayView *out, Scalar *result,
                              unsigned threads);

/// A kernel's parameters sorted for the rank-1 check: arrays and scalars
/// apart, each with its Arg's byte offset, context word, dtype and element
/// bytes, so the check walks two short lists with no per-argument switch.
struct RankOnePlan {
  struct Entry {
    uint16_t argByte = 0, word = 0;
    DType type = DType::F64;
    unsigned char size = 0; ///< element bytes; 0: scalar
  };
  RankOneFn check = nullptr; ///< unrolled for these counts, or a loop
  RankOneRun run = nullptr;  ///< run() with `check` inlined
  unsigned char count = 0;   ///< parameters
  unsigned char outSize = 0; ///< output element bytes; 0: scalar result
  DType outType = DType::F64;
  unsigned char arrays = 0, scalars = 0;
  Entry array[64], scalar[64];
};

/// The plan of `kernel` (at most 60 parameters).
RankOnePlan makeRankOnePlan(const Kernel &kernel);
/// The check for `arrays` array and `scalars` scalar parameters: unrolled
/// for 1-4 arrays and up to 3 scalars (most kernels), else a loop over the
/// plan's lists (which takes no call of a kernel without arrays).
RankOneFn rankOneCheck(unsigned arrays, unsigned scalars, bool outArray);

} // namespace kiln::tensor
