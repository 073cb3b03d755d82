/* faust_test_dsp.h: the Faust program the C API tests compute.
 *
 * Shared by faust_capi_test.c (through kiln_faust_*) and faust_cpp_samples.cpp
 * (through the C++ API) so that capi.faust_matches_cpp compares the same
 * code: a 440 Hz sine at gain 0.5 and white noise, with metadata.
 */
#ifndef KILN_TEST_FAUST_TEST_DSP_H
#define KILN_TEST_FAUST_TEST_DSP_H

#define KILN_TEST_DSP_NAME "capisynth"
#define KILN_TEST_DSP_CODE                                                     \
  "import(\"stdfaust.lib\");\n"                                                \
  "declare author \"Kiln\";\n"                                                 \
  "declare version \"1.0\";\n"                                                 \
  "freq = hslider(\"freq\", 440, 20, 2000, 1);\n"                              \
  "gain = hslider(\"gain\", 0.5, 0, 1, 0.01);\n"                               \
  "process = os.osc(freq) * gain, no.noise * 0.25;\n"
/** Frames per block and blocks the sample comparison prints. */
#define KILN_TEST_FRAMES 256
#define KILN_TEST_BLOCKS 4

#endif /* KILN_TEST_FAUST_TEST_DSP_H */
