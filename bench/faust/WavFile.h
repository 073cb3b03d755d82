// WavFile: writes planar Faust output as a 32-bit float WAV with libsndfile.
//
// The g++ reference harness and the libfaust reference executable write
// their renders in exactly the format of `kiln faust render` (WAV, IEEE
// float samples, interleaved, 44.1 kHz), so the equivalence corpus and the
// benchmark checks can compare any two of them sample by sample.
#pragma once

#include "Drive.h"

#include <sndfile.h>

#include <cstdio>
#include <string>
#include <vector>

namespace kiln::faust::bench {

/// Writes `out` (one vector per channel, equal lengths) to `path`. Returns
/// an empty string on success, else the reason; no file is left on failure.
inline std::string writeWav(const std::string &path, const drive::Planar &out,
                            int sampleRate = drive::kSampleRate) {
  if (out.empty())
    return "the DSP has no outputs";
  SF_INFO info{};
  info.samplerate = sampleRate;
  info.channels = int(out.size());
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE *f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f)
    return "cannot write '" + path + "': " + sf_strerror(nullptr);
  size_t frames = out[0].size(), ch = out.size();
  std::vector<float> inter(frames * ch);
  for (size_t n = 0; n < frames; ++n)
    for (size_t c = 0; c < ch; ++c)
      inter[n * ch + c] = float(out[c][n]);
  sf_count_t wrote = sf_writef_float(f, inter.data(), sf_count_t(frames));
  bool ok = sf_close(f) == 0 && wrote == sf_count_t(frames);
  if (!ok) {
    std::remove(path.c_str());
    return "cannot write '" + path + "': short write";
  }
  return "";
}

} // namespace kiln::faust::bench
