// matmul_bench: times Kiln's `a @ b` and the fused `relu(x @ w + b)` (the
// JIT's GEMM, on 1 thread and on all threads) for bench/tensor_report.py's
// matmul table; NumPy/OpenBLAS and numba run the same cases in
// matmul_peers.py, in alternating rounds.
//
// Usage: matmul_bench CASE... [--reps R] [--threads T,...] [--min-ms MS]
//        matmul_bench --clock       (this core's GHz, for the peak FMA rate)
// A CASE is NAME:DTYPE:MxKxN[:relu]. Prints JSON: per case and thread
// count the milliseconds per call of R samples (each ≥ MS of back-to-back
// calls after one untimed call) and a check of 16 output elements against
// dot products in long double.
#include "kiln/tensor/Tensor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace kiln::tensor;

namespace {

struct Case {
  std::string name;
  DType type = DType::F32;
  int64_t m = 0, k = 0, n = 0;
  bool relu = false;
};

bool parseCase(const std::string &text, Case &c) {
  char name[64], dtype[8], tail[8] = "";
  long long m, k, n;
  int got = std::sscanf(text.c_str(), "%63[^:]:%7[^:]:%lldx%lldx%lld:%7s", name,
                        dtype, &m, &k, &n, tail);
  if (got < 5 || m < 0 || k < 0 || n < 0)
    return false;
  c = {name, std::string(dtype) == "f64" ? DType::F64 : DType::F32,
       m,    k,
       n,    std::string(tail) == "relu"};
  return true;
}

/// Deterministic values in [-1, 1).
double value(uint64_t seed, uint64_t i) {
  uint64_t z = (seed << 40) ^ i;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return double((z ^ (z >> 31)) >> 40) / double(1ULL << 23) - 1.0;
}

struct Buffer {
  std::vector<double> storage; // 8-byte aligned words for either dtype
  ArrayView view;
  Buffer(DType t, std::vector<int64_t> shape, uint64_t seed) {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    storage.assign(size_t(count) + 8, 0);
    view = ArrayView::contiguous(storage.data(), t, shape);
    for (int64_t i = 0; i < count; ++i)
      set(i, seed ? value(seed, uint64_t(i)) : 0);
  }
  void set(int64_t i, double v) {
    if (view.dtype == DType::F32)
      static_cast<float *>(view.data)[i] = float(v);
    else
      static_cast<double *>(view.data)[i] = v;
  }
  double get(int64_t i) const {
    return view.dtype == DType::F32 ? static_cast<const float *>(view.data)[i]
                                    : static_cast<const double *>(view.data)[i];
  }
};

/// "ok" or what differs: 16 elements against long-double dot products.
std::string check(const Case &c, const Buffer &a, const Buffer &b,
                  const Buffer &bias, const Buffer &out) {
  const double tol = c.type == DType::F32 ? 1e-5 : 1e-12;
  for (int s = 0; s < 16; ++s) {
    int64_t i = (s * 7919) % std::max<int64_t>(c.m, 1),
            j = (s * 104729) % std::max<int64_t>(c.n, 1);
    long double acc = 0, mag = 0;
    for (int64_t q = 0; q < c.k; ++q) {
      long double p = (long double)a.get(i * c.k + q) * b.get(q * c.n + j);
      acc += p;
      mag += std::fabs((double)p);
    }
    if (c.relu)
      acc = std::max<long double>(acc + bias.get(j), 0), mag += 1;
    double got = out.get(i * c.n + j);
    if (std::fabs(got - (double)acc) >
        tol * std::sqrt(double(c.k) + 1) * (double(mag) + 1e-3))
      return "MISMATCH at (" + std::to_string(i) + ", " + std::to_string(j) +
             "): " + std::to_string(got) + " vs " + std::to_string((double)acc);
  }
  return "ok";
}

double nowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Milliseconds per call of `reps` samples, each ≥ minMs of calls.
std::vector<double> timeCalls(const CompiledKernel &k,
                              const std::vector<Arg> &args, ArrayView *out,
                              unsigned threads, int reps, double minMs) {
  auto call = [&] {
    if (auto s = k.run(args, out, nullptr, threads); !s) {
      std::fprintf(stderr, "matmul_bench: run failed\n");
      std::exit(1);
    }
  };
  call();
  double t0 = nowMs();
  call();
  const double one = std::max(nowMs() - t0, 1e-3);
  const int iters = std::max(1, int(minMs / one));
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    double start = nowMs();
    for (int i = 0; i < iters; ++i)
      call();
    ms.push_back((nowMs() - start) / iters);
  }
  return ms;
}

void printTimes(const std::vector<double> &ms) {
  for (size_t i = 0; i < ms.size(); ++i)
    std::printf("%s%.6f", i ? ", " : "", ms[i]);
}

int runCase(Engine &engine, const Case &c, const std::vector<unsigned> &threads,
            int reps, double minMs, bool first) {
  const char *t = dtypeName(c.type);
  const std::string T = t;
  std::string src =
      c.relu
          ? "kernel k(a: " + T + "[], b: " + T + "[], c: " + T + "[]) -> " + T +
                "[] = relu(a @ b + c)"
          : "kernel k(a: " + T + "[], b: " + T + "[]) -> " + T + "[] = a @ b";
  auto compiled = compile(engine, src);
  if (!compiled) {
    std::fprintf(stderr, "matmul_bench: %s\n",
                 render(compiled.diagnostics(), false).c_str());
    return 1;
  }
  const CompiledKernel &k = *compiled->kernels.front();
  Buffer a(c.type, {c.m, c.k}, 1), b(c.type, {c.k, c.n}, 2),
      bias(c.type, {c.n}, 3), out(c.type, {c.m, c.n}, 0);
  std::vector<Arg> args{Arg::of(a.view), Arg::of(b.view)};
  if (c.relu)
    args.push_back(Arg::of(bias.view));
  for (unsigned th : threads) {
    std::vector<double> ms = timeCalls(k, args, &out.view, th, reps, minMs);
    std::printf("%s{\"case\": \"%s\", \"threads\": %u, \"check\": \"%s\", "
                "\"ms\": [",
                first ? "" : ",\n", c.name.c_str(), th,
                check(c, a, b, bias, out).c_str());
    printTimes(ms);
    std::printf("]}");
    first = false;
  }
  return 0;
}

/// This core's clock in GHz: the best of 2000 runs of 2^16 x 8 dependent
/// integer additions (one per cycle on every x86-64 core); short runs, so
/// that on a loaded machine some run a whole time slice.
double clockGhz() {
  double best = 0;
  for (int r = 0; r < 2000; ++r) {
    uint64_t x = 0, n = 1 << 16;
    double t0 = nowMs();
#if defined(__x86_64__)
    asm volatile("1:\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                 "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                 "add $1, %0\n\tdec %1\n\tjnz 1b"
                 : "+r"(x), "+r"(n));
#else
    return 0;
#endif
    best = std::max(best, double(1 << 16) * 8 / ((nowMs() - t0) * 1e6));
  }
  return best;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<Case> cases;
  std::vector<unsigned> threads{1};
  int reps = 3;
  double minMs = 30;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--clock")
      return std::printf("{\"ghz\": %.3f}\n", clockGhz()), 0;
    if (arg == "--reps" && i + 1 < argc)
      reps = std::atoi(argv[++i]);
    else if (arg == "--min-ms" && i + 1 < argc)
      minMs = std::atof(argv[++i]);
    else if (arg == "--threads" && i + 1 < argc) {
      threads.clear();
      for (char *p = argv[++i]; *p; p += *p == ',')
        threads.push_back(unsigned(std::strtoul(p, &p, 10)));
    } else if (Case c; parseCase(arg, c))
      cases.push_back(c);
    else
      return std::fprintf(stderr, "matmul_bench: bad argument '%s'\n",
                          arg.c_str()),
             2;
  }
  auto engine = Engine::create();
  if (!engine)
    return std::fprintf(stderr, "matmul_bench: no engine\n"), 1;
  std::printf("{\"threads\": %u, \"results\": [\n", (*engine)->threads());
  for (size_t i = 0; i < cases.size(); ++i)
    if (runCase(**engine, cases[i], threads, reps, minMs, i == 0))
      return 1;
  std::printf("\n]}\n");
  return 0;
}
