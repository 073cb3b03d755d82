// aot_main.cpp: the Kiln AOT benchmark program. Linked with the object file
// of `kiln faust compile X.dsp --emit=obj` (class `mydsp`), it renders or
// times the DSP through frontends/faust/harness/Drive.h like the other
// references:
//   x render -o OUT.wav [--seconds S] [--set /path=value]...
//   x bench [--seconds S] [--reps R]
//
// The object defines Faust's LLVM-module C entry points (allocatemydsp,
// computemydsp, getJSONmydsp...); libfaust's own adapter header wraps them
// in a `dsp`, exactly as a libfaust user would embed a precompiled DSP, so
// the program needs no LLVM and no Kiln library at run time.

#include <string.h> // strdup, which the adapter uses without including it

#include <faust/dsp/llvm-dsp-adapter.h>

#include "Harness.h"

#include <cstdio>
#include <memory>
#include <string>

int main(int argc, char **argv) {
  const char *prog = "aot_main";
  std::string act = argc < 2 ? "" : argv[1];
  if (act != "render" && act != "bench" && act != "params") {
    std::fprintf(stderr,
                 "usage: %s render -o OUT.wav [--seconds S] [--set P=V]... | "
                 "bench [--seconds S] [--reps R] | params\n",
                 argv[0]);
    return 2;
  }
  kiln::faust::bench::RunOptions o;
  o.action = act;
  return kiln::faust::bench::parseAndRun<mydsp>(argc, argv, 2, o, prog);
}
