// tensor_fuzz: the tensor kernel front end and both reference executors on
// arbitrary source text.
//
// Lexer -> parser -> sema (and the diagnostics' rendering); for every kernel
// that type-checks, two properties: printKernel's text parses back to the
// same text (the engine's cache key relies on it), and the eager and blocked
// executors, run on tiny arrays holding hostile values (NaN, 3e9, INT_MIN,
// -1, 0), agree bit for bit on array results. Crashes, sanitizer reports and
// leaks are defects too.
#include "FuzzSupport.h"

#include "kiln/tensor/Array.h"
#include "kiln/tensor/Syntax.h"
#include "tensor/reference/Blocked.h"
#include "tensor/reference/Eager.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace kiln::tensor;

namespace {

constexpr int64_t kLength = 4; ///< every array argument is 1-D, 4 elements

/// Element i of a hostile test vector, stored as `type`.
void store(DType type, void *at, int i) {
  static const double floats[kLength] = {-2.5, 0.0, 3e9, std::nan("")};
  static const int64_t ints[kLength] = {std::numeric_limits<int64_t>::min(), -1,
                                        0, 7};
  switch (type) {
  case DType::Bool: *static_cast<uint8_t *>(at) = uint8_t(i & 1); break;
  case DType::I32:
    *static_cast<int32_t *>(at) =
        i == 0 ? std::numeric_limits<int32_t>::min() : int32_t(ints[i]);
    break;
  case DType::I64: *static_cast<int64_t *>(at) = ints[i]; break;
  case DType::F32: *static_cast<float *>(at) = float(floats[i]); break;
  case DType::F64: *static_cast<double *>(at) = floats[i]; break;
  }
}

Scalar scalarOf(DType type) {
  switch (type) {
  case DType::Bool: return Scalar::boolean(true);
  case DType::I32: return Scalar::i32(-1);
  case DType::I64: return Scalar::i64(-1);
  case DType::F32: return Scalar::f32(0.5f);
  case DType::F64: return Scalar::f64(-0.0);
  }
  return {};
}

/// One output buffer, pre-filled so unwritten elements show up.
struct Output {
  std::vector<uint8_t> bytes;
  ArrayView view;
  Output(DType type) : bytes(kLength * 8, 0xa5) {
    view = ArrayView::contiguous(bytes.data(), type, {kLength});
  }
};

bool sameElements(const Output &a, const Output &b, DType type) {
  unsigned width = dtypeSize(type);
  for (int64_t i = 0; i < kLength; ++i) {
    const uint8_t *x = a.bytes.data() + i * width,
                  *y = b.bytes.data() + i * width;
    if (std::memcmp(x, y, width) == 0)
      continue;
    bool bothNaN = type == DType::F64
                       ? std::isnan(*reinterpret_cast<const double *>(x)) &&
                             std::isnan(*reinterpret_cast<const double *>(y))
                       : type == DType::F32 &&
                             std::isnan(*reinterpret_cast<const float *>(x)) &&
                             std::isnan(*reinterpret_cast<const float *>(y));
    if (!bothNaN)
      return false;
  }
  return true;
}

void evaluate(const Kernel &kernel) {
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<Arg> args;
  for (const Param &p : kernel.params) {
    if (!p.isArray) {
      args.push_back(Arg::of(scalarOf(p.type)));
      continue;
    }
    buffers.emplace_back(kLength * 8);
    for (int i = 0; i < kLength; ++i)
      store(p.type, buffers.back().data() + i * dtypeSize(p.type), i);
    args.push_back(Arg::of(
        ArrayView::contiguous(buffers.back().data(), p.type, {kLength})));
  }
  Output eager(kernel.resultType), blocked(kernel.resultType);
  Scalar eagerResult, blockedResult;
  bool array = kernel.resultIsArray;
  std::string e =
      evalEager(kernel, args, array ? &eager.view : nullptr, &eagerResult);
  std::string b = evalBlocked(kernel, args, array ? &blocked.view : nullptr,
                              &blockedResult);
  if (e != b)
    kiln::fuzz::finding("the eager and blocked executors disagree on a call");
  if (e.empty() && array && !sameElements(eager, blocked, kernel.resultType))
    kiln::fuzz::finding("the eager and blocked executors compute different "
                        "elements");
}

void checkRoundTrip(const Kernel &kernel) {
  std::string text = printKernel(kernel);
  ParseResult again = parseProgram(text);
  if (!again.ok() || again.program.kernels.size() != 1 ||
      printKernel(again.program.kernels[0]) != text)
    kiln::fuzz::finding("printKernel's text does not parse back to itself");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view source(reinterpret_cast<const char *>(data), size);
  ParseResult result = parseProgram(source);
  if (!result.ok()) {
    kiln::Diagnostics errors = result.errors;
    kiln::attachSource(errors, "fuzz.tk", source);
    (void)kiln::render(errors);
    return 0;
  }
  for (const Kernel &kernel : result.program.kernels) {
    checkRoundTrip(kernel);
    evaluate(kernel);
  }
  return 0;
}
