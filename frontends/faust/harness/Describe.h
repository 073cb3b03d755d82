// Describe: what `kiln faust info` shows of a DSP — its channels, its
// parameters with MapUI's paths and ranges, and its metadata.
#pragma once

#include <faust/dsp/dsp.h>

#include <string>
#include <vector>

namespace kiln::faust::host {

struct Description {
  int inputs = 0, outputs = 0;
  /// One per parameter: "path type", then its range ("init I min A max B
  /// step S"), bargraph range or soundfile url.
  std::vector<std::string> parameters;
  std::vector<std::string> metadata; ///< "key: value", in declaration order
};

/// Walks `dsp`'s user interface and metadata; changes nothing in it.
Description describe(::dsp &dsp);

} // namespace kiln::faust::host
