// Harness: the command line and the render/bench actions shared by the two
// Faust reference programs (the g++ architecture file and kiln_faust_ref).
//
// Both references must accept the same flags as `kiln faust render|bench`
// and print the same machine-readable lines, so that bench/faust_report.py
// and the equivalence corpus drive every implementation the same way. The
// DSP is fed and timed only through frontends/faust/harness/Drive.h.
#pragma once

#include "WavFile.h"

#include <faust/gui/MapUI.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kiln::faust::bench {

/// MapUI that also remembers each control's kind and full path, for the
/// `params` action (the corpus runner holds every button down).
class ParamListUI : public MapUI {
public:
  std::vector<std::pair<const char *, std::string>> items; ///< (kind, path)
  void addButton(const char *l, FAUSTFLOAT *z) override { add("button", l, z); }
  void addCheckButton(const char *l, FAUSTFLOAT *z) override {
    add("checkbox", l, z);
  }
  void addVerticalSlider(const char *l, FAUSTFLOAT *z, FAUSTFLOAT i,
                         FAUSTFLOAT lo, FAUSTFLOAT hi, FAUSTFLOAT s) override {
    add("slider", l, z);
  }
  void addHorizontalSlider(const char *l, FAUSTFLOAT *z, FAUSTFLOAT i,
                           FAUSTFLOAT lo, FAUSTFLOAT hi,
                           FAUSTFLOAT s) override {
    add("slider", l, z);
  }
  void addNumEntry(const char *l, FAUSTFLOAT *z, FAUSTFLOAT i, FAUSTFLOAT lo,
                   FAUSTFLOAT hi, FAUSTFLOAT s) override {
    add("nentry", l, z);
  }

private:
  void add(const char *kind, const char *label, FAUSTFLOAT *zone) {
    MapUI::addButton(label, zone); // registers the path the same way
    items.emplace_back(kind, buildPath(label));
  }
};

/// What to do with a DSP, from the flags after the action word.
struct RunOptions {
  std::string action;  ///< "render", "bench" or "params"
  std::string outPath; ///< render: -o (bench -o: also render 2 s there first)
  double seconds = -1; ///< --seconds (default: render 2, bench 1)
  int reps = 7;        ///< bench: --reps
  std::vector<std::pair<std::string, float>> sets; ///< --set /path=value
};

/// Parses one flag at argv[i] into `o`, advancing `i` past its value.
/// Returns an error message, or "" when the flag was understood.
inline std::string parseRunFlag(int argc, char **argv, int &i, RunOptions &o) {
  std::string a = argv[i];
  const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
  char *end = nullptr;
  if (a == "-o" || a == "--seconds" || a == "--reps" || a == "--set") {
    if (!v)
      return a + " needs a value";
    ++i;
  }
  if (a == "-o") {
    o.outPath = v;
  } else if (a == "--seconds") {
    o.seconds = std::strtod(v, &end);
    if (*end || end == v || !(o.seconds > 0 && o.seconds <= 3600))
      return "--seconds needs a number in (0, 3600]";
  } else if (a == "--reps") {
    long n = std::strtol(v, &end, 10);
    if (*end || end == v || n < 1 || n > 1000)
      return "--reps needs an integer in [1, 1000]";
    o.reps = int(n);
  } else if (a == "--set") {
    const char *eq = std::strchr(v, '=');
    if (!eq || eq == v)
      return "--set needs PATH=VALUE";
    float x = std::strtof(eq + 1, &end);
    if (*end || end == eq + 1)
      return std::string("--set ") + v + ": the value is not a number";
    o.sets.emplace_back(std::string(v, eq), x);
  } else {
    return "unknown option '" + a + "'";
  }
  return "";
}

/// init(44100)s `d`, applies --set, then renders to a WAV, benchmarks it
/// (printing `ns-per-frame: MEDIAN (min MIN, max MAX)`; controls at their
/// defaults, as `kiln faust bench`) or lists its input controls (`KIND PATH`
/// lines). Returns an exit status.
inline int runAction(::dsp &d, const RunOptions &o, const char *prog) {
  d.init(drive::kSampleRate);
  ParamListUI ui;
  d.buildUserInterface(&ui);
  if (o.action == "params") {
    std::printf("inputs: %d\noutputs: %d\n", d.getNumInputs(),
                d.getNumOutputs());
    for (auto &[kind, path] : ui.items)
      std::printf("%s %s\n", kind, path.c_str());
    return 0;
  }
  for (auto &[path, value] : o.sets) {
    FAUSTFLOAT *zone = ui.getParamZone(path);
    if (!zone) {
      std::fprintf(stderr, "%s: error: no parameter '%s'\n", prog,
                   path.c_str());
      return 1;
    }
    *zone = value;
  }
  if (o.action == "bench" && !o.outPath.empty()) {
    // bench -o: render first (the output check), then time from a fresh init.
    RunOptions r = o;
    r.action = "render";
    r.seconds = 2.0;
    if (int rc = runAction(d, r, prog))
      return rc;
    d.init(drive::kSampleRate);
  }
  if (o.action == "bench") {
    drive::BenchResult r =
        drive::bench(d, o.seconds > 0 ? o.seconds : 1.0, o.reps);
    std::printf("ns-per-frame: %.3f (min %.3f, max %.3f)\n", r.nsPerFrame,
                r.minNs, r.maxNs);
    return 0;
  }
  if (d.getNumOutputs() == 0) {
    std::fprintf(stderr, "%s: error: the DSP has no outputs\n", prog);
    return 1;
  }
  int frames =
      int(std::lround((o.seconds > 0 ? o.seconds : 2.0) * drive::kSampleRate));
  drive::Planar in = drive::testSignal(d.getNumInputs(), frames);
  std::string err = writeWav(o.outPath, drive::render(d, in, frames));
  if (!err.empty()) {
    std::fprintf(stderr, "%s: error: %s\n", prog, err.c_str());
    return 1;
  }
  return 0;
}

/// The rest of a reference program's main: parses argv[first..] into `o`
/// (usage errors: a line on stderr, status 2), then runs it on a Dsp made on
/// the heap (a DSP with long delay lines is larger than the stack).
template <typename Dsp>
int parseAndRun(int argc, char **argv, int first, RunOptions &o,
                const char *prog) {
  for (int i = first; i < argc; ++i) {
    std::string err = parseRunFlag(argc, argv, i, o);
    if (!err.empty()) {
      std::fprintf(stderr, "%s: error: %s\n", prog, err.c_str());
      return 2;
    }
  }
  if (o.action == "render" && o.outPath.empty()) {
    std::fprintf(stderr, "%s: error: render needs -o OUT.wav\n", prog);
    return 2;
  }
  auto d = std::make_unique<Dsp>();
  return runAction(*d, o, prog);
}

} // namespace kiln::faust::bench
