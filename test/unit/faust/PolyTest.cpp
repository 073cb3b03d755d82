// PolyTest: Faust's own polyphony architecture (poly-dsp.h) hosts Kiln Dsps
// unchanged: it clones the voice, finds freq/gain/gate by path and mixes.
#include "TestUtil.h"

#include <faust/dsp/poly-dsp.h>

// The GUI statics Faust's architecture files expect one translation unit to
// define.
std::list<GUI *> GUI::fGuiList;
ztimedmap GUI::gTimedZoneMap;

namespace kiln::faust::test {
namespace {

TEST(PolyTest, PolyDspPlaysKilnVoices) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory = compile(registry, R"(
declare name "voice";
import("stdfaust.lib");
freq = hslider("freq", 440, 20, 2000, 1);
gain = hslider("gain", 0.5, 0, 1, 0.01);
gate = button("gate");
process = os.osc(freq) * gain * gate;
)");
  ASSERT_TRUE(factory);
  mydsp_poly poly(test::instance(*factory).release(), 4, true, true);
  poly.init(44100);
  EXPECT_EQ(poly.getNumOutputs(), 1);
  auto silent = drive::render(poly, {}, 512);
  for (float s : silent[0])
    ASSERT_EQ(s, 0.0f);
  poly.keyOn(0, 69, 127); // A4: 440 Hz
  poly.keyOn(0, 81, 127); // A5: 880 Hz
  auto chord = drive::render(poly, {}, 4410);
  float peak = 0;
  for (float s : chord[0])
    peak = std::max(peak, std::fabs(s));
  EXPECT_GT(peak, 0.1f);
  // The same two notes from two plain instances, mixed by hand.
  drive::Planar voices[2];
  for (int v = 0; v < 2; ++v) {
    auto dsp = test::instance(*factory);
    dsp->init(44100);
    dsp->setParamValue("/voice/freq", v ? 880.f : 440.f);
    dsp->setParamValue("/voice/gain", 1.f);
    dsp->setParamValue("/voice/gate", 1.f);
    voices[v] = drive::render(*dsp, {}, 4410);
  }
  // Poly scales the mix, so compare shapes: normalised correlation.
  double dot = 0, mixEnergy = 0, polyEnergy = 0;
  for (int n = 0; n < 4410; ++n) {
    double mix = voices[0][0][n] + voices[1][0][n];
    dot += mix * chord[0][n];
    mixEnergy += mix * mix;
    polyEnergy += double(chord[0][n]) * chord[0][n];
  }
  EXPECT_GT(dot / std::sqrt(mixEnergy * polyEnergy), 0.999)
      << "poly plays the two notes";
}

} // namespace
} // namespace kiln::faust::test
