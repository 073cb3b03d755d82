// arch_render.cpp: Faust architecture file for the g++ reference build.
//
// `faust -lang cpp -a bench/faust/arch_render.cpp X.dsp -o x.cpp` wraps the
// generated `mydsp` class in this file; `g++ -O3 -march=native -I include
// -I bench/faust -I frontends/faust/harness x.cpp -lsndfile` then gives a
// program that renders or times the DSP through frontends/faust/harness/
// Drive.h exactly as `kiln faust render|bench` does, so its output and its
// ns-per-frame are the native C++ reference:
//   x render -o OUT.wav [--seconds S] [--set /path=value]...
//   x bench [--seconds S] [--reps R] [--set /path=value]...
//   x params     (inputs, outputs and one `KIND /path` line per control)

#include <faust/dsp/dsp.h>
#include <faust/gui/UI.h>
#include <faust/gui/meta.h>

#include "Harness.h"

#include <cstdio>
#include <memory>
#include <string>

<< includeIntrinsic >>

    << includeclass >>

    int main(int argc, char **argv) {
  const char *prog = "arch_render";
  kiln::faust::bench::RunOptions o;
  std::string act = argc < 2 ? "" : argv[1];
  if (act != "render" && act != "bench" && act != "params") {
    std::fprintf(stderr,
                 "usage: %s render -o OUT.wav [--seconds S] [--set P=V]... | "
                 "bench [--seconds S] [--reps R] [--set P=V]... | params\n",
                 argv[0]);
    return 2;
  }
  o.action = argv[1];
  return kiln::faust::bench::parseAndRun<mydsp>(argc, argv, 2, o, prog);
}
