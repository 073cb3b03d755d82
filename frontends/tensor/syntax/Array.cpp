// Array: run-time views and the one call check every executor shares.
//
// checkCall is the single source of the "bad call" messages so the JIT, the
// AOT wrapper's documentation and both references reject the same calls with
// the same words.
#include "kiln/tensor/Array.h"

#include "AxisShape.h"
#include "Limits.h"

#include <algorithm>
#include <cstdint>

namespace kiln::tensor {

ArrayView ArrayView::contiguous(void *data, DType dtype,
                                const std::vector<int64_t> &shape) {
  ArrayView v;
  v.data = data;
  v.dtype = dtype;
  // A rank above kMaxRank is kept so checkCall reports it; only the first
  // kMaxRank dimensions can be stored.
  v.rank = static_cast<int>(shape.size());
  int64_t stride = 1;
  for (int d = std::min(v.rank, kMaxRank) - 1; d >= 0; --d) {
    v.shape[d] = shape[d];
    v.strides[d] = stride;
    // Wraps instead of overflowing; checkCall rejects such a shape.
    __builtin_mul_overflow(stride, shape[d], &stride);
  }
  return v;
}

int64_t ArrayView::size() const {
  int64_t n = 1;
  for (int d = 0; d < std::min(rank, kMaxRank); ++d)
    __builtin_mul_overflow(n, shape[d], &n); // wraps: see checkCall
  return n;
}

bool ArrayView::isContiguous() const {
  int64_t expected = 1;
  for (int d = std::min(rank, kMaxRank) - 1; d >= 0; --d) {
    if (shape[d] != 1 && strides[d] != expected)
      return false;
    if (__builtin_mul_overflow(expected, shape[d], &expected))
      return false;
  }
  return true;
}

double Scalar::asDouble() const {
  return isFloat(dtype) ? f : static_cast<double>(i);
}

std::optional<std::vector<int64_t>>
broadcastShapes(const std::vector<std::vector<int64_t>> &shapes) {
  size_t rank = 0;
  for (const auto &s : shapes)
    rank = std::max(rank, s.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto &s : shapes)
    for (size_t k = 0; k < s.size(); ++k) {
      int64_t &o = out[rank - s.size() + k];
      int64_t d = s[k];
      if (d == o || d == 1)
        continue;
      if (o != 1)
        return std::nullopt;
      o = d;
    }
  return out;
}

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t k = 0; k < shape.size(); ++k)
    text += (k ? ", " : "") + std::to_string(shape[k]);
  return text + "]";
}

std::vector<int64_t> shapeOf(const ArrayView &v) {
  return std::vector<int64_t>(v.shape, v.shape + v.rank);
}

std::string tooMany(const std::vector<int64_t> &shape) {
  return "shape " + shapeText(shape) +
         " has too many elements (the limit "
         "is 2^60)";
}

/// True when the bytes `v` spans (sum over dimensions of |(size - 1) *
/// stride * element size|) do not fit in an int64_t: strides no memory has.
bool spanOverflows(const ArrayView &v) {
  int64_t total = 0, size = dtypeSize(v.dtype);
  for (int d = 0; d < v.rank; ++d) {
    int64_t span = 0;
    if (v.shape[d] > 1 &&
        (__builtin_mul_overflow(v.shape[d] - 1, v.strides[d], &span) ||
         __builtin_mul_overflow(span, size, &span) || span == INT64_MIN ||
         __builtin_add_overflow(total, span < 0 ? -span : span, &total)))
      return true;
  }
  return false;
}

/// Rank, dimensions and data pointer of one view; "" when usable.
std::string checkView(const std::string &what, const ArrayView &v) {
  if (v.rank < 0 || v.rank > kMaxRank)
    return what + ": rank " + std::to_string(v.rank) + " is out of range (0-4)";
  for (int d = 0; d < v.rank; ++d)
    if (v.shape[d] < 0)
      return what + ": dimension " + std::to_string(d) + " is negative (" +
             std::to_string(v.shape[d]) + ")";
  int64_t count = syntax::elementCount(v.shape, v.rank);
  if (count < 0)
    return what + ": " + tooMany(shapeOf(v));
  if (count > 0 && spanOverflows(v))
    return what + ": strides reach beyond the address space";
  if (!v.data && v.size() > 0)
    return what + ": data pointer is null";
  return "";
}

/// [lowest, highest] byte touched by `v` (v.size() > 0).
std::pair<intptr_t, intptr_t> byteRange(const ArrayView &v) {
  intptr_t lo = reinterpret_cast<intptr_t>(v.data), hi = lo;
  int64_t size = dtypeSize(v.dtype);
  for (int d = 0; d < v.rank; ++d) {
    int64_t span = (v.shape[d] - 1) * v.strides[d] * size;
    (span < 0 ? lo : hi) += span;
  }
  return {lo, hi + size - 1};
}

bool sameView(const ArrayView &a, const ArrayView &b) {
  if (a.data != b.data || a.rank != b.rank || a.dtype != b.dtype)
    return false;
  for (int d = 0; d < a.rank; ++d)
    if (a.shape[d] != b.shape[d] ||
        (a.shape[d] != 1 && a.strides[d] != b.strides[d]))
      return false;
  return true;
}

std::string checkArgument(const Param &p, const Arg &a) {
  std::string what = "argument '" + p.name + "'";
  std::string type = dtypeName(p.type);
  if (p.isArray && !a.isArray)
    return what + ": expected an array (" + type + "[]), got a scalar";
  if (!p.isArray && a.isArray)
    return what + ": expected a scalar " + type + ", got an array";
  DType got = a.isArray ? a.array.dtype : a.scalar.dtype;
  if (got != p.type)
    return what + ": dtype " + dtypeName(got) +
           " does not match parameter type " + type;
  return a.isArray ? checkView(what, a.array) : "";
}

std::string checkOutput(const Kernel &kernel, const std::vector<Arg> &args,
                        const ArrayView *out,
                        const std::vector<int64_t> &shape) {
  if (!out)
    return "kernel '" + kernel.name +
           "' returns an array: pass an output array";
  if (std::string e = checkView("output", *out); !e.empty())
    return e;
  if (out->dtype != kernel.resultType)
    return std::string("output: dtype ") + dtypeName(out->dtype) +
           " does not match the result type " + dtypeName(kernel.resultType);
  if (shapeOf(*out) != shape)
    return "output: shape " + shapeText(shapeOf(*out)) +
           " does not match the broadcast shape " + shapeText(shape);
  if (out->size() == 0)
    return "";
  auto [olo, ohi] = byteRange(*out);
  for (size_t k = 0; k < args.size(); ++k) {
    const ArrayView &in = args[k].array;
    if (!args[k].isArray || in.size() == 0 || sameView(in, *out))
      continue;
    auto [lo, hi] = byteRange(in);
    if (lo <= ohi && olo <= hi)
      return "output overlaps argument '" + kernel.params[k].name +
             "' (an output may only alias an identical input view)";
  }
  return "";
}

/// The arguments' problem, or "" and the result's shape in `shape`.
std::string argsProblem(const Kernel &kernel, const std::vector<Arg> &args,
                        std::vector<int64_t> &shape) {
  if (args.size() != kernel.params.size())
    return "kernel '" + kernel.name + "' takes " +
           std::to_string(kernel.params.size()) + " arguments, got " +
           std::to_string(args.size());
  std::vector<std::vector<int64_t>> shapes;
  const bool axes = kernel.body && syntax::hasAxisReduce(*kernel.body);
  for (size_t k = 0; k < args.size(); ++k) {
    if (std::string e = checkArgument(kernel.params[k], args[k]); !e.empty())
      return e;
    if (!args[k].isArray || axes)
      continue;
    shapes.push_back(shapeOf(args[k].array));
    if (!broadcastShapes(shapes))
      return "argument '" + kernel.params[k].name + "': shape " +
             shapeText(shapes.back()) + " does not broadcast with " +
             shapeText(*broadcastShapes({shapes.begin(), shapes.end() - 1})) +
             " (the arguments before it)";
  }
  shape = *broadcastShapes(shapes);
  if (axes) { // each node has its own shape (AxisShape.h)
    syntax::ShapeMap nodes;
    if (std::string e = syntax::nodeShapes(kernel, args, nodes); !e.empty())
      return e;
    shape = nodes[kernel.body.get()];
  }
  if (syntax::elementCount(shape.data(), int(shape.size())) < 0)
    return "the broadcast " + tooMany(shape);
  return "";
}

/// checkCall's sentence; "" when the call is well-formed.
std::string callProblem(const Kernel &kernel, const std::vector<Arg> &args,
                        const ArrayView *out) {
  std::vector<int64_t> shape;
  if (std::string e = argsProblem(kernel, args, shape); !e.empty())
    return e;
  if (!kernel.resultIsArray)
    return "";
  return checkOutput(kernel, args, out, shape);
}

} // namespace

Diagnostic callError(std::string message) {
  Diagnostic d = errorDiagnostic(std::move(message));
  d.kind = ErrorKind::InvalidArgument;
  return d;
}

bool reducesAlongAxis(const Kernel &kernel) {
  return kernel.body && syntax::hasAxisReduce(*kernel.body);
}

Expected<std::vector<int64_t>> resultShape(const Kernel &kernel,
                                           const std::vector<Arg> &args) {
  std::vector<int64_t> shape;
  if (std::string e = argsProblem(kernel, args, shape); !e.empty())
    return callError(std::move(e));
  return shape;
}

Status checkCall(const Kernel &kernel, const std::vector<Arg> &args,
                 const ArrayView *out) {
  std::string problem = callProblem(kernel, args, out);
  if (problem.empty())
    return {};
  return callError(std::move(problem));
}

} // namespace kiln::tensor
