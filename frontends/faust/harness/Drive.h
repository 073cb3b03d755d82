// Drive: how every Faust DSP is fed and timed in Kiln — the deterministic
// test signal, block-wise rendering and the ns-per-frame measurement.
//
// Header-only and written against Faust's own `dsp` interface
// (<faust/dsp/dsp.h>), so the same code drives a Kiln Dsp, the class that
// `faust -lang cpp` generates (the g++ reference harness) and libfaust's
// llvm/interpreter DSPs (the separate reference executable). Sharing it is
// what makes their outputs and timings comparable. It is a harness, not
// part of Kiln's API: the `kiln faust` command, the tests and bench/faust
// include it through the kiln_faust_harness target (-I
// frontends/faust/harness); it depends on nothing of Kiln's and does not change
// the FPU state beyond a scope (ScopedFtzDaz).
#pragma once

#include <faust/dsp/dsp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace kiln::faust::drive {

constexpr int kSampleRate = 44100;
constexpr int kBlock = 256;

/// Non-interleaved channels.
using Planar = std::vector<std::vector<FAUSTFLOAT>>;

/// The deterministic input: for channel c, a sine at 110*(c+1) Hz of
/// amplitude 0.5 plus 0.25 * white noise from a per-channel 32-bit LCG.
/// Identical on every machine and in every harness.
inline Planar testSignal(int channels, int frames,
                         int sampleRate = kSampleRate) {
  Planar in(channels, std::vector<FAUSTFLOAT>(frames));
  for (int c = 0; c < channels; ++c) {
    uint32_t state = 12345u + 7919u * uint32_t(c);
    double freq = 110.0 * (c + 1);
    for (int n = 0; n < frames; ++n) {
      state = state * 1664525u + 1013904223u;
      double noise = (state >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0;
      double s = 0.5 * std::sin(2.0 * M_PI * freq * n / sampleRate);
      in[c][n] = FAUSTFLOAT(s + 0.25 * noise);
    }
  }
  return in;
}

/// Flush-to-zero and denormals-are-zero for the scope (x86; no-op elsewhere),
/// as audio hosts run DSP code.
class ScopedFtzDaz {
public:
  ScopedFtzDaz() {
#if defined(__x86_64__) || defined(__i386__)
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | 0x8040);
#endif
  }
  ~ScopedFtzDaz() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(saved_);
#endif
  }
  ScopedFtzDaz(const ScopedFtzDaz &) = delete;
  ScopedFtzDaz &operator=(const ScopedFtzDaz &) = delete;

private:
  unsigned saved_ = 0;
};

/// Runs `d` (already init()-ed) over `in` in blocks of `block` frames and
/// returns its outputs. `in` must have getNumInputs() channels of equal length
/// (when the DSP has no inputs, `frames` gives the length).
inline Planar render(::dsp &d, const Planar &in, int frames,
                     int block = kBlock) {
  int nin = d.getNumInputs(), nout = d.getNumOutputs();
  Planar out(nout, std::vector<FAUSTFLOAT>(frames));
  std::vector<FAUSTFLOAT *> ip(std::max(nin, 1)), op(std::max(nout, 1));
  ScopedFtzDaz ftz;
  for (int pos = 0; pos < frames; pos += block) {
    int n = std::min(block, frames - pos);
    for (int c = 0; c < nin; ++c)
      ip[c] = const_cast<FAUSTFLOAT *>(in[c].data()) + pos;
    for (int c = 0; c < nout; ++c)
      op[c] = out[c].data() + pos;
    d.compute(n, ip.data(), op.data());
  }
  return out;
}

struct BenchResult {
  double nsPerFrame = 0; ///< median over the repetitions
  double minNs = 0, maxNs = 0;
};

/// Compute throughput: `reps` timed runs of `seconds` of audio each (after one
/// warm-up run), `block`-frame blocks, FTZ/DAZ set, the test signal as input.
/// The same buffers are reused, so the figure is compute, not memory traffic.
inline BenchResult bench(::dsp &d, double seconds = 1.0, int reps = 7,
                         int block = kBlock) {
  int nin = d.getNumInputs(), nout = d.getNumOutputs();
  Planar in = testSignal(nin, block);
  Planar out(nout, std::vector<FAUSTFLOAT>(block));
  std::vector<FAUSTFLOAT *> ip(std::max(nin, 1)), op(std::max(nout, 1));
  for (int c = 0; c < nin; ++c)
    ip[c] = in[c].data();
  for (int c = 0; c < nout; ++c)
    op[c] = out[c].data();
  int blocks = std::max(1, int(seconds * kSampleRate / block));
  ScopedFtzDaz ftz;
  auto run = [&] {
    auto t0 = std::chrono::steady_clock::now();
    for (int b = 0; b < blocks; ++b)
      d.compute(block, ip.data(), op.data());
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() /
           (double(blocks) * block);
  };
  run(); // warm-up
  std::vector<double> times;
  for (int r = 0; r < reps; ++r)
    times.push_back(run());
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times.front(), times.back()};
}

} // namespace kiln::faust::drive
