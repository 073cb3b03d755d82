// RenderFile: a DSP rendered to a WAV file, from a recorded input or the
// test signal, within a memory budget (`kiln faust render`).
#pragma once

#include "kiln/support/Expected.h"

#include <faust/dsp/dsp.h>

#include <string>

namespace kiln::faust::host {

/// The most channels libsndfile writes to a WAV file (its SF_MAX_CHANNELS).
constexpr int kMaxWavChannels = 1024;
/// The sample memory one render may take: the input and output channels
/// and the interleaved copy the WAV writer makes.
constexpr double kRenderBudgetBytes = double(1 << 30);

struct RenderJob {
  std::string dspPath; ///< names the DSP in messages
  std::string in;      ///< the input WAV; "" for drive::testSignal
  std::string out;     ///< the WAV file written
  double seconds = 2;
};

/// Whether `dsp` has outputs a WAV file can hold.
kiln::Status checkRenderable(::dsp &dsp, const std::string &dspPath);

/// Renders `job.seconds` of `dsp` (already init()-ed) into `job.out`. The
/// input is `job.in`'s samples, continued with silence, or the test signal.
kiln::Status renderToWav(::dsp &dsp, const RenderJob &job);

} // namespace kiln::faust::host
