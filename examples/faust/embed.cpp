// embed: a Faust DSP compiled by Kiln, driven through Faust's own MapUI.
//
// The Kiln Dsp is a real Faust `dsp`, so the architecture code hosts use with
// libfaust (MapUI here) works unchanged. Sets /osc/freq to 1000 Hz, renders
// one second and measures the frequency from the upward zero crossings.
#include "kiln/faust/Faust.h"

#include <faust/gui/MapUI.h>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  std::string path = argc > 1 ? argv[1] : "osc.dsp";
  kiln::faust::Registry registry;
  // A factory, or diagnostics (file, line, column, message) to render.
  auto factory = registry.createDSPFactoryFromFile(path, {});
  if (!factory) {
    std::fprintf(stderr, "%s\n", kiln::render(factory.diagnostics()).c_str());
    return 1;
  }
  auto instance = (*factory)->createInstance();
  if (!instance) {
    std::fprintf(stderr, "%s\n", kiln::render(instance.diagnostics()).c_str());
    return 1;
  }
  std::unique_ptr<kiln::faust::Dsp> dsp = std::move(*instance);
  MapUI ui;
  dsp->buildUserInterface(&ui);
  const int rate = 48000;
  dsp->init(rate);
  ui.setParamValue("/osc/freq", 1000);
  std::vector<float> out(rate);
  float *outputs[] = {out.data()};
  for (int pos = 0; pos < rate; pos += 480) {
    float *block[] = {outputs[0] + pos};
    dsp->compute(480, nullptr, block);
  }
  // Upward crossings, interpolated between samples.
  double first = -1, last = -1;
  int count = 0;
  for (int n = 1; n < rate; ++n)
    if (out[n - 1] < 0 && out[n] >= 0) {
      double t = n - 1 + out[n - 1] / (out[n - 1] - out[n]);
      if (first < 0)
        first = t;
      last = t;
      ++count;
    }
  std::printf("%s: %d input(s), %d output(s)\n", (*factory)->name().c_str(),
              dsp->getNumInputs(), dsp->getNumOutputs());
  std::printf("/osc/freq = %.0f\n", ui.getParamValue("/osc/freq"));
  std::printf("measured frequency: %.1f Hz\n",
              (count - 1) * rate / (last - first));
  return 0;
}
