// RenderFile: the render of `kiln faust render`, input to WAV file.
#include "RenderFile.h"

#include "Drive.h"
#include "Wav.h"

#include <cmath>
#include <fmt/format.h>

namespace kiln::faust::host {

namespace {

/// The frames `job.seconds` asks of `dsp`, unless kRenderBudgetBytes is too
/// little for them.
kiln::Expected<int> renderFrames(::dsp &dsp, const RenderJob &job) {
  double perSecond = (dsp.getNumInputs() + 2.0 * dsp.getNumOutputs()) *
                     sizeof(float) * drive::kSampleRate;
  if (job.seconds * perSecond <= kRenderBudgetBytes)
    return int(job.seconds * drive::kSampleRate);
  double most = kRenderBudgetBytes / perSecond;
  return errorDiagnostic(fmt::format(
      "--seconds {} is too long to render: '{}' would need {:.3g} GiB of "
      "sample buffers; Kiln renders at most 1 GiB ({} s of this DSP)",
      job.seconds, job.dspPath, job.seconds * perSecond / (1 << 30),
      most >= 10 ? fmt::format("{:.0f}", std::floor(most))
                 : fmt::format("{:.2g}", most)));
}

/// The input channels: `job.in`'s (checked and padded) or the test signal.
kiln::Expected<drive::Planar> renderInput(::dsp &dsp, const RenderJob &job,
                                          int frames) {
  if (job.in.empty())
    return drive::testSignal(dsp.getNumInputs(), frames);
  auto in = readWav(job.in, frames, dsp.getNumInputs(), job.dspPath);
  if (in)
    for (auto &c : *in)
      c.resize(size_t(frames), 0); // shorter files continue with silence
  return in;
}

} // namespace

kiln::Status checkRenderable(::dsp &dsp, const std::string &dspPath) {
  if (dsp.getNumOutputs() == 0)
    return errorDiagnostic("'" + dspPath +
                           "' has no outputs: there is nothing to render");
  if (dsp.getNumOutputs() > kMaxWavChannels)
    return errorDiagnostic(
        fmt::format("'{}' has {} outputs; a WAV file holds at most {} channels",
                    dspPath, dsp.getNumOutputs(), kMaxWavChannels));
  return {};
}

kiln::Status renderToWav(::dsp &dsp, const RenderJob &job) {
  kiln::Expected<int> frames = renderFrames(dsp, job);
  if (!frames)
    return frames.takeDiagnostics();
  auto in = renderInput(dsp, job, *frames);
  if (!in)
    return in.takeDiagnostics();
  return writeWav(job.out, drive::render(dsp, *in, *frames), *frames);
}

} // namespace kiln::faust::host
