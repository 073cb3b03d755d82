// load_bench.cpp: kiln_faust_load, the time to load Kiln machine code
// (`kiln faust compile --emit=machine`) into a callable DSP.
//
// `kiln faust bench` times the factory from source (faust subprocess + O3 +
// JIT); an embedder that ships precompiled machine code pays only this load.
// The first load in a process is the cold figure a host sees at start-up;
// later loads (fresh Registry each time) show the warm cost. With -o, the
// loaded DSP also renders (as `kiln faust render`) so the benchmark can check
// that the loaded code computes the right thing.
//   kiln_faust_load X.kfm [--reps R] [-o OUT.wav [--seconds S] [--set P=V]...]

#include "Harness.h"
#include "kiln/faust/Faust.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

const char *kProg = "kiln_faust_load";

/// Loads `path` into a fresh Registry and creates one instance; the time in
/// ms, or a negative value with `error` set (the diagnostic's message).
double loadOnce(const std::string &path, std::unique_ptr<kiln::faust::Dsp> &dsp,
                std::string &error) {
  auto t0 = std::chrono::steady_clock::now();
  kiln::faust::Registry registry;
  auto factory = registry.readDSPFactoryFromMachineFile(path);
  if (!factory) {
    error = factory.diagnostics()[0].message;
    return -1;
  }
  auto instance = (*factory)->createInstance();
  if (!instance) {
    error = instance.diagnostics()[0].message;
    return -1;
  }
  dsp = std::move(*instance);
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  std::string path;
  kiln::faust::bench::RunOptions o;
  o.reps = 7;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!a.empty() && a[0] != '-' && path.empty()) {
      path = a;
      continue;
    }
    std::string err = kiln::faust::bench::parseRunFlag(argc, argv, i, o);
    if (!err.empty()) {
      std::fprintf(stderr, "%s: error: %s\n", kProg, err.c_str());
      return 2;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr,
                 "usage: %s X.kfm [--reps R] [-o OUT.wav [--seconds S]]\n",
                 kProg);
    return 2;
  }
  std::string error;
  std::unique_ptr<kiln::faust::Dsp> dsp;
  std::vector<double> warm;
  double cold = loadOnce(path, dsp, error);
  for (int r = 0; r < o.reps && cold >= 0; ++r) {
    std::unique_ptr<kiln::faust::Dsp> again;
    double ms = loadOnce(path, again, error);
    if (ms < 0)
      cold = ms;
    warm.push_back(ms);
  }
  if (cold < 0) {
    std::fprintf(stderr, "%s: error: %s\n", kProg, error.c_str());
    return 1;
  }
  std::sort(warm.begin(), warm.end());
  std::printf("load-ms: %.3f\nload-warm-ms: %.3f (min %.3f, max %.3f)\n", cold,
              warm[warm.size() / 2], warm.front(), warm.back());
  if (o.outPath.empty())
    return 0;
  o.action = "render";
  return kiln::faust::bench::runAction(*dsp, o, kProg);
}
