// Wav: reading and writing 32-bit float WAV through libsndfile.
#include "Wav.h"

#include "kiln/support/Files.h"

#include <sndfile.h>

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <sys/stat.h>

namespace kiln::faust::host {

namespace {

kiln::Diagnostic failure(std::string message) {
  return kiln::errorDiagnostic(std::move(message));
}

/// Why `path` exists but is not a regular file, or "".
std::string notRegular(const std::string &path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode))
    return "";
  return "cannot read '" + path + "': " +
         (S_ISDIR(st.st_mode) ? "it is a directory"
                              : "it is not a regular file");
}

/// Writes the interleaved samples to the new file `temp`; false on failure.
bool writeSamples(const std::string &temp, const drive::Planar &ch, int frames,
                  std::string &error) {
  SF_INFO info{};
  info.samplerate = drive::kSampleRate;
  info.channels = int(ch.size());
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE *f = sf_open(temp.c_str(), SFM_WRITE, &info);
  if (!f) {
    error = sf_strerror(nullptr);
    return false;
  }
  sf_command(f, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
  std::vector<float> interleaved(size_t(frames) * ch.size());
  for (int n = 0; n < frames; ++n)
    for (size_t c = 0; c < ch.size(); ++c)
      interleaved[size_t(n) * ch.size() + c] = float(ch[c][n]);
  bool ok = sf_writef_float(f, interleaved.data(), frames) == frames;
  return sf_close(f) == 0 && ok;
}

} // namespace

kiln::Expected<drive::Planar> readWav(const std::string &path, int maxFrames,
                                      int channels,
                                      const std::string &dspName) {
  if (std::string why = notRegular(path); !why.empty())
    return failure(why);
  SF_INFO info{};
  SNDFILE *f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f)
    return failure("cannot read '" + path + "': " + sf_strerror(nullptr));
  if (info.channels != channels) {
    sf_close(f);
    return failure(
        fmt::format("'{}' has {} channel(s) but '{}' takes {} input(s)", path,
                    info.channels, dspName, channels));
  }
  sf_count_t frames = std::clamp<sf_count_t>(info.frames, 0, maxFrames);
  std::vector<float> interleaved(size_t(frames) * channels);
  frames =
      std::max<sf_count_t>(sf_readf_float(f, interleaved.data(), frames), 0);
  sf_close(f);
  drive::Planar out(channels, std::vector<FAUSTFLOAT>(size_t(frames)));
  for (sf_count_t n = 0; n < frames; ++n)
    for (int c = 0; c < channels; ++c)
      out[c][n] = interleaved[size_t(n) * channels + c];
  return out;
}

kiln::Status writeWav(const std::string &path, const drive::Planar &channels,
                      int frames) {
  support::OutputTarget target;
  std::string temp;
  if (auto e = support::resolveOutput(path, target);
      e || (e = support::temporaryFor(target, temp)))
    return failure(*e);
  std::string error;
  if (!writeSamples(temp, channels, frames, error)) {
    std::remove(temp.c_str());
    return failure("cannot write '" + path + "'" +
                   (error.empty() ? "" : ": " + error));
  }
  if (auto e = support::commitOutput(target, temp))
    return failure(*e);
  return {};
}

} // namespace kiln::faust::host
