// BenchFile: `kiln faust bench`'s measurements of a .dsp file — factory
// creation time and compute throughput, optionally of both code generators.
#pragma once

#include "Drive.h"

#include "kiln/faust/Registry.h"
#include "kiln/support/Expected.h"

#include <string>
#include <vector>

namespace kiln::faust::host {

struct BenchJob {
  std::string file;
  FactoryOptions options;  ///< "-vec" is appended for the vector mode
  std::vector<bool> modes; ///< vector code generator or not; fastest kept
  double seconds = 1;      ///< each timed run
  int reps = 7;
};

struct BenchReport {
  double factoryMs = 0; ///< factory and first instance, fresh registry
  drive::BenchResult compute;
  bool vec = false; ///< the mode measured
};

/// Creates each mode's factory (in a fresh registry: nothing cached), keeps
/// the faster after short interleaved trials, then times it `reps` times.
kiln::Expected<BenchReport> benchFile(const BenchJob &job);

/// The median ms of `count` further creations (factory + first instance,
/// each in a fresh registry) in mode `vec`: the warm creation time.
kiln::Expected<double> warmFactoryMs(const BenchJob &job, bool vec, int count);

} // namespace kiln::faust::host
