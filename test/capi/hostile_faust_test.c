/* hostile_faust_test.c: Faust code, factories and DSPs misused.
 *
 * Part of the C API's hostile-input tests (hostile_check.h): code and
 * arguments faust rejects, garbage and truncated factory bytes in every
 * format, DSP calls before init or with NULL channels and bad parameters, and
 * the libfaust drop-in names (llvm-dsp-c.h) given NULL and garbage.
 */
#include "hostile_check.h"
#include "kiln/faust/llvm-dsp-c.h"

#include <limits.h>
#include <math.h>

static void faust_sources(void) {
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  const char *flags[2] = {"-vec", NULL};
  const char *bogus[1] = {"--no-such-faust-option"};
  static const char Ok[] = "process = +;";
  kiln_error *e;
  /* Faust's own errors, located. */
  expect_line(
      FAILS(kiln_faust_factory_from_string(engine, "bad", "\n\nprocess = nope;",
                                           0, NULL, NULL, -1, &factory),
            KILN_ERROR_TYPE),
      3);
  e = kiln_faust_factory_from_string(engine, "bad", "process = +(;\n", 0, NULL,
                                     NULL, -1, &factory);
  CHECK(e && kiln_error_get_code(e) == KILN_ERROR_PARSE);
  expect_line(e, 1);
  e = kiln_faust_factory_from_string(engine, "empty", "", 0, NULL, NULL, -1,
                                     &factory);
  CHECK(e && (kiln_error_get_code(e) == KILN_ERROR_PARSE ||
              kiln_error_get_code(e) == KILN_ERROR_TYPE));
  kiln_error_free(e);
  /* Arguments: a negative count, NULL argv, a NULL entry, an unknown flag. */
  kiln_error_free(FAILS(kiln_faust_factory_from_string(
                            engine, "a", Ok, -1, flags, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 2, NULL,
                                                       NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(
                            engine, "a", Ok, 2, flags, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  expect_message(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 1, bogus,
                                                      NULL, -1, &factory),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "--no-such-faust-option");
  /* Levels and targets outside what libfaust takes. */
  kiln_error_free(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                                       NULL, 99, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                                       NULL, INT_MIN, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                           "nonsense:cpu", -1, &factory),
            KILN_ERROR_TARGET));
  kiln_error_free(FAILS(
      kiln_faust_factory_from_string(engine, "a", Ok, 0, NULL,
                                     "aarch64-linux-gnu:znver5", -1, &factory),
      KILN_ERROR_TARGET));
  kiln_error_free(
      FAILS(kiln_faust_factory_from_file(engine, "/nonexistent.dsp", 0, NULL,
                                         NULL, 5, &factory),
            KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_factory_from_string(
                            engine, "a", NULL, 0, NULL, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_factory_from_file(engine, "/nonexistent.dsp", 0, NULL,
                                         NULL, -1, &factory),
            KILN_ERROR_IO));
  CHECK(factory == NULL);
  kiln_engine_free(engine);
}

static void faust_read_garbage(void) {
  /* Bytes that are not IR (or bitcode) are a parse error; a module without
   * Faust's functions, or bytes without Kiln's machine-code header, are
   * invalid arguments. */
  static const kiln_faust_format formats[] = {KILN_FAUST_BITCODE, KILN_FAUST_IR,
                                              KILN_FAUST_MACHINE};
  static const kiln_error_code junk_codes[] = {
      KILN_ERROR_PARSE, KILN_ERROR_PARSE, KILN_ERROR_INVALID_ARGUMENT};
  static const char Junk[] = "\x01\x02garbage\xff\x00more";
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  kiln_buffer *out = NULL;
  size_t i;
  for (i = 0; i < 3; ++i) {
    kiln_error_free(
        FAILS(kiln_faust_factory_read(engine, formats[i], Junk, sizeof Junk - 1,
                                      NULL, -1, &factory),
              junk_codes[i]));
    kiln_error_free(FAILS(
        kiln_faust_factory_read(engine, formats[i], "", 0, NULL, -1, &factory),
        KILN_ERROR_INVALID_ARGUMENT));
    kiln_error_free(FAILS(kiln_faust_factory_read(engine, formats[i], Junk, 4,
                                                  "nonsense:cpu", -1, &factory),
                          KILN_ERROR_TARGET));
    kiln_error_free(FAILS(
        kiln_faust_factory_read(engine, formats[i], Junk, 4, NULL, 5, &factory),
        KILN_ERROR_INVALID_ARGUMENT));
  }
  expect_message(FAILS(kiln_faust_factory_read(engine, KILN_FAUST_OBJECT, Junk,
                                               4, NULL, -1, &factory),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_faust_factory_read: an object file");
  kiln_error_free(FAILS(kiln_faust_factory_read(engine, (kiln_faust_format)9,
                                                Junk, 4, NULL, -1, &factory),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(factory == NULL);
  OK(kiln_faust_factory_from_string(engine, "g", "process = _;", 0, NULL, NULL,
                                    -1, &factory));
  kiln_error_free(FAILS(kiln_faust_factory_write(factory, KILN_FAUST_MACHINE,
                                                 "x86_64-linux-gnu:nope", &out),
                        KILN_ERROR_TARGET));
  kiln_error_free(FAILS(
      kiln_faust_factory_write(factory, (kiln_faust_format)-1, NULL, &out),
      KILN_ERROR_INVALID_ARGUMENT));
  CHECK(out == NULL);
  kiln_faust_factory_free(factory);
  kiln_engine_free(engine);
}

/* Round trips through every format, each truncated: errors, not crashes. */
static void faust_truncated(void) {
  static const kiln_faust_format formats[] = {KILN_FAUST_BITCODE, KILN_FAUST_IR,
                                              KILN_FAUST_MACHINE};
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL, *back = NULL;
  size_t i;
  OK(kiln_faust_factory_from_string(engine, "gain", "process = *(0.5);", 0,
                                    NULL, NULL, -1, &factory));
  for (i = 0; i < 3; ++i) {
    kiln_buffer *bytes = NULL;
    size_t n, cut;
    OK(kiln_faust_factory_write(factory, formats[i], NULL, &bytes));
    n = kiln_buffer_size(bytes);
    for (cut = 0; cut < n; cut += n / 7 + 1) {
      kiln_error *e = kiln_faust_factory_read(
          engine, formats[i], kiln_buffer_data(bytes), cut, NULL, -1, &back);
      CHECK(e != NULL);
      kiln_error_free(e);
    }
    kiln_buffer_free(bytes);
  }
  CHECK(back == NULL);
  kiln_faust_factory_free(factory);
  kiln_engine_free(engine);
}

static void faust_dsp_misuse(void) {
  kiln_engine *engine = new_engine();
  kiln_faust_factory *factory = NULL;
  kiln_faust_dsp *dsp = NULL;
  float in0[4] = {1, 2, 3, 4}, in1[4] = {1, 1, 1, 1}, out0[4] = {0};
  float *ins[2] = {in0, NULL}, *outs[1] = {out0};
  const char *path = NULL;
  float value = 0;
  OK(kiln_faust_factory_from_string(
      engine, "mix", "process = + : *(hslider(\"g\", 1, 0, 2, 0.1));", 0, NULL,
      NULL, -1, &factory));
  OK(kiln_faust_dsp_create(factory, &dsp));
  /* Each refusal says what is wrong (the call that passes every check
   * takes a path of its own, which must not swallow these). */
  expect_message(FAILS(kiln_faust_dsp_compute(dsp, 4, ins, outs),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_faust_dsp_compute: the instance is not initialised");
  expect_message(FAILS(kiln_faust_dsp_compute(NULL, 4, ins, outs),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_faust_dsp_compute: 'dsp' is NULL");
  kiln_error_free(
      FAILS(kiln_faust_dsp_init(dsp, 0), KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_dsp_init(dsp, INT_MIN), KILN_ERROR_INVALID_ARGUMENT));
  OK(kiln_faust_dsp_init(dsp, 48000));
  expect_message(FAILS(kiln_faust_dsp_compute(dsp, 4, ins, outs),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_faust_dsp_compute: inputs[1] is NULL");
  ins[1] = in1;
  expect_message(FAILS(kiln_faust_dsp_compute(dsp, 4, NULL, outs),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "inputs is NULL but the DSP has 2 inputs");
  expect_message(FAILS(kiln_faust_dsp_compute(dsp, 4, ins, NULL),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "outputs is NULL but the DSP has 1 outputs");
  expect_message(FAILS(kiln_faust_dsp_compute(dsp, -1, ins, outs),
                       KILN_ERROR_INVALID_ARGUMENT),
                 "kiln_faust_dsp_compute: count -1 is negative");
  kiln_error_free(FAILS(kiln_faust_dsp_compute(dsp, INT_MIN, ins, outs),
                        KILN_ERROR_INVALID_ARGUMENT));
  OK(kiln_faust_dsp_compute(dsp, 0, ins, outs));
  OK(kiln_faust_dsp_compute(dsp, 4, ins, outs));
  CHECK(out0[0] == 2 && out0[3] == 5);
  /* Parameters: unknown, empty, non-UTF-8 paths; NaN values; bad index. */
  kiln_error_free(FAILS(kiln_faust_dsp_set_param(dsp, "/mix/nope", 1),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(
      FAILS(kiln_faust_dsp_set_param(dsp, "", 1), KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_set_param(dsp, "\xff", 1),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_set_param(dsp, NULL, 1),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_get_param(dsp, "/mix/g", NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_param_path(dsp, SIZE_MAX, &path),
                        KILN_ERROR_INVALID_ARGUMENT));
  kiln_error_free(FAILS(kiln_faust_dsp_param_path(dsp, 0, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(path == NULL);
  OK(kiln_faust_dsp_set_param(dsp, "/mix/g", NAN));
  OK(kiln_faust_dsp_get_param(dsp, "/mix/g", &value));
  kiln_error_free(FAILS(kiln_faust_dsp_metadata(dsp, NULL, NULL),
                        KILN_ERROR_INVALID_ARGUMENT));
  CHECK(kiln_faust_dsp_inputs(NULL) == 0 || kiln_faust_dsp_inputs(NULL) == -1);
  CHECK(kiln_faust_dsp_param_count(NULL) == 0);
  /* Children outlive their parents: free the parents first. */
  kiln_engine_free(engine);
  kiln_faust_factory_free(factory);
  OK(kiln_faust_dsp_compute(dsp, 4, ins, outs));
  kiln_faust_dsp_free(dsp);
}

/* The libfaust names given NULL and garbage: NULL results and a message. */
static void faust_compat(void) {
  char message[4096];
  const char *argv[2] = {"-vec", NULL};
  llvm_dsp_factory *factory;
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", NULL, 0, NULL, "", message, -1) ==
        NULL);
  CHECK(message[0] != '\0');
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", "process = +;", 2, argv, "", message,
                                    -1) == NULL);
  CHECK(message[0] != '\0');
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", "process = +;", -5, argv, "", message,
                                    -1) == NULL);
  CHECK(message[0] != '\0');
  message[0] = '\0';
  CHECK(createCDSPFactoryFromString("a", "process = nope;", 0, NULL, "",
                                    message, -1) == NULL);
  CHECK(strstr(message, ":1") != NULL);
  /* A NULL message buffer is allowed. */
  CHECK(createCDSPFactoryFromString("a", "process = nope;", 0, NULL, "", NULL,
                                    -1) == NULL);
  CHECK(readCDSPFactoryFromBitcode("!!!not base64!!!", "", message, -1) ==
        NULL);
  CHECK(readCDSPFactoryFromIR("garbage", "", message, -1) == NULL);
  CHECK(readCDSPFactoryFromMachine("AAAA", message, "") == NULL);
  CHECK(readCDSPFactoryFromMachine(NULL, message, "") == NULL);
  CHECK(getCDSPFactoryFromSHAKey(NULL) == NULL);
  CHECK(getCDSPFactoryFromSHAKey("") == NULL);
  CHECK(!deleteCDSPFactory(NULL));
  CHECK(createCDSPInstance(NULL) == NULL);
  deleteCDSPInstance(NULL);
  CHECK(getNumInputsCDSPInstance(NULL) <= 0);
  computeCDSPInstance(NULL, 4, NULL, NULL);
  freeCMemory(NULL);
  /* A good factory's instance given bad buffers computes nothing. */
  factory = createCDSPFactoryFromString("g", "process = *(0.5);", 0, NULL, "",
                                        message, -1);
  CHECK(factory != NULL);
  {
    llvm_dsp *dsp = createCDSPInstance(factory);
    float x[2] = {2, 4}, y[2] = {9, 9};
    float *in[1] = {x}, *out[1] = {y}, *none[1] = {NULL};
    CHECK(dsp != NULL);
    initCDSPInstance(dsp, 48000);
    computeCDSPInstance(dsp, -3, in, out);
    computeCDSPInstance(dsp, 2, none, out);
    computeCDSPInstance(dsp, 2, in, NULL);
    CHECK(y[0] == 9 && y[1] == 9);
    computeCDSPInstance(dsp, 2, in, out);
    CHECK(y[0] == 1 && y[1] == 2);
    deleteCDSPFactory(factory); /* the instance keeps it alive */
    computeCDSPInstance(dsp, 2, in, out);
    deleteCDSPInstance(dsp);
  }
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"faust_sources", faust_sources},
                                    {"faust_read_garbage", faust_read_garbage},
                                    {"faust_truncated", faust_truncated},
                                    {"faust_dsp_misuse", faust_dsp_misuse},
                                    {"faust_compat", faust_compat}};
  return run_cases(argc, argv, cases, sizeof cases / sizeof cases[0]);
}
