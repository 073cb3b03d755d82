// faust_cpp_samples.cpp: the test DSP's samples through the C++ Faust API.
//
// capi.faust_matches_cpp compares this output with `faust_capi_test samples`
// (the same DSP through kiln_faust_*): the C layer must add nothing, so the
// two must be byte-identical.
#include "faust_test_dsp.h"

#include "kiln/faust/Faust.h"

#include <cstdio>
#include <vector>

int main() {
  kiln::faust::Registry registry;
  kiln::faust::FactoryOptions options; // O3, as libfaust's -1 in the C API
  auto factory = registry.createDSPFactoryFromString(
      KILN_TEST_DSP_NAME, KILN_TEST_DSP_CODE, options);
  if (!factory) {
    std::fprintf(stderr, "%s\n", kiln::render(factory.diagnostics()).c_str());
    return 1;
  }
  auto dsp = (*factory)->createInstance();
  if (!dsp) {
    std::fprintf(stderr, "%s\n", kiln::render(dsp.diagnostics()).c_str());
    return 1;
  }
  (*dsp)->init(48000);
  std::vector<float> left(KILN_TEST_FRAMES), right(KILN_TEST_FRAMES);
  float *outputs[2] = {left.data(), right.data()};
  for (int b = 0; b < KILN_TEST_BLOCKS; ++b) {
    (*dsp)->compute(KILN_TEST_FRAMES, nullptr, outputs);
    for (int i = 0; i < KILN_TEST_FRAMES; ++i)
      std::printf("%.9g %.9g\n", left[i], right[i]);
  }
  return 0;
}
