// Wav: 32-bit float WAV files as planar channels (libsndfile), for hosts
// that render a Faust DSP to a file and feed one a recorded input.
#pragma once

#include "Drive.h"

#include "kiln/support/Expected.h"

#include <string>

namespace kiln::faust::host {

/// The first `maxFrames` frames of the WAV file `path`, whose channels must
/// number `channels` (the inputs of the DSP named `dspName`). Only a regular
/// file is opened: a FIFO would block, a device never end.
kiln::Expected<drive::Planar> readWav(const std::string &path, int maxFrames,
                                      int channels, const std::string &dspName);

/// Writes `frames` of `channels` as 32-bit float WAV at drive::kSampleRate,
/// without a PEAK chunk (it carries a timestamp; renders must be
/// byte-identical). Through a temporary: renamed onto a regular file, copied
/// through to a device or pipe (support/Files.h), so a file appears only
/// complete.
kiln::Status writeWav(const std::string &path, const drive::Planar &channels,
                      int frames);

} // namespace kiln::faust::host
