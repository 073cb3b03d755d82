/* faust_synth.c: a Faust DSP from C through Kiln's C API (kiln/kiln.h).
 *
 * Compiles a .dsp (default examples/faust/osc.dsp), lists its parameters,
 * sets the frequency to 1000 Hz, renders one second at 48 kHz in 256-frame
 * blocks and measures the frequency from the upward zero crossings. Then it
 * shows what a compile error looks like: located, with the source line.
 * Every call returns NULL or a kiln_error the caller frees.
 */
#include <kiln/kiln.h>

#include <stdio.h>
#include <string.h>

#define RATE 48000
#define FRAMES 256

/* Prints and frees `error`; returns 1 when there was one. */
static int failed(kiln_error *error) {
  if (!error)
    return 0;
  fprintf(stderr, "error (%s): %s\n",
          kiln_error_code_name(kiln_error_get_code(error)),
          kiln_error_rendered(error));
  kiln_error_free(error);
  return 1;
}

/* The first parameter whose path ends in `name`, or NULL. */
static const char *param(const kiln_faust_dsp *dsp, const char *name) {
  size_t i, n = strlen(name);
  for (i = 0; i < kiln_faust_dsp_param_count(dsp); ++i) {
    const char *path;
    if (!failed(kiln_faust_dsp_param_path(dsp, i, &path)) &&
        strlen(path) >= n && strcmp(path + strlen(path) - n, name) == 0)
      return path;
  }
  return NULL;
}

/* Renders one second; output 0's frequency from its upward zero crossings
 * (periods between the first and the last one), or -1 on error. */
static double render(kiln_faust_dsp *dsp) {
  static float block[8][FRAMES];
  float *outputs[8];
  float last = 0;
  int done, count, i, crossings = 0, first = -1, latest = -1;
  for (i = 0; i < 8; ++i)
    outputs[i] = block[i];
  for (done = 0; done < RATE; done += count) {
    count = RATE - done < FRAMES ? RATE - done : FRAMES; /* the last is short */
    if (failed(kiln_faust_dsp_compute(dsp, count, NULL, outputs)))
      return -1;
    for (i = 0; i < count; ++i) {
      if (last < 0 && block[0][i] >= 0) {
        latest = done + i;
        first = first < 0 ? latest : first;
        ++crossings;
      }
      last = block[0][i];
    }
  }
  return crossings < 2 ? 0 : (crossings - 1) * (double)RATE / (latest - first);
}

static int play(kiln_faust_factory *factory) {
  kiln_faust_dsp *dsp = NULL;
  const char *freq;
  size_t i;
  if (failed(kiln_faust_dsp_create(factory, &dsp)) ||
      failed(kiln_faust_dsp_init(dsp, RATE)))
    return 1;
  if (kiln_faust_dsp_inputs(dsp) != 0 || kiln_faust_dsp_outputs(dsp) < 1 ||
      kiln_faust_dsp_outputs(dsp) > 8 || !(freq = param(dsp, "/freq"))) {
    fprintf(stderr, "expected a generator with a freq slider\n");
    kiln_faust_dsp_free(dsp);
    return 1;
  }
  for (i = 0; i < kiln_faust_dsp_param_count(dsp); ++i) {
    const char *path;
    float value;
    if (!failed(kiln_faust_dsp_param_path(dsp, i, &path)) &&
        !failed(kiln_faust_dsp_get_param(dsp, path, &value)))
      printf("param %s = %g\n", path, value);
  }
  if (failed(kiln_faust_dsp_set_param(dsp, freq, 1000)))
    return 1;
  printf("measured frequency: %.0f Hz\n", render(dsp));
  kiln_faust_dsp_free(dsp);
  return 0;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "examples/faust/osc.dsp";
  kiln_engine *engine = NULL;
  kiln_faust_factory *factory = NULL;
  kiln_error *error;
  int status;
  if (failed(kiln_engine_new(NULL, &engine)))
    return 1;
  /* No Faust arguments, the engine's target, libfaust's level -1 (best). */
  if (failed(kiln_faust_factory_from_file(engine, path, 0, NULL, NULL, -1,
                                          &factory))) {
    kiln_engine_free(engine);
    return 1;
  }
  printf("factory '%s' for %s\n", kiln_faust_factory_name(factory),
         kiln_faust_factory_target(factory));
  status = play(factory);
  kiln_faust_factory_free(factory);
  error = kiln_faust_factory_from_string(engine, "broken", "process = _ +;", 0,
                                         NULL, NULL, -1, &factory);
  if (error)
    printf("a broken DSP gives a %s error at line %u:\n%s\n",
           kiln_error_code_name(kiln_error_get_code(error)),
           (unsigned)kiln_error_line_at(error, 0), kiln_error_rendered(error));
  kiln_error_free(error);
  kiln_engine_free(engine);
  return status;
}
