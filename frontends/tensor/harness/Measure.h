// Measure: the deterministic data, size check and timed runs behind
// `kiln tensor run`.
//
// Kept out of the tool so the data contract (the same element values
// test/tensor/aot_main.c generates) and the measurement have one home and a
// unit test. Frontend-internal, not part of the public API; nothing here
// prints or exits: errors come back as kiln::Diagnostics without location.
#pragma once

#include "kiln/tensor/Tensor.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::tensor::harness {

/// NAME -> shape overrides; an array parameter not named gets [n].
using ShapeOverrides =
    std::vector<std::pair<std::string, std::vector<int64_t>>>;

struct MeasureOptions {
  int64_t n = 1000000;   ///< elements of each array parameter not in shapes
  ShapeOverrides shapes; ///< per-parameter shapes instead of [n]
  int reps = 5;          ///< timed runs (at least 1)
  /// Each run's milliseconds are added as phase "run" when non-null.
  core::PhaseTimings *timings = nullptr;
};

/// Generated contiguous arguments for every parameter of a kernel: element
/// i of parameter p is h = (i*7919 + p*104729) % 1000; floats 0.5 + h/1000,
/// integers 1 + h % 100, bools h % 3 != 0. Scalars: 1.25, 3, true. `args`
/// point into `buffers` (one per parameter, empty for scalars): keep both.
struct Inputs {
  std::vector<std::vector<unsigned char>> buffers;
  std::vector<Arg> args;
};

/// Parameter `p`'s shape: its override, else [n].
std::vector<int64_t> shapeFor(const MeasureOptions &options, const Param &p);
/// The broadcast of the array parameters' shapes ([] with none; [n] when
/// they do not broadcast, so the run reports the mismatch).
std::vector<int64_t> outputShape(const Kernel &k,
                                 const MeasureOptions &options);
/// Fails when the arrays of a run cannot be allocated: an output beyond
/// 2^60 elements, or more bytes than this machine's memory.
Status checkFootprint(const Kernel &k, const MeasureOptions &options);
/// The inputs above (throws std::bad_alloc/length_error when out of memory;
/// measure() turns that into a diagnostic).
Inputs generateInputs(const Kernel &k, const MeasureOptions &options);

/// What measure() observed.
struct Measurement {
  int64_t elements = 0;     ///< of the output (broadcast) shape
  double checksum = 0;      ///< the output elements' sum, or the scalar result
  double bytes = 0;         ///< every array read and written, per run
  double medianSeconds = 0; ///< of options.reps runs
  /// Throughput at the median time (0 when it was too short to measure).
  double gbPerSecond() const { return perSecond(bytes) / 1e9; }
  double melemPerSecond() const { return perSecond(double(elements)) / 1e6; }

private:
  double perSecond(double x) const {
    return medianSeconds > 0 ? x / medianSeconds : 0.0;
  }
};

/// Checks the footprint, generates the inputs and runs `kernel`
/// options.reps times; the first failed call's diagnostics on error.
Expected<Measurement> measure(const CompiledKernel &kernel,
                              const MeasureOptions &options);

} // namespace kiln::tensor::harness
