// TensorBenchUtil: see TensorBenchUtil.h. Also the `stream` and `compile`
// modes of tensor_bench, which need nothing but this plumbing.
#include "TensorBenchUtil.h"

#include <numeric>
#include <random>

#include "tensor/aot/AotAbi.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace kiln::bench {

using namespace kiln::tensor;

std::string parseOptions(int argc, char **argv, Options &o) {
  if (argc < 2)
    return "usage: tensor_bench run|stream|compile [options] (see "
           "tensor_bench.cpp)";
  o.mode = argv[1];
  if (o.mode != "run" && o.mode != "stream" && o.mode != "compile")
    return "unknown mode '" + o.mode + "' (run, stream or compile)";
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc)
      return "option '" + flag + "' needs a value";
    const std::string v = argv[++i];
    if (flag == "--kernel")
      o.kernel = v;
    else if (flag == "--tk")
      o.tk = v;
    else if (flag == "--native")
      o.native = v;
    else if (flag == "--aot")
      o.aot = v;
    else if (flag == "--n")
      o.n = std::atoll(v.c_str());
    else if (flag == "--reps")
      o.reps = std::max(1, std::atoi(v.c_str()));
    else if (flag == "--seed")
      o.seed = std::max(0, std::atoi(v.c_str()));
    else
      return "unknown option '" + flag + "'";
  }
  return o.n < 0 ? "--n must not be negative" : "";
}

int fail(const std::string &message) {
  std::cerr << "tensor_bench: error: " << message << "\n";
  return 1;
}

bool readText(const std::string &path, std::string &text) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return bool(in);
}

Library::Library(const std::string &path) {
  if (path.empty())
    return;
  Handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!Handle)
    std::cerr << "tensor_bench: warning: " << dlerror() << "\n";
}
Library::~Library() {
  if (Handle)
    dlclose(Handle);
}
void *Library::sym(const std::string &name) const {
  return Handle ? dlsym(Handle, name.c_str()) : nullptr;
}

float inputValue(uint64_t seed, uint64_t i) {
  uint64_t z = ((seed << 40) ^ i) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return float(z >> 40) * 0x1p-22f - 2.0f;
}

Inputs::Inputs(int64_t count, int arraysWanted, float s) : n(count), scalar(s) {
  arrays.resize(size_t(arraysWanted));
  for (int k = 0; k < arraysWanted; ++k) {
    arrays[k].resize(size_t(std::max<int64_t>(n, 1)));
    for (int64_t i = 0; i < n; ++i)
      arrays[k][i] = inputValue(uint64_t(k + 1), uint64_t(i));
  }
}

std::vector<Arg> Inputs::args() {
  std::vector<Arg> out;
  for (auto &a : arrays)
    out.push_back(Arg::of(ArrayView::contiguous(a.data(), DType::F32, {n})));
  if (scalar != 0)
    out.push_back(Arg::of(Scalar::f32(scalar)));
  return out;
}

double Inputs::dotScale() const {
  double s = 0;
  for (int64_t i = 0; arrays.size() > 1 && i < n; ++i)
    s += std::fabs(double(a()[i]) * b()[i]);
  return s;
}

Callable aotColumn(Library &lib, const std::string &k, Inputs &in, float *out,
                   float *result) {
  void *f = lib.sym(k);
  if (!f)
    return nullptr;
  auto view = [&](const float *p) {
    kiln_tensor_array v{};
    v.data = const_cast<float *>(p), v.dtype = KILN_TENSOR_F32, v.rank = 1;
    v.shape[0] = in.n, v.strides[0] = 1;
    return v;
  };
  kiln_tensor_array a = view(in.a()), b = view(in.b()), c = view(in.c()),
                    o = view(out);
  const float s = in.scalar;
  using A = const kiln_tensor_array *;
  if (k == "copy")
    return [=]() mutable {
      reinterpret_cast<int (*)(A, kiln_tensor_array *)>(f)(&a, &o);
    };
  if (k == "triad")
    return [=]() mutable {
      reinterpret_cast<int (*)(A, A, float, kiln_tensor_array *)>(f)(&a, &b, s,
                                                                     &o);
    };
  if (k == "fma_relu")
    return [=]() mutable {
      reinterpret_cast<int (*)(A, A, A, float, kiln_tensor_array *)>(f)(
          &a, &b, &c, s, &o);
    };
  if (k == "tanh_k")
    return [=]() mutable {
      reinterpret_cast<int (*)(A, kiln_tensor_array *)>(f)(&a, &o);
    };
  if (k == "sigmoid_mul")
    return [=]() mutable {
      reinterpret_cast<int (*)(A, A, kiln_tensor_array *)>(f)(&a, &b, &o);
    };
  return [=]() mutable {
    reinterpret_cast<int (*)(A, A, float *)>(f)(&a, &b, result);
  };
}

std::string Checker::operator()(const float *got, float result) const {
  char buf[160];
  if (reduce) {
    const double tol =
        1e-6 * std::max(1.0, std::sqrt(double(n))) * scale + 1e-6;
    const double d = std::fabs(double(result) - wantResult);
    std::snprintf(buf, sizeof buf, "%s: %.9g vs eager %.9g (tolerance %.3g)",
                  d <= tol ? "ok" : "MISMATCH", result, wantResult, tol);
    return buf;
  }
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = std::fabs(double(got[i]) - want[i]);
    if (!(d <= 1e-5 * std::fabs(want[i]) + 1e-6)) {
      std::snprintf(buf, sizeof buf, "MISMATCH at %lld: %.9g vs eager %.9g",
                    (long long)i, got[i], want[i]);
      return buf;
    }
    worst = std::max(worst, d);
  }
  std::snprintf(buf, sizeof buf, "ok: max |difference| from eager %.3g", worst);
  return buf;
}

namespace {
double nowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

std::vector<std::vector<double>> timeInterleaved(std::vector<Column> &cols,
                                                 int reps, int seed) {
  // Calls per sample: enough for ~5 ms, so small sizes are above timer noise.
  std::vector<int> inner;
  for (Column &c : cols) {
    double t0 = nowMs();
    c.call();
    const double once = std::max(nowMs() - t0, 1e-5);
    inner.push_back(int(std::clamp(std::ceil(5.0 / once), 1.0, 200000.0)));
  }
  std::vector<std::vector<double>> times(cols.size());
  // The column after the eager and blocked references (which allocate and
  // free big temporaries) ran up to ~15 % slower at 1e7, whichever column
  // it was, even after an untimed call: so each round takes the columns in
  // another order (a shuffle seeded by the round and --seed, so runs are
  // repeatable), and each sample still starts after one untimed call.
  std::vector<size_t> order(cols.size());
  for (int r = 0; r < reps; ++r) {
    std::iota(order.begin(), order.end(), size_t(0));
    std::mt19937 shuffle(unsigned(seed + r));
    std::shuffle(order.begin(), order.end(), shuffle);
    for (size_t k : order) {
      cols[k].call();
      const double t0 = nowMs();
      for (int i = 0; i < inner[k]; ++i)
        cols[k].call();
      times[k].push_back((nowMs() - t0) / inner[k]);
    }
  }
  return times;
}

void printJson(std::ostream &os, const Options &o, int bytesPerElem,
               const std::vector<Column> &cols,
               const std::vector<std::vector<double>> &times,
               const std::vector<std::string> &verdicts, const float *want,
               float wantResult, bool reduce, double scale) {
  os.precision(9);
  os << "{\"kernel\": \"" << o.kernel << "\", \"n\": " << o.n
     << ", \"bytes_per_elem\": " << bytesPerElem
     << ", \"threads\": " << std::thread::hardware_concurrency()
     << ", \"columns\": {";
  for (size_t k = 0; k < cols.size(); ++k) {
    os << (k ? ", " : "") << "\"" << cols[k].name << "\": {\"ms\": [";
    for (size_t r = 0; r < times[k].size(); ++r)
      os << (r ? ", " : "") << times[k][r];
    os << "], \"verify\": \"" << verdicts[k] << "\"}";
  }
  // Samples of the eager result at 64 fixed indices, for checking NumPy.
  os << "}, \"result\": " << (reduce ? wantResult : 0.0f)
     << ", \"scale\": " << scale << ", \"sample\": [";
  for (int s = 0; s < 64 && !reduce && o.n > 0; ++s)
    os << (s ? ", " : "") << want[o.n * s / 64];
  os << "]}\n";
}

} // namespace kiln::bench
