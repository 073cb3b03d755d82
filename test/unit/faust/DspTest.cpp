// DspTest: the Faust `dsp` interface of a Kiln Dsp, through Faust's own
// architecture classes (MapUI, JSONUI, Meta).
#include "TestUtil.h"

#include <faust/gui/JSONUI.h>
#include <faust/gui/MapUI.h>

#include <cmath>

namespace kiln::faust::test {
namespace {

std::shared_ptr<Factory> oscFactory(Registry &registry, FactoryOptions o = {}) {
  std::string error;
  auto f = registry.createDSPFactoryFromFile(KILN_FAUST_EXAMPLES "/osc.dsp", o,
                                             error);
  EXPECT_TRUE(f) << error;
  return f;
}

/// Upward zero crossings per second of `x` (sampled at `rate`).
double frequencyOf(const std::vector<FAUSTFLOAT> &x, int rate) {
  double first = -1, last = -1;
  int count = 0;
  for (size_t n = 1; n < x.size(); ++n)
    if (x[n - 1] < 0 && x[n] >= 0) {
      double t = double(n - 1) + x[n - 1] / (x[n - 1] - x[n]);
      if (first < 0)
        first = t;
      last = t, ++count;
    }
  return count > 1 ? (count - 1) * rate / (last - first) : 0;
}

TEST(DspTest, ParametersSetByPathChangeTheOutput) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory = oscFactory(registry);
  ASSERT_TRUE(factory);
  auto dsp = test::instance(*factory);
  MapUI ui;
  dsp->buildUserInterface(&ui);
  dsp->init(44100);
  EXPECT_FLOAT_EQ(ui.getParamValue("/osc/freq"), 440);
  auto base = drive::render(*dsp, {}, 44100);
  EXPECT_NEAR(frequencyOf(base[0], 44100), 440, 0.1);

  ui.setParamValue("/osc/freq", 1000);
  dsp->instanceClear();
  auto high = drive::render(*dsp, {}, 44100);
  EXPECT_NEAR(frequencyOf(high[0], 44100), 1000, 0.1);

  // Half the gain, exactly half the samples; no gain, silence.
  dsp->instanceClear();
  EXPECT_TRUE(dsp->setParamValue("/osc/gain", 0.25f));
  EXPECT_FLOAT_EQ(dsp->getParamValue("/osc/gain"), 0.25f);
  auto half = drive::render(*dsp, {}, 1000);
  for (int n = 0; n < 1000; ++n)
    ASSERT_FLOAT_EQ(half[0][n] * 2, high[0][n]) << n;
  ui.setParamValue("/osc/gain", 0);
  auto silent = drive::render(*dsp, {}, 1000);
  for (float s : silent[0])
    ASSERT_EQ(s, 0.0f);
  EXPECT_FALSE(dsp->setParamValue("/osc/nope", 1));
}

TEST(DspTest, ResetUserInterfaceRestoresInitValues) {
  REQUIRE_FAUST();
  Registry registry;
  auto dsp = test::instance(*oscFactory(registry));
  dsp->init(48000);
  EXPECT_EQ(dsp->getSampleRate(), 48000);
  dsp->setParamValue("/osc/freq", 123);
  dsp->instanceResetUserInterface();
  EXPECT_FLOAT_EQ(dsp->getParamValue("/osc/freq"), 440);
  EXPECT_EQ(dsp->paramPaths(),
            (std::vector<std::string>{"/osc/freq", "/osc/gain"}));
}

TEST(DspTest, DoubleCodeWorksThroughFloatZones) {
  REQUIRE_FAUST();
  Registry registry;
  FactoryOptions options;
  options.args = {"-double"};
  auto dsp = test::instance(*oscFactory(registry, options));
  MapUI ui;
  dsp->buildUserInterface(&ui);
  dsp->init(44100);
  ui.setParamValue("/osc/freq", 1000);
  auto out = drive::render(*dsp, {}, 44100);
  EXPECT_NEAR(frequencyOf(out[0], 44100), 1000, 0.1);
  ui.setParamValue("/osc/gain", 0);
  auto silent = drive::render(*dsp, {}, 500);
  for (float s : silent[0])
    ASSERT_EQ(s, 0.0f);
}

TEST(DspTest, ButtonsAndBargraphs) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory =
      compile(registry,
              "declare name \"b\";\n"
              "process = _ * button(\"gate\") : hbargraph(\"level\", -1, 1);");
  ASSERT_TRUE(factory);
  auto dsp = test::instance(*factory);
  MapUI ui;
  dsp->buildUserInterface(&ui);
  dsp->init(44100);
  auto in = drive::testSignal(1, 256);
  auto off = drive::render(*dsp, in, 256);
  for (float s : off[0])
    ASSERT_EQ(s, 0.0f);
  ui.setParamValue("/b/gate", 1);
  auto on = drive::render(*dsp, in, 256);
  EXPECT_EQ(maxDiff(in, on), 0.0);
  EXPECT_FLOAT_EQ(ui.getParamValue("/b/level"), in[0][255]);
}

TEST(DspTest, CloneMetadataAndJSONUI) {
  REQUIRE_FAUST();
  Registry registry;
  auto dsp = test::instance(*oscFactory(registry));
  std::unique_ptr<::dsp> copy(dsp->clone());
  EXPECT_EQ(maxDiff(renderFrames(*dsp, 2000), renderFrames(*copy, 2000)), 0.0);

  struct Names : Meta {
    std::map<std::string, std::string> values;
    void declare(const char *k, const char *v) override { values[k] = v; }
  } meta;
  dsp->metadata(&meta);
  EXPECT_EQ(meta.values["name"], "osc");

  JSONUI json(dsp->getNumInputs(), dsp->getNumOutputs());
  dsp->buildUserInterface(&json);
  dsp->metadata(&json);
  std::string text = json.JSON();
  EXPECT_NE(text.find("\"address\": \"/osc/freq\""), std::string::npos) << text;
}

} // namespace
} // namespace kiln::faust::test

namespace kiln::faust::test {
namespace {

TEST(DspTest, StringFactoriesAreNamedAfterTheirName) {
  REQUIRE_FAUST();
  Registry registry;
  std::string error;
  auto factory = registry.createDSPFactoryFromString(
      "synth", "process = _ * hslider(\"freq\", 440, 20, 2000, 1);", {}, error);
  ASSERT_TRUE(factory) << error;
  EXPECT_EQ(factory->name(), "synth");
  EXPECT_EQ(test::instance(*factory)->paramPaths(),
            std::vector<std::string>{"/synth/freq"});
}

} // namespace
} // namespace kiln::faust::test
