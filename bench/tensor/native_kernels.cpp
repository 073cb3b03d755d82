// native_kernels: the hand-written C++ loops the tensor benchmark compares
// the fused kernels with, plus STREAM-style copy/triad (1 and N threads) and
// scalar-libm tanh/sigmoid loops.
//
// Built at bench time by bench/tensor_report.py with
//   g++ -O3 -march=native -ffp-contract=off -shared -fPIC
// (-ffp-contract=off: the kernel language rounds a*b+c twice, so the loops
// compute exactly what the kernels compute) and loaded by tensor_bench with
// dlopen. Plain loops, written the way a C++ programmer would.
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

extern "C" {

void native_copy(const float *a, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i];
}

void native_triad(const float *a, const float *b, float s, float *out,
                  int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] + s * b[i];
}

void native_fma_relu(const float *a, const float *b, const float *c,
                     float alpha, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float x = alpha * a[i] * b[i] + c[i];
    out[i] = x > 0.0f ? x : 0.0f; // relu (inputs have no NaN)
  }
}

void native_tanh(const float *a, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = std::tanh(a[i]);
}

void native_sigmoid_mul(const float *a, const float *b, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = 1.0f / (1.0f + std::exp(-a[i])) * b[i];
}

float native_dot(const float *a, const float *b, int64_t n) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += a[i] * b[i];
  return s;
}

// Scalar libm loops: one libm call per element, never vectorised.
__attribute__((optimize("no-tree-vectorize"))) void
scalar_tanh(const float *a, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = tanhf(a[i]);
}

__attribute__((optimize("no-tree-vectorize"))) void
scalar_sigmoid_mul(const float *a, const float *b, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = 1.0f / (1.0f + expf(-a[i])) * b[i];
}

// STREAM-style copy and triad split over `threads` std::threads.
static void split(int64_t n, unsigned threads,
                  void (*body)(int64_t, int64_t, void *), void *arg) {
  if (threads <= 1) {
    body(0, n, arg);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t step = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    int64_t lo = std::min<int64_t>(n, t * step),
            hi = std::min<int64_t>(n, lo + step);
    pool.emplace_back(body, lo, hi, arg);
  }
  for (auto &th : pool)
    th.join();
}

struct StreamArgs {
  const float *a, *b;
  float s;
  float *out;
};

void stream_copy(const float *a, float *out, int64_t n, unsigned threads) {
  StreamArgs args{a, nullptr, 0, out};
  split(
      n, threads,
      [](int64_t lo, int64_t hi, void *p) {
        auto *s = static_cast<StreamArgs *>(p);
        for (int64_t i = lo; i < hi; ++i)
          s->out[i] = s->a[i];
      },
      &args);
}

void stream_triad(const float *a, const float *b, float s, float *out,
                  int64_t n, unsigned threads) {
  StreamArgs args{a, b, s, out};
  split(
      n, threads,
      [](int64_t lo, int64_t hi, void *p) {
        auto *s = static_cast<StreamArgs *>(p);
        for (int64_t i = lo; i < hi; ++i)
          s->out[i] = s->a[i] + s->s * s->b[i];
      },
      &args);
}

} // extern "C"
