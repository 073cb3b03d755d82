// SoundfileTest: the soundfile primitive, loaded by Faust's SoundUI
// (libsndfile), plays the file's samples.
#include "TestUtil.h"

#include <faust/gui/SoundUI.h>
#include <sndfile.h>

#include <fstream>

namespace kiln::faust::test {
namespace {

/// Writes `frames` of a deterministic mono signal as 32-bit float WAV.
std::vector<float> writeTone(const std::string &path, int frames) {
  std::vector<float> samples = drive::testSignal(1, frames)[0];
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE *f = sf_open(path.c_str(), SFM_WRITE, &info);
  EXPECT_TRUE(f) << sf_strerror(nullptr);
  if (f) {
    sf_writef_float(f, samples.data(), frames);
    sf_close(f);
  }
  return samples;
}

void playerTest(bool isDouble) {
  TempDir dir;
  std::vector<float> tone = writeTone(dir.path + "/tone.wav", 1000);
  std::ifstream src(KILN_FAUST_EXAMPLES "/player.dsp");
  std::ofstream(dir.path + "/player.dsp") << src.rdbuf();
  Registry registry;
  FactoryOptions options;
  if (isDouble)
    options.args = {"-double"};
  std::string error;
  auto factory = registry.createDSPFactoryFromFile(dir.path + "/player.dsp",
                                                   options, error);
  ASSERT_TRUE(factory) << error;
  auto dsp = test::instance(*factory);
  ASSERT_EQ(dsp->getNumOutputs(), 1);
  SoundUI sounds(dir.path, -1, nullptr, isDouble);
  dsp->buildUserInterface(&sounds);
  dsp->init(44100);
  auto out = drive::render(*dsp, {}, 1200);
  for (int n = 0; n < 1000; ++n)
    ASSERT_EQ(out[0][n], tone[n]) << "frame " << n;
  for (int n = 1000; n < 1200; ++n)
    ASSERT_EQ(out[0][n], tone[999]) << "holds the last sample, frame " << n;
}

TEST(SoundfileTest, PlaybackProducesTheFileSamples) {
  REQUIRE_FAUST();
  playerTest(false);
}

TEST(SoundfileTest, DoublePlaybackProducesTheFileSamples) {
  REQUIRE_FAUST();
  playerTest(true);
}

TEST(SoundfileTest, WithoutALoaderTheSoundfileIsSilent) {
  REQUIRE_FAUST();
  Registry registry;
  std::string error;
  auto factory = registry.createDSPFactoryFromFile(
      KILN_FAUST_EXAMPLES "/player.dsp", {}, error);
  ASSERT_TRUE(factory) << error;
  auto out = renderFrames(*test::instance(*factory), 2000);
  for (float s : out[0])
    ASSERT_EQ(s, 0.0f);
}

} // namespace
} // namespace kiln::faust::test
