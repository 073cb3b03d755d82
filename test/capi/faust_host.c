/* faust_host.c: a C host written only against libfaust's llvm-dsp-c.h.
 *
 * The drop-in test builds this file twice: against Debian's libfaust
 * (<faust/dsp/llvm-dsp-c.h>, -lfaust) and, with -DKILN_DROP_IN, against
 * Kiln (<kiln/faust/llvm-dsp-c.h>, libkiln.so). Both print the parameters
 * the UIGlue saw, the metadata the MetaGlue saw and the samples of a few
 * blocks; faust_host_compare.sh compares the two outputs. Usage:
 *   faust_host [BLOCKS]     (default 4 blocks of 256 frames)
 */
#ifdef KILN_DROP_IN
#include <kiln/faust/llvm-dsp-c.h>
#else
#include <faust/dsp/llvm-dsp-c.h> /* first: it includes <stdbool.h> */

#include <faust/dsp/libfaust-c.h> /* freeCMemory, for hosts that free */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES 256

static const char *const Code =
    "import(\"stdfaust.lib\");\n"
    "declare author \"Kiln\";\n"
    "freq = hslider(\"freq\", 440, 20, 2000, 1);\n"
    "gain = hslider(\"gain\", 0.5, 0, 1, 0.01);\n"
    "gate = button(\"gate\");\n"
    "process = os.osc(freq) * gain, no.noise * 0.25 * (1 - gate);\n";

/* The UIGlue's state: the zone of "freq", to set it like a host would. */
typedef struct Recorder {
  FAUSTFLOAT *freq;
} Recorder;

static void openBox(void *ui, const char *label) { (void)ui, (void)label; }
static void closeBox(void *ui) { (void)ui; }
static void declareZone(void *ui, FAUSTFLOAT *zone, const char *key,
                        const char *value) {
  (void)ui, (void)zone, (void)key, (void)value;
}
static void addButton(void *ui, const char *label, FAUSTFLOAT *zone) {
  (void)ui, (void)zone;
  printf("param button %s\n", label);
}
static void addSlider(void *ui, const char *label, FAUSTFLOAT *zone,
                      FAUSTFLOAT init, FAUSTFLOAT min, FAUSTFLOAT max,
                      FAUSTFLOAT step) {
  Recorder *recorder = (Recorder *)ui;
  printf("param slider %s init %g min %g max %g step %g\n", label, init, min,
         max, step);
  if (strcmp(label, "freq") == 0)
    recorder->freq = zone;
}
static void addBargraph(void *ui, const char *label, FAUSTFLOAT *zone,
                        FAUSTFLOAT min, FAUSTFLOAT max) {
  (void)ui, (void)zone;
  printf("param bargraph %s min %g max %g\n", label, min, max);
}
static void addSoundfile(void *ui, const char *label, const char *url,
                         struct Soundfile **zone) {
  (void)ui, (void)url, (void)zone;
  printf("param soundfile %s\n", label);
}

static void declareMeta(void *meta, const char *key, const char *value) {
  (void)meta;
  if (strcmp(key, "author") == 0)
    printf("meta %s %s\n", key, value);
}

static UIGlue makeGlue(Recorder *recorder) {
  UIGlue glue;
  memset(&glue, 0, sizeof glue);
  glue.uiInterface = recorder;
  glue.openTabBox = openBox;
  glue.openHorizontalBox = openBox;
  glue.openVerticalBox = openBox;
  glue.closeBox = closeBox;
  glue.addButton = addButton;
  glue.addCheckButton = addButton;
  glue.addVerticalSlider = addSlider;
  glue.addHorizontalSlider = addSlider;
  glue.addNumEntry = addSlider;
  glue.addHorizontalBargraph = addBargraph;
  glue.addVerticalBargraph = addBargraph;
  glue.addSoundfile = addSoundfile;
  glue.declare = declareZone;
  return glue;
}

/* Computes `blocks` blocks and prints each output sample. */
static void render(llvm_dsp *dsp, int blocks) {
  static FAUSTFLOAT left[FRAMES], right[FRAMES];
  FAUSTFLOAT *outputs[2] = {left, right};
  int b, i;
  for (b = 0; b < blocks; ++b) {
    computeCDSPInstance(dsp, FRAMES, NULL, outputs);
    for (i = 0; i < FRAMES; ++i)
      printf("sample %d %.9g %.9g\n", b * FRAMES + i, left[i], right[i]);
  }
}

int main(int argc, char **argv) {
  char error[4096];
  int blocks = argc > 1 ? atoi(argv[1]) : 4;
  Recorder recorder = {NULL};
  UIGlue glue = makeGlue(&recorder);
  MetaGlue meta = {NULL, declareMeta};
  llvm_dsp_factory *factory =
      createCDSPFactoryFromString("host", Code, 0, NULL, "", error, -1);
  llvm_dsp *dsp;
  if (!factory) {
    fprintf(stderr, "faust_host: %s\n", error);
    return 1;
  }
  dsp = createCDSPInstance(factory);
  if (!dsp) {
    fprintf(stderr, "faust_host: cannot create an instance\n");
    return 1;
  }
  printf("channels %d in %d out\n", getNumInputsCDSPInstance(dsp),
         getNumOutputsCDSPInstance(dsp));
  initCDSPInstance(dsp, 48000);
  buildUserInterfaceCDSPInstance(dsp, &glue);
  metadataCDSPInstance(dsp, &meta);
  if (!recorder.freq) {
    fprintf(stderr, "faust_host: no 'freq' slider\n");
    return 1;
  }
  *recorder.freq = 1000; /* as a GUI would */
  render(dsp, blocks);
  deleteCDSPInstance(dsp);
  deleteCDSPFactory(factory);
  return 0;
}
