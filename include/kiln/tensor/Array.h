// Array: how kernel arguments and results are passed at run time — a view of
// caller-owned memory (N-D, up to 4 dimensions, strides in elements), or a
// scalar. Shared by the JIT/AOT kernels and both reference executors, so all
// three are called the same way. No LLVM here.
#pragma once

#include "kiln/support/Expected.h"
#include "kiln/tensor/Ast.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::tensor {

constexpr int kMaxRank = 4;

/// A strided view; the memory belongs to the caller. rank 0 = one element.
/// Strides are in elements (not bytes) and may be 0 (broadcast) or negative.
struct ArrayView {
  void *data = nullptr;
  DType dtype = DType::F64;
  int rank = 1;
  int64_t shape[kMaxRank] = {0, 0, 0, 0};
  int64_t strides[kMaxRank] = {0, 0, 0, 0};

  /// A contiguous row-major view.
  static ArrayView contiguous(void *data, DType dtype,
                              const std::vector<int64_t> &shape);
  int64_t size() const; ///< number of elements (product of shape)
  bool isContiguous() const;
};

/// A scalar argument or a reduction's result.
struct Scalar {
  DType dtype = DType::F64;
  double f = 0;  ///< F32/F64
  int64_t i = 0; ///< I32/I64/Bool (0 or 1)
  static Scalar f64(double v) { return {DType::F64, v, 0}; }
  static Scalar f32(float v) { return {DType::F32, v, 0}; }
  static Scalar i64(int64_t v) { return {DType::I64, 0, v}; }
  static Scalar i32(int32_t v) { return {DType::I32, 0, v}; }
  static Scalar boolean(bool v) { return {DType::Bool, 0, v ? 1 : 0}; }
  double asDouble() const; ///< the value as a double, whatever the dtype
};

/// One kernel argument, in parameter order.
struct Arg {
  bool isArray = false;
  ArrayView array;
  Scalar scalar;
  static Arg of(const ArrayView &a) { return {true, a, {}}; }
  static Arg of(const Scalar &s) { return {false, {}, s}; }
};

/// NumPy broadcasting of `shapes` (each up to kMaxRank dims, aligned at the
/// right); nullopt when two dimensions differ and neither is 1.
std::optional<std::vector<int64_t>>
broadcastShapes(const std::vector<std::vector<int64_t>> &shapes);

/// Checks `args` against `kernel` (count, array/scalar, dtype, rank, that the
/// array shapes broadcast) and, for an array result, `out` (dtype, shape equal
/// to the broadcast shape). On error one ErrorKind::InvalidArgument
/// diagnostic without location whose message is one clear sentence, e.g.
/// "argument 'b': dtype f64 does not match parameter type f32". Shared by
/// every executor so all reject the same calls the same way.
Status checkCall(const Kernel &kernel, const std::vector<Arg> &args,
                 const ArrayView *out);

/// True when `kernel`'s body reduces along an axis (`sum(x, axis=1)`).
bool reducesAlongAxis(const Kernel &kernel);

/// The shape of `kernel`'s array result for `args`: the broadcast shape, or,
/// when the body reduces along an axis, the shape NumPy's rules give its
/// root (`sum(x, axis=1)` of a [3, 4] x is [3]). Checks the arguments as
/// checkCall does (same errors), without an output.
Expected<std::vector<int64_t>> resultShape(const Kernel &kernel,
                                           const std::vector<Arg> &args);

/// A bad call as a diagnostic: ErrorKind::InvalidArgument, no location.
Diagnostic callError(std::string message);

} // namespace kiln::tensor
