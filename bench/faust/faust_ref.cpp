// faust_ref.cpp: kiln_faust_ref, the libfaust reference (LLVM backend and
// interpreter) for the Faust benchmarks and the equivalence checks.
//
// It links only Debian's libfaust (which carries its own LLVM 14) and
// libsndfile, never kiln_core: two LLVMs in one process would clash, and
// the reference must be measured as libfaust users run it. It drives the
// DSP through frontends/faust/harness/Drive.h, like `kiln faust
// render|bench` and the g++
// harness, so outputs and ns-per-frame figures compare directly:
//   kiln_faust_ref bench  --backend llvm|interp X.dsp [--seconds S] [--reps R]
//   [-- faust args] kiln_faust_ref render --backend llvm|interp X.dsp -o
//   OUT.wav [--seconds S] [-- faust args]
// `--factories N` creates the factory N times in the process (each deleted
// before the next, so libfaust's own cache cannot answer) and also prints
// the median of creations 2..N as `factory-warm-ms`.

#include "Harness.h"

#include <faust/dsp/interpreter-dsp.h>
#include <faust/dsp/llvm-dsp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

const char *kProg = "kiln_faust_ref";

struct Args {
  kiln::faust::bench::RunOptions run;
  std::string backend, dsp;
  std::vector<const char *> faustArgs;
  int factories =
      1; ///< --factories N: N creations, the later ones timed as warm
};

int usage() {
  std::fprintf(
      stderr,
      "usage: %s bench|render --backend llvm|interp X.dsp [-o OUT.wav] "
      "[--seconds S] [--reps R] [--set P=V]... [--factories N] [-- faust "
      "args]\n",
      kProg);
  return 2;
}

/// Parses the command line; returns "" or the error message.
std::string parseArgs(int argc, char **argv, Args &a) {
  a.run.action = argv[1];
  if (a.run.action != "bench" && a.run.action != "render")
    return "unknown action '" + a.run.action + "' (use bench or render)";
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--") {
      a.faustArgs.assign(argv + i + 1, argv + argc);
      break;
    }
    if (s == "--backend") {
      if (i + 1 >= argc)
        return "--backend needs llvm or interp";
      a.backend = argv[++i];
      if (a.backend != "llvm" && a.backend != "interp")
        return "unknown backend '" + a.backend + "' (use llvm or interp)";
    } else if (s == "--factories") {
      char *end = nullptr;
      long n = i + 1 < argc ? std::strtol(argv[i + 1], &end, 10) : 0;
      if (i + 1 >= argc || *end || n < 1 || n > 1000)
        return "--factories needs an integer in [1, 1000]";
      a.factories = int(n);
      ++i;
    } else if (!s.empty() && s[0] != '-') {
      if (!a.dsp.empty())
        return "more than one .dsp file";
      a.dsp = s;
    } else {
      std::string err = kiln::faust::bench::parseRunFlag(argc, argv, i, a.run);
      if (!err.empty())
        return err;
    }
  }
  if (a.backend.empty())
    return "--backend llvm|interp is required";
  if (a.dsp.empty())
    return "no .dsp file";
  if (a.run.action == "render" && a.run.outPath.empty())
    return "render needs -o OUT.wav";
  return "";
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

/// Reports a failed factory creation (libfaust's message, which already
/// names the file and line, or a fallback when it gave none).
int compileError(const Args &a, std::string err) {
  while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
    err.pop_back();
  if (err.empty())
    err = a.dsp + ": libfaust could not compile it (no message)";
  std::fprintf(stderr, "%s: error: %s\n", kProg, err.c_str());
  return 1;
}

/// Creations 2..N of `--factories N` (factory + first instance, freed each
/// time); prints their median as `factory-warm-ms`.
template <class Make, class Release>
int timeWarm(const Args &a, std::string &err, Make make, Release release) {
  std::vector<double> ms;
  for (int i = 1; i < a.factories; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto *factory = make();
    if (!factory)
      return compileError(a, err);
    delete factory->createDSPInstance();
    ms.push_back(msSince(t0));
    release(factory);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("factory-warm-ms: %.3f\n", ms[ms.size() / 2]);
  return 0;
}

/// Times `make()` (the factory) and its first instance, prints both, runs
/// the action on the instance, then frees both with `release`.
template <class Make, class Release>
int timeAndRun(const Args &a, std::string &err, Make make, Release release) {
  auto t0 = std::chrono::steady_clock::now();
  auto *factory = make();
  double factoryMs = msSince(t0);
  if (!factory)
    return compileError(a, err);
  auto t1 = std::chrono::steady_clock::now();
  std::unique_ptr<::dsp> d(factory->createDSPInstance());
  double instanceMs = msSince(t1);
  std::printf("factory-ms: %.3f\ninstance-ms: %.3f\n", factoryMs, instanceMs);
  int rc = kiln::faust::bench::runAction(*d, a.run, kProg);
  d.reset(); // instances before their factory
  release(factory);
  if (rc == 0 && a.factories > 1)
    return timeWarm(a, err, make, release);
  return rc;
}

/// Creates the factory with the chosen backend and runs the action.
int runBackend(const Args &a) {
  std::string err;
  // Like `faust X.dsp`, components and imports relative to the DSP resolve.
  std::string dir = a.dsp.find('/') == std::string::npos
                        ? "."
                        : a.dsp.substr(0, a.dsp.rfind('/'));
  std::vector<const char *> args = {"-I", dir.c_str()};
  args.insert(args.end(), a.faustArgs.begin(), a.faustArgs.end());
  int argc = int(args.size());
  const char **argv = args.data();
  if (a.backend == "llvm")
    return timeAndRun(
        a, err,
        [&] {
          return createDSPFactoryFromFile(a.dsp, argc, argv, "", err, -1);
        },
        [](llvm_dsp_factory *f) { deleteDSPFactory(f); });
  return timeAndRun(
      a, err,
      [&] {
        return createInterpreterDSPFactoryFromFile(a.dsp, argc, argv, err);
      },
      [](interpreter_dsp_factory *f) { deleteInterpreterDSPFactory(f); });
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  Args a;
  std::string err = parseArgs(argc, argv, a);
  if (!err.empty()) {
    std::fprintf(stderr, "%s: error: %s\n", kProg, err.c_str());
    return 2;
  }
  if (FILE *f = std::fopen(a.dsp.c_str(), "r"))
    std::fclose(f);
  else {
    std::fprintf(stderr, "%s: error: cannot read '%s'\n", kProg, a.dsp.c_str());
    return 1;
  }
  return runBackend(a);
}
