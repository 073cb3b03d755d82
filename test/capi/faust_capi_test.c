/* faust_capi_test.c: the Faust part of the C API (kiln_faust_*), in C99.
 *
 * Located errors, compute, parameters, metadata, every serialization format
 * round-tripped, and misuse (NULL handles and buffers, negative counts,
 * unknown paths, instances outliving their parents) that must come back as
 * KILN_ERROR_INVALID_ARGUMENT, never a crash. `faust_capi_test samples`
 * prints the test DSP's samples for capi.faust_matches_cpp instead.
 */
#include "faust_check.h"
#include "faust_test_dsp.h"

#include <kiln/kiln.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Succeeds, or prints the error and counts a failure. */
static int ok(kiln_error *error, int line) {
  if (!error)
    return 1;
  fprintf(stderr, "faust_capi_test.c:%d: unexpected error: %s\n", line,
          kiln_error_rendered(error));
  kiln_error_free(error);
  ++failures;
  return 0;
}
#define OK(call) ok((call), __LINE__)

/* Fails with `code`; the error is freed. */
static void fails(kiln_error *error, kiln_error_code code, int line) {
  if (!error) {
    fprintf(stderr, "faust_capi_test.c:%d: FAIL: no error, expected %s\n", line,
            kiln_error_code_name(code));
    ++failures;
    return;
  }
  if (kiln_error_get_code(error) != code) {
    fprintf(stderr, "faust_capi_test.c:%d: FAIL: %s error, expected %s: %s\n",
            line, kiln_error_code_name(kiln_error_get_code(error)),
            kiln_error_code_name(code), kiln_error_rendered(error));
    ++failures;
  }
  kiln_error_free(error);
}
#define FAILS(call, code) fails((call), (code), __LINE__)

static float left[KILN_TEST_FRAMES], right[KILN_TEST_FRAMES];
static float *outputs[2] = {left, right};

static kiln_faust_factory *makeSynth(kiln_engine *engine) {
  kiln_faust_factory *factory = NULL;
  OK(kiln_faust_factory_from_string(engine, KILN_TEST_DSP_NAME,
                                    KILN_TEST_DSP_CODE, 0, NULL, NULL, -1,
                                    &factory));
  return factory;
}

static kiln_faust_dsp *makeDsp(kiln_faust_factory *factory) {
  kiln_faust_dsp *dsp = NULL;
  if (factory && OK(kiln_faust_dsp_create(factory, &dsp)))
    OK(kiln_faust_dsp_init(dsp, 48000));
  return dsp;
}

static float peak(const float *samples, int n) {
  float max = 0;
  int i;
  for (i = 0; i < n; ++i)
    if (fabsf(samples[i]) > max)
      max = fabsf(samples[i]);
  return max;
}

static void testErrors(kiln_engine *engine, kiln_faust_factory *unused) {
  kiln_faust_factory *factory = unused;
  kiln_error *error = kiln_faust_factory_from_string(
      engine, "bad", "declare name \"bad\";\nprocess = _ +;\n", 0, NULL, NULL,
      -1, &factory);
  EXPECT(error != NULL);
  if (error) {
    EXPECT(kiln_error_get_code(error) == KILN_ERROR_PARSE);
    EXPECT(kiln_error_line_at(error, 0) == 2);
    EXPECT(strstr(kiln_error_message(error), "syntax error") != NULL);
    EXPECT(strstr(kiln_error_rendered(error), ":2:") != NULL);
    kiln_error_free(error);
  }
  EXPECT(factory == NULL); /* untouched on error */
  FAILS(kiln_faust_factory_from_string(engine, "undef", "process = foo;\n", 0,
                                       NULL, NULL, -1, &factory),
        KILN_ERROR_TYPE);
  FAILS(kiln_faust_factory_from_file(engine, "/nonexistent/x.dsp", 0, NULL,
                                     NULL, -1, &factory),
        KILN_ERROR_IO);
}

static void testQueries(kiln_engine *engine, kiln_faust_factory *factory) {
  (void)engine;
  EXPECT(strcmp(kiln_faust_factory_name(factory), KILN_TEST_DSP_NAME) == 0);
  EXPECT(strlen(kiln_faust_factory_sha_key(factory)) == 40);
  EXPECT(strcmp(kiln_faust_factory_target(factory),
                kiln_faust_machine_target()) == 0);
  EXPECT(strchr(kiln_faust_machine_target(), ':') != NULL);
}

static void testCompute(kiln_engine *engine, kiln_faust_factory *factory) {
  kiln_faust_dsp *dsp = makeDsp(factory);
  (void)engine;
  if (!dsp)
    return;
  EXPECT(kiln_faust_dsp_inputs(dsp) == 0);
  EXPECT(kiln_faust_dsp_outputs(dsp) == 2);
  OK(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, NULL, outputs));
  EXPECT(peak(left, KILN_TEST_FRAMES) > 0.45f);
  EXPECT(peak(left, KILN_TEST_FRAMES) <= 0.5f);
  EXPECT(peak(right, KILN_TEST_FRAMES) > 0.05f);
  EXPECT(peak(right, KILN_TEST_FRAMES) <= 0.25f);
  kiln_faust_dsp_free(dsp);
}

/* An effect: inputs are checked and used. */
static void testInputs(kiln_engine *engine, kiln_faust_factory *none) {
  kiln_faust_factory *factory = none;
  kiln_faust_dsp *dsp;
  float input[KILN_TEST_FRAMES];
  float *inputs[1] = {input}, *noInput[1] = {NULL};
  int i, half = 1;
  if (!OK(kiln_faust_factory_from_string(engine, "half", "process = *(0.5);", 0,
                                         NULL, NULL, 0, &factory)))
    return;
  dsp = makeDsp(factory);
  kiln_faust_factory_free(factory); /* the instance keeps it */
  if (!dsp)
    return;
  EXPECT(kiln_faust_dsp_inputs(dsp) == 1 && kiln_faust_dsp_outputs(dsp) == 1);
  for (i = 0; i < KILN_TEST_FRAMES; ++i)
    input[i] = (float)i;
  OK(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, inputs, outputs));
  for (i = 0; i < KILN_TEST_FRAMES; ++i)
    half = half && left[i] == 0.5f * (float)i;
  EXPECT(half);
  FAILS(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, NULL, outputs),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, noInput, outputs),
        KILN_ERROR_INVALID_ARGUMENT);
  kiln_faust_dsp_free(dsp);
}

static const char *findPath(const kiln_faust_dsp *dsp, const char *suffix) {
  size_t i, n = strlen(suffix);
  for (i = 0; i < kiln_faust_dsp_param_count(dsp); ++i) {
    const char *path = NULL;
    if (OK(kiln_faust_dsp_param_path(dsp, i, &path)) && strlen(path) > n &&
        strcmp(path + strlen(path) - n, suffix) == 0)
      return path;
  }
  return NULL;
}

static void testParams(kiln_engine *engine, kiln_faust_factory *factory) {
  kiln_faust_dsp *dsp = makeDsp(factory);
  const char *freq, *gain, *path = NULL;
  float value = -1;
  (void)engine;
  if (!dsp)
    return;
  EXPECT(kiln_faust_dsp_param_count(dsp) == 2);
  freq = findPath(dsp, "/freq");
  gain = findPath(dsp, "/gain");
  EXPECT(freq && gain);
  if (!freq || !gain)
    return;
  OK(kiln_faust_dsp_get_param(dsp, freq, &value));
  EXPECT(value == 440.0f);
  OK(kiln_faust_dsp_set_param(dsp, gain, 0.0f));
  OK(kiln_faust_dsp_get_param(dsp, gain, &value));
  EXPECT(value == 0.0f);
  OK(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, NULL, outputs));
  EXPECT(peak(left, KILN_TEST_FRAMES) == 0.0f);
  FAILS(kiln_faust_dsp_set_param(dsp, "/nope", 1), KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_get_param(dsp, "/nope", &value),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_param_path(dsp, 2, &path), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT(path == NULL);
  kiln_faust_dsp_free(dsp);
}

typedef struct Seen {
  int author, version;
} Seen;

static void declare(void *data, const char *key, const char *value) {
  Seen *seen = (Seen *)data;
  if (strcmp(key, "author") == 0 && strcmp(value, "Kiln") == 0)
    seen->author = 1;
  if (strcmp(key, "version") == 0 && strcmp(value, "1.0") == 0)
    seen->version = 1;
}

static void testMetadata(kiln_engine *engine, kiln_faust_factory *factory) {
  kiln_faust_dsp *dsp = makeDsp(factory);
  Seen seen = {0, 0};
  (void)engine;
  if (!dsp)
    return;
  OK(kiln_faust_dsp_metadata(dsp, declare, &seen));
  EXPECT(seen.author && seen.version);
  FAILS(kiln_faust_dsp_metadata(dsp, NULL, &seen), KILN_ERROR_INVALID_ARGUMENT);
  kiln_faust_dsp_free(dsp);
}

/* One block of a fresh instance of `factory` into `out` (both channels). */
static int firstBlock(kiln_faust_factory *factory, float *out) {
  kiln_faust_dsp *dsp = makeDsp(factory);
  int good =
      dsp && OK(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, NULL, outputs));
  memcpy(out, left, sizeof left);
  memcpy(out + KILN_TEST_FRAMES, right, sizeof right);
  kiln_faust_dsp_free(dsp);
  return good;
}

static void testRoundTrip(kiln_engine *engine, kiln_faust_factory *factory,
                          kiln_faust_format format) {
  static float want[2 * KILN_TEST_FRAMES], got[2 * KILN_TEST_FRAMES];
  kiln_buffer *bytes = NULL;
  kiln_faust_factory *read = NULL;
  if (!OK(kiln_faust_factory_write(factory, format, NULL, &bytes)))
    return;
  EXPECT(kiln_buffer_size(bytes) > 100);
  if (OK(kiln_faust_factory_read(engine, format, kiln_buffer_data(bytes),
                                 kiln_buffer_size(bytes), NULL, -1, &read))) {
    EXPECT(firstBlock(factory, want) && firstBlock(read, got));
    EXPECT(memcmp(want, got, sizeof want) == 0);
    kiln_faust_factory_free(read);
  }
  kiln_buffer_free(bytes);
}

static void testSerialization(kiln_engine *engine,
                              kiln_faust_factory *factory) {
  kiln_buffer *object = NULL;
  kiln_faust_factory *read = NULL;
  testRoundTrip(engine, factory, KILN_FAUST_BITCODE);
  testRoundTrip(engine, factory, KILN_FAUST_IR);
  testRoundTrip(engine, factory, KILN_FAUST_MACHINE);
  if (OK(kiln_faust_factory_write(factory, KILN_FAUST_OBJECT, NULL, &object))) {
    EXPECT(kiln_buffer_size(object) > 4);
    EXPECT(memcmp(kiln_buffer_data(object), "\177ELF", 4) == 0);
    FAILS(kiln_faust_factory_read(engine, KILN_FAUST_OBJECT,
                                  kiln_buffer_data(object),
                                  kiln_buffer_size(object), NULL, -1, &read),
          KILN_ERROR_INVALID_ARGUMENT);
    kiln_buffer_free(object);
  }
  FAILS(kiln_faust_factory_read(engine, KILN_FAUST_MACHINE, "garbage", 7, NULL,
                                -1, &read),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_factory_write(factory, (kiln_faust_format)42, NULL, &object),
        KILN_ERROR_INVALID_ARGUMENT);
  EXPECT(read == NULL);
}

static void testMisuse(kiln_engine *engine, kiln_faust_factory *factory) {
  kiln_faust_factory *none = NULL;
  kiln_faust_dsp *dsp = NULL;
  float *missing[2] = {left, NULL};
  const char *args[1] = {NULL};
  FAILS(kiln_faust_factory_from_string(NULL, "x", "process = _;", 0, NULL, NULL,
                                       -1, &none),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_factory_from_string(engine, "x", "process = _;", -1, NULL,
                                       NULL, -1, &none),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_factory_from_string(engine, "x", "process = _;", 1, args,
                                       NULL, -1, &none),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_create(NULL, &dsp), KILN_ERROR_INVALID_ARGUMENT);
  if (!OK(kiln_faust_dsp_create(factory, &dsp)))
    return;
  FAILS(kiln_faust_dsp_compute(dsp, 16, NULL, outputs),
        KILN_ERROR_INVALID_ARGUMENT); /* not initialised */
  FAILS(kiln_faust_dsp_init(dsp, 0), KILN_ERROR_INVALID_ARGUMENT);
  OK(kiln_faust_dsp_init(dsp, 44100));
  FAILS(kiln_faust_dsp_compute(dsp, 16, NULL, NULL),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_compute(dsp, 16, NULL, missing),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_compute(dsp, -1, NULL, outputs),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_compute(NULL, 16, NULL, outputs),
        KILN_ERROR_INVALID_ARGUMENT);
  FAILS(kiln_faust_dsp_set_param(dsp, NULL, 1), KILN_ERROR_INVALID_ARGUMENT);
  OK(kiln_faust_dsp_compute(dsp, 0, NULL, outputs));
  EXPECT(kiln_faust_dsp_inputs(NULL) == 0 && kiln_faust_dsp_outputs(NULL) == 0);
  EXPECT(kiln_faust_dsp_param_count(NULL) == 0);
  kiln_faust_dsp_free(dsp);
  kiln_faust_dsp_free(NULL);
  kiln_faust_factory_free(NULL);
}

/* An instance outlives its factory and engine handles. */
static void testLifetimes(kiln_engine *unused, kiln_faust_factory *none) {
  kiln_engine *engine = NULL;
  kiln_faust_factory *factory;
  kiln_faust_dsp *dsp;
  (void)unused, (void)none;
  if (!OK(kiln_engine_new(NULL, &engine)))
    return;
  factory = makeSynth(engine);
  dsp = makeDsp(factory);
  kiln_faust_factory_free(factory);
  kiln_engine_free(engine);
  if (dsp) {
    OK(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, NULL, outputs));
    EXPECT(peak(left, KILN_TEST_FRAMES) > 0.45f);
  }
  kiln_faust_dsp_free(dsp);
}

static void testOtherTarget(kiln_engine *engine, kiln_faust_factory *none) {
  kiln_faust_factory *factory = none;
  kiln_faust_dsp *dsp = NULL;
  kiln_buffer *object = NULL;
  if (!OK(kiln_faust_factory_from_string(engine, "cross", "process = _ * 0.5;",
                                         0, NULL, "aarch64-linux-gnu", 2,
                                         &factory)))
    return;
  EXPECT(strncmp(kiln_faust_factory_target(factory), "aarch64", 7) == 0);
  FAILS(kiln_faust_dsp_create(factory, &dsp), KILN_ERROR_TARGET);
  if (OK(kiln_faust_factory_write(factory, KILN_FAUST_OBJECT, NULL, &object))) {
    /* ELF e_machine 183 = EM_AARCH64, little-endian at offset 18 */
    EXPECT(kiln_buffer_size(object) > 20 &&
           (unsigned char)kiln_buffer_data(object)[18] == 183);
    kiln_buffer_free(object);
  }
  kiln_faust_factory_free(factory);
}

/* `faust_capi_test samples`: the samples capi.faust_matches_cpp compares. */
static void printSamples(kiln_engine *engine, kiln_faust_factory *factory) {
  kiln_faust_dsp *dsp = makeDsp(factory);
  int b, i;
  (void)engine;
  EXPECT(dsp != NULL);
  for (b = 0; dsp && b < KILN_TEST_BLOCKS; ++b) {
    OK(kiln_faust_dsp_compute(dsp, KILN_TEST_FRAMES, NULL, outputs));
    for (i = 0; i < KILN_TEST_FRAMES; ++i)
      printf("%.9g %.9g\n", left[i], right[i]);
  }
  kiln_faust_dsp_free(dsp);
}

typedef void (*Case)(kiln_engine *engine, kiln_faust_factory *synth);
static const struct {
  const char *name;
  Case run;
  int needsSynth;
} Cases[] = {{"errors", testErrors, 0},
             {"queries", testQueries, 1},
             {"compute", testCompute, 1},
             {"inputs", testInputs, 0},
             {"params", testParams, 1},
             {"metadata", testMetadata, 1},
             {"serialization", testSerialization, 1},
             {"misuse", testMisuse, 1},
             {"lifetimes", testLifetimes, 0},
             {"other_target", testOtherTarget, 0},
             {"samples", printSamples, 1}};

/* `faust_capi_test CASE` runs one case (ctest: capi.faust.CASE). */
int main(int argc, char **argv) {
  kiln_engine *engine = NULL;
  kiln_faust_factory *synth = NULL;
  size_t i;
  for (i = 0; argc == 2 && i < sizeof Cases / sizeof Cases[0]; ++i)
    if (strcmp(argv[1], Cases[i].name) == 0)
      break;
  if (argc != 2 || i == sizeof Cases / sizeof Cases[0]) {
    fprintf(stderr, "usage: faust_capi_test CASE (errors, queries, ...)\n");
    return 2;
  }
  if (!OK(kiln_engine_new(NULL, &engine)))
    return 1;
  if (Cases[i].needsSynth && !(synth = makeSynth(engine)))
    return 1;
  Cases[i].run(engine, synth);
  kiln_faust_factory_free(synth);
  kiln_engine_free(engine);
  if (strcmp(argv[1], "samples") != 0)
    printf("faust_capi_test %s: %s (%d failures)\n", argv[1],
           failures ? "FAIL" : "PASS", failures);
  return failures != 0;
}
