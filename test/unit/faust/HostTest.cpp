// HostTest: the Faust host library `kiln faust` runs on (frontends/faust/
// harness: Wav, Describe, Soundfiles, RenderFile, WriteCode).
#include "Describe.h"
#include "RenderFile.h"
#include "Soundfiles.h"
#include "TestUtil.h"
#include "Wav.h"
#include "WriteCode.h"

#include <fstream>
#include <sstream>

namespace kiln::faust::test {
namespace {

std::string slurp(const std::string &path) {
  std::ostringstream s;
  s << std::ifstream(path, std::ios::binary).rdbuf();
  return s.str();
}

std::string message(const kiln::Diagnostics &diags) {
  return diags.empty() ? "" : diags[0].message;
}

TEST(WavTest, RoundTripKeepsEverySample) {
  TempDir dir;
  drive::Planar signal = drive::testSignal(2, 1000);
  ASSERT_TRUE(host::writeWav(dir.path + "/a.wav", signal, 1000));
  auto back = host::readWav(dir.path + "/a.wav", 1000, 2, "x.dsp");
  ASSERT_TRUE(back) << message(back.diagnostics());
  EXPECT_EQ(*back, signal);
  auto head = host::readWav(dir.path + "/a.wav", 300, 2, "x.dsp");
  ASSERT_TRUE(head);
  EXPECT_EQ((*head)[1], std::vector<FAUSTFLOAT>(signal[1].begin(),
                                                signal[1].begin() + 300));
}

TEST(WavTest, WritingTwiceGivesTheSameBytes) {
  TempDir dir;
  drive::Planar signal = drive::testSignal(1, 500);
  ASSERT_TRUE(host::writeWav(dir.path + "/a.wav", signal, 500));
  ASSERT_TRUE(host::writeWav(dir.path + "/b.wav", signal, 500));
  EXPECT_FALSE(slurp(dir.path + "/a.wav").empty());
  EXPECT_EQ(slurp(dir.path + "/a.wav"), slurp(dir.path + "/b.wav"));
}

TEST(WavTest, ReadErrorsSayWhy) {
  TempDir dir;
  ASSERT_TRUE(
      host::writeWav(dir.path + "/a.wav", drive::testSignal(2, 10), 10));
  auto wrong = host::readWav(dir.path + "/a.wav", 10, 1, "x.dsp");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(message(wrong.diagnostics()),
            "'" + dir.path +
                "/a.wav' has 2 channel(s) but 'x.dsp' takes 1 input(s)");
  auto directory = host::readWav(dir.path, 10, 1, "x.dsp");
  ASSERT_FALSE(directory);
  EXPECT_EQ(message(directory.diagnostics()),
            "cannot read '" + dir.path + "': it is a directory");
  EXPECT_FALSE(host::readWav(dir.path + "/none.wav", 10, 1, "x.dsp"));
}

TEST(WavTest, AFailedWriteLeavesNoFile) {
  TempDir dir;
  std::string path = dir.path + "/missing/a.wav";
  kiln::Status written = host::writeWav(path, drive::testSignal(1, 10), 10);
  ASSERT_FALSE(written);
  EXPECT_NE(message(written.diagnostics()).find("missing"), std::string::npos);
  EXPECT_TRUE(slurp(path).empty());
}

TEST(WriteCodeTest, KindsAndDefaultNames) {
  EXPECT_STREQ(host::emitExtension("obj"), ".o");
  EXPECT_STREQ(host::emitExtension("machine"), ".kfm");
  EXPECT_EQ(host::emitExtension("asm"), nullptr);
  EXPECT_EQ(host::codeFileFor("dir/osc.dsp", ".ll"), "osc.ll");
  EXPECT_EQ(host::codeFileFor("osc", ".o"), "osc.o");
}

TEST(DescribeTest, ParametersAndMetadata) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory =
      compile(registry, "declare author \"k\";\n"
                        "process = _ * hslider(\"gain\", 0.5, 0, 1, 0.1);");
  ASSERT_TRUE(factory);
  auto dsp = instance(*factory);
  ASSERT_TRUE(dsp);
  host::Description d = host::describe(*dsp);
  EXPECT_EQ(d.inputs, 1);
  EXPECT_EQ(d.outputs, 1);
  ASSERT_EQ(d.parameters.size(), 1u);
  EXPECT_NE(d.parameters[0].find("/gain hslider init 0.5 min 0 max 1 step 0.1"),
            std::string::npos)
      << d.parameters[0];
  EXPECT_NE(std::find(d.metadata.begin(), d.metadata.end(), "author: k"),
            d.metadata.end());
}

TEST(RenderFileTest, TheFileHoldsTheRender) {
  REQUIRE_FAUST();
  TempDir dir;
  Registry registry;
  auto factory = compile(registry, "process = _ * 0.5;");
  ASSERT_TRUE(factory);
  auto dsp = instance(*factory);
  ASSERT_TRUE(dsp && host::checkRenderable(*dsp, "x.dsp"));
  dsp->init(drive::kSampleRate);
  ASSERT_TRUE(
      host::renderToWav(*dsp, {"x.dsp", "", dir.path + "/o.wav", 0.01}));
  auto out = host::readWav(dir.path + "/o.wav", 1 << 20, 1, "x.dsp");
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, renderFrames(*dsp, 441));
}

/// A DSP that claims `outputs` outputs (faust itself rejects none, and
/// 1025 would be slow to compile).
class Outputs : public decorator_dsp {
public:
  Outputs(::dsp *d, int outputs) : decorator_dsp(d), N(outputs) {}
  int getNumOutputs() override { return N; }

private:
  int N;
};

TEST(RenderFileTest, TooLongAndUnwritableChannelCountsAreErrors) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory = compile(registry, "process = _;");
  ASSERT_TRUE(factory);
  Outputs none(instance(*factory).release(), 0),
      many(instance(*factory).release(), 1025);
  EXPECT_EQ(message(host::checkRenderable(none, "x.dsp").diagnostics()),
            "'x.dsp' has no outputs: there is nothing to render");
  EXPECT_EQ(message(host::checkRenderable(many, "x.dsp").diagnostics()),
            "'x.dsp' has 1025 outputs; a WAV file holds at most 1024 channels");
  auto dsp = instance(*factory);
  ASSERT_TRUE(dsp);
  kiln::Status tooLong =
      host::renderToWav(*dsp, {"x.dsp", "", "/nonexistent", 1e6});
  ASSERT_FALSE(tooLong);
  EXPECT_EQ(
      message(tooLong.diagnostics()),
      "--seconds 1000000 is too long to render: 'x.dsp' would need 493 GiB "
      "of sample buffers; Kiln renders at most 1 GiB (2028 s of this DSP)");
}

TEST(SoundfilesTest, AMissingFileIsOneWarning) {
  REQUIRE_FAUST();
  TempDir dir;
  std::ifstream src(KILN_FAUST_EXAMPLES "/player.dsp");
  std::ofstream(dir.path + "/player.dsp") << src.rdbuf();
  Registry registry;
  auto factory =
      registry.createDSPFactoryFromFile(dir.path + "/player.dsp", {});
  ASSERT_TRUE(factory);
  auto dsp = instance(**factory);
  ASSERT_TRUE(dsp);
  kiln::Diagnostics warnings;
  host::Soundfiles sounds(*dsp, dir.path + "/player.dsp", false, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].severity, kiln::Severity::Warning);
  EXPECT_EQ(warnings[0].message, "cannot open soundfile '" + dir.path +
                                     "/tone.wav'; it plays silence");
}

} // namespace
} // namespace kiln::faust::test
