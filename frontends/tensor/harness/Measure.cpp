// Measure: generated inputs, the footprint check and timed runs of one
// compiled kernel (see Measure.h).
#include "Measure.h"

#include "kiln/core/Timing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <new>
#include <unistd.h>

namespace kiln::tensor::harness {

namespace {

Diagnostic plainError(std::string message) {
  Diagnostic d;
  d.message = std::move(message);
  return d;
}

long double count(const std::vector<int64_t> &shape) {
  long double n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Element i of parameter p of type t (see Inputs) written at `at`.
void fillElement(void *at, DType t, int64_t i, int64_t p) {
  int64_t h = (i * 7919 + p * 104729) % 1000;
  switch (t) {
  case DType::F32: *static_cast<float *>(at) = float(0.5 + h / 1000.0); break;
  case DType::F64: *static_cast<double *>(at) = 0.5 + h / 1000.0; break;
  case DType::I32: *static_cast<int32_t *>(at) = int32_t(1 + h % 100); break;
  case DType::I64: *static_cast<int64_t *>(at) = 1 + h % 100; break;
  case DType::Bool: *static_cast<uint8_t *>(at) = h % 3 != 0; break;
  }
}

Scalar scalarFor(DType t) {
  return t == DType::F32   ? Scalar::f32(1.25f)
         : t == DType::F64 ? Scalar::f64(1.25)
         : t == DType::I32 ? Scalar::i32(3)
         : t == DType::I64 ? Scalar::i64(3)
                           : Scalar::boolean(true);
}

double elementAt(const std::vector<unsigned char> &buf, DType t, int64_t i) {
  const void *at = buf.data() + i * dtypeSize(t);
  switch (t) {
  case DType::F32: return *static_cast<const float *>(at);
  case DType::F64: return *static_cast<const double *>(at);
  case DType::I32: return *static_cast<const int32_t *>(at);
  case DType::I64: return double(*static_cast<const int64_t *>(at));
  case DType::Bool: return *static_cast<const uint8_t *>(at);
  }
  return 0;
}

/// The checksum and bytes moved of a finished run.
Measurement summarize(const Kernel &k, const Inputs &in,
                      const std::vector<unsigned char> &outBuf,
                      const Scalar &result) {
  Measurement m;
  m.elements = int64_t(outBuf.size() / dtypeSize(k.resultType));
  m.checksum = result.asDouble();
  if (k.resultIsArray) {
    m.checksum = 0;
    for (int64_t i = 0; i < m.elements; ++i)
      m.checksum += elementAt(outBuf, k.resultType, i);
    m.bytes = double(m.elements) * dtypeSize(k.resultType);
  }
  for (const auto &buf : in.buffers)
    m.bytes += double(buf.size());
  return m;
}

} // namespace

std::vector<int64_t> shapeFor(const MeasureOptions &options, const Param &p) {
  for (const auto &[name, dims] : options.shapes)
    if (name == p.name)
      return dims;
  return {options.n};
}

/// The result shape of a kernel that reduces along an axis: resultShape
/// over views of the generated shapes (their data is never read), or
/// {n} when the shapes do not fit the kernel (the call then says why).
std::vector<int64_t> axisOutputShape(const Kernel &k,
                                     const MeasureOptions &options) {
  static char dummy[8];
  std::vector<Arg> args;
  for (const Param &p : k.params) {
    Scalar s;
    s.dtype = p.type;
    args.push_back(p.isArray ? Arg::of(ArrayView::contiguous(
                                   dummy, p.type, shapeFor(options, p)))
                             : Arg::of(s));
  }
  auto shape = resultShape(k, args);
  return shape ? *shape : std::vector<int64_t>{options.n};
}

std::vector<int64_t> outputShape(const Kernel &k,
                                 const MeasureOptions &options) {
  if (reducesAlongAxis(k))
    return axisOutputShape(k, options);
  std::vector<std::vector<int64_t>> shapes;
  for (const Param &p : k.params)
    if (p.isArray)
      shapes.push_back(shapeFor(options, p));
  auto shape = broadcastShapes(shapes);
  return shape ? *shape : std::vector<int64_t>{options.n};
}

Status checkFootprint(const Kernel &k, const MeasureOptions &options) {
  std::vector<int64_t> outShape = outputShape(k, options);
  std::string text;
  for (int64_t d : outShape)
    text += (text.empty() ? "" : "x") + std::to_string(d);
  if (count(outShape) > 0x1p60L)
    return plainError("the output shape " + text + " has too many elements");
  long double bytes =
      k.resultIsArray ? count(outShape) * dtypeSize(k.resultType) : 0;
  for (const Param &p : k.params)
    if (p.isArray)
      bytes += count(shapeFor(options, p)) * dtypeSize(p.type);
  long double memory = (long double)sysconf(_SC_PHYS_PAGES) *
                       (long double)sysconf(_SC_PAGE_SIZE);
  if (memory <= 0 || bytes <= memory)
    return {};
  char why[160];
  std::snprintf(why, sizeof why,
                "the arrays need %.1f GiB, more than this machine's %.1f GiB "
                "of memory; use a smaller --n or --shape",
                double(bytes / 0x1p30L), double(memory / 0x1p30L));
  return plainError(why);
}

Inputs generateInputs(const Kernel &k, const MeasureOptions &options) {
  Inputs in;
  in.buffers.resize(k.params.size());
  for (size_t p = 0; p < k.params.size(); ++p) {
    DType t = k.params[p].type;
    if (!k.params[p].isArray) {
      in.args.push_back(Arg::of(scalarFor(t)));
      continue;
    }
    std::vector<int64_t> shape = shapeFor(options, k.params[p]);
    int64_t n = int64_t(count(shape));
    auto &buf = in.buffers[p];
    buf.resize(size_t(n) * dtypeSize(t));
    for (int64_t i = 0; i < n; ++i)
      fillElement(buf.data() + i * dtypeSize(t), t, i, int64_t(p));
    in.args.push_back(Arg::of(ArrayView::contiguous(buf.data(), t, shape)));
  }
  return in;
}

Expected<Measurement> measure(const CompiledKernel &kernel,
                              const MeasureOptions &options) {
  const Kernel &k = kernel.signature();
  if (Status fits = checkFootprint(k, options); !fits)
    return fits.takeDiagnostics();
  std::vector<int64_t> shape = outputShape(k, options);
  int64_t n = int64_t(count(shape));
  Inputs in;
  std::vector<unsigned char> outBuf;
  try {
    in = generateInputs(k, options);
    outBuf.resize(size_t(n) * dtypeSize(k.resultType));
  } catch (const std::exception &) { // bad_alloc, length_error
    return plainError("cannot allocate the arrays for --n " +
                      std::to_string(n));
  }
  ArrayView out = ArrayView::contiguous(outBuf.data(), k.resultType, shape);
  Scalar result;
  std::vector<double> seconds;
  for (int r = 0; r < options.reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    Status ran = kernel.run(in.args, k.resultIsArray ? &out : nullptr, &result);
    auto t1 = std::chrono::steady_clock::now();
    if (!ran)
      return ran.takeDiagnostics();
    seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
    if (options.timings)
      options.timings->add("run", seconds.back() * 1e3);
  }
  Measurement m = summarize(k, in, outBuf, result);
  std::sort(seconds.begin(), seconds.end());
  m.medianSeconds = seconds[seconds.size() / 2];
  return m;
}

} // namespace kiln::tensor::harness
