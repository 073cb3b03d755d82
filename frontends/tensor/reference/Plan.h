// Plan: what both reference executors derive from a kernel and its call
// arguments before computing anything — the iteration space, the expression
// DAG in evaluation order, and each array argument seen through the space.
//
// Building the plan also checks the call (checkCall) and the typed tree, so
// an executor that gets a plan can run without further checks and nothing is
// written for a rejected call.
#pragma once

#include "kiln/tensor/Array.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::tensor::ref {

/// The iteration space: the broadcast shape of all array arguments
/// (rank 0, one element, when there are none).
struct Space {
  int rank = 0;
  int64_t shape[kMaxRank] = {1, 1, 1, 1};
  int64_t size = 1;
};

/// An array argument (or the output) seen through the space: strides aligned
/// to the space's dimensions, 0 where the array is broadcast.
struct Strided {
  char *base = nullptr;
  unsigned elemSize = 8;
  int64_t strides[kMaxRank] = {0, 0, 0, 0};
  bool direct = false; ///< element k of the space is base[k]
};

struct Plan {
  Space space;
  std::vector<const Expr *> nodes;      ///< children before parents
  std::vector<std::array<int, 3>> kids; ///< node indices of the children
  std::vector<bool> varies; ///< differs across the space (depends on an array)
  std::vector<bool> afterReduce;  ///< depends on a reduction's result
  std::vector<uint64_t> constant; ///< Number and scalar Param nodes: the value
  std::vector<Strided> params;    ///< per parameter (arrays only)
  Strided out;                    ///< the output, for an array result
  int root = 0;
};

/// Checks the call and builds the plan; "" on success, else the error.
std::string makePlan(const Kernel &kernel, const std::vector<Arg> &args,
                     const ArrayView *out, const Scalar *result, Plan &plan);

/// Copies elements [start, start+len) of the space from `src` to dst.
void gather(const Strided &src, const Space &space, int64_t start, int64_t len,
            void *dst);
/// Writes len elements (or one broadcast element) to [start, start+len).
void scatter(const void *src, bool scalar, const Strided &dst,
             const Space &space, int64_t start, int64_t len);
/// A one-element value of `type` as a Scalar.
Scalar toScalar(DType type, const void *value);

} // namespace kiln::tensor::ref
