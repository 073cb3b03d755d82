// kiln_soak: does memory stay flat when a long-running host compiles, calls
// and removes code for hours? (issue 15, "Soak").
//
// Each part (SoakParts.cpp) builds one engine and runs N compile -> call ->
// remove cycles on it, sampling resident memory (VmRSS) and the malloc heap
// in use every K cycles. After a warm-up (the first 20 % by default) a
// least-squares line through the samples gives the growth in KiB per 1,000
// cycles; a part whose RSS slope exceeds --limit (--faust-limit), or whose
// heap slope exceeds --heap-limit, fails the run (exit 1).
// The anchor: numba's MCJIT keeps ~32 KiB per compile (numba #5976), i.e.
// ~32,000 KiB per 1,000 cycles; Kiln's target is no growth beyond noise.
//
//   kiln_soak [--ir N] [--relay N] [--relay-run N] [--tensor N] [--faust N]
//             [--every K] [--faust-every K] [--warmup F] [--limit KIB]
//             [--faust-limit KIB] [--heap-limit KIB] [--leak]
// --leak removes nothing (IR, tensor and Faust parts): the check that the
// soak sees growth, and the "removal disabled" comparison.
#include "Soak.h"

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace kiln::soak;

namespace {

struct Options {
  int ir = 10000, relay = 10000, relayRun = 10000, tensor = 10000, faust = 1000;
  int every = 500, faustEvery = 50;
  double warmup = 0.2;
  double limit = 1024;      ///< KiB per 1,000 cycles
  double faustLimit = 4096; ///< KiB per 1,000 factories
  /// KiB per 1,000 cycles of bytes in use by malloc: far less noisy than
  /// RSS (page-sized steps), so it catches small leaks RSS would hide.
  double heapLimit = 32;
  bool leak = false; ///< remove nothing (ir, tensor, faust only)
};

struct Sample {
  int cycle;
  double rssKiB, heapKiB;
};

/// VmRSS from /proc/self/status, in KiB (0 when unreadable).
double rssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atof(line.c_str() + 6);
  return 0;
}

/// Bytes malloc has handed out and not had back (all arenas + mmapped).
double heapKiB() {
  struct mallinfo2 mi = mallinfo2();
  return double(mi.uordblks + mi.hblkhd) / 1024;
}

/// Least-squares slope of `y` over cycle, per 1,000 cycles, for the samples
/// at or after `from`.
double slopePer1000(const std::vector<Sample> &samples, int from,
                    double Sample::*y) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const Sample &s : samples) {
    if (s.cycle < from)
      continue;
    n += 1, sx += s.cycle, sy += s.*y;
    sxx += double(s.cycle) * s.cycle, sxy += s.cycle * (s.*y);
  }
  double d = n * sxx - sx * sx;
  return n < 2 || d == 0 ? 0 : 1000 * (n * sxy - sx * sy) / d;
}

struct Outcome {
  bool ran = false, withinLimit = true;
};

/// The samples and slopes of one part, as the report shows them; a slope
/// over its limit fails the part.
Outcome report(const Part &part, const std::vector<Sample> &samples, int cycles,
               int warmup, double seconds, double limit, double heapLimit) {
  double rss = slopePer1000(samples, warmup, &Sample::rssKiB);
  double heap = slopePer1000(samples, warmup, &Sample::heapKiB);
  const Sample *atWarmup = &samples.front();
  for (const Sample &s : samples)
    if (s.cycle <= warmup)
      atWarmup = &s;
  std::printf(
      "%s: RSS %.0f KiB at start, %.0f after warm-up (cycle %d), %.0f at "
      "end (%d cycles, %.1f s, %.2f ms/cycle)\n",
      part.name, samples.front().rssKiB, atWarmup->rssKiB, atWarmup->cycle,
      samples.back().rssKiB, cycles, seconds, 1000 * seconds / cycles);
  std::printf("%s: slope after warm-up, KiB per 1000 cycles: RSS %+.1f (limit "
              "%.0f), malloc heap %+.1f (limit %.0f)\n",
              part.name, rss, limit, heap, heapLimit);
  Outcome o;
  o.ran = true;
  o.withinLimit = rss <= limit && heap <= heapLimit;
  if (rss > limit)
    std::printf(
        "%s: FAIL: resident memory grows %.1f KiB per 1000 cycles after "
        "warm-up (limit %.0f)\n",
        part.name, rss, limit);
  if (heap > heapLimit)
    std::printf(
        "%s: FAIL: the malloc heap grows %.1f KiB per 1000 cycles after "
        "warm-up (limit %.0f)\n",
        part.name, heap, heapLimit);
  std::fflush(stdout);
  return o;
}

/// Runs `cycles` cycles, sampling every `every`; "" or the first failure.
std::string runCycles(const Cycle &cycle, int cycles, int every,
                      std::vector<Sample> &samples) {
  samples = {{0, rssKiB(), heapKiB()}};
  std::printf("%8s %12s %12s\n%8d %12.0f %12.0f\n", "cycle", "rss KiB",
              "heap KiB", 0, samples[0].rssKiB, samples[0].heapKiB);
  for (int i = 1; i <= cycles; ++i) {
    if (std::string err = cycle(i); !err.empty())
      return "at cycle " + std::to_string(i) + ": " + err;
    if (i % every == 0 || i == cycles) {
      samples.push_back({i, rssKiB(), heapKiB()});
      std::printf("%8d %12.0f %12.0f\n", i, samples.back().rssKiB,
                  samples.back().heapKiB);
      std::fflush(stdout);
    }
  }
  return "";
}

Outcome soak(const Part &part, int cycles, int every, const Options &o,
             double limit) {
  if (cycles <= 0)
    return {};
  std::printf("== %s: %d cycles of: %s%s; sample every %d\n", part.name, cycles,
              part.what, o.leak ? " (--leak: nothing removed)" : "", every);
  Hold hold;
  hold.leak = o.leak;
  std::string error;
  Cycle cycle = part.make(hold, error);
  std::vector<Sample> samples;
  auto start = std::chrono::steady_clock::now();
  if (!cycle)
    error = "cannot create the engine: " + error;
  else
    error = runCycles(cycle, cycles, every, samples);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  cycle = nullptr;
  while (!hold.objects.empty()) // units before the engine that made them
    hold.objects.pop_back();
  if (!error.empty()) {
    std::printf("%s: FAIL %s\n", part.name, error.c_str());
    return {true, false};
  }
  return report(part, samples, cycles, int(cycles * o.warmup), seconds, limit,
                o.heapLimit);
}

bool parse(int argc, char **argv, Options &o) {
  struct Flag {
    const char *name;
    int *count;
    double *real;
  } flags[] = {{"--ir", &o.ir, nullptr},
               {"--relay", &o.relay, nullptr},
               {"--relay-run", &o.relayRun, nullptr},
               {"--tensor", &o.tensor, nullptr},
               {"--faust", &o.faust, nullptr},
               {"--every", &o.every, nullptr},
               {"--faust-every", &o.faustEvery, nullptr},
               {"--warmup", nullptr, &o.warmup},
               {"--limit", nullptr, &o.limit},
               {"--faust-limit", nullptr, &o.faustLimit},
               {"--heap-limit", nullptr, &o.heapLimit}};
  for (int i = 1; i < argc; i += 2) {
    if (std::strcmp(argv[i], "--leak") == 0) {
      o.leak = true;
      --i;
      continue;
    }
    Flag *flag = nullptr;
    for (Flag &f : flags)
      if (std::strcmp(argv[i], f.name) == 0)
        flag = &f;
    char *end = nullptr;
    double value = i + 1 < argc ? std::strtod(argv[i + 1], &end) : 0;
    if (!flag || !end || *end || value < 0 || (flag->count && value > 1e8)) {
      std::fprintf(stderr,
                   "kiln_soak: bad option '%s' (see the head of "
                   "test/soak/Soak.cpp)\n",
                   argv[i]);
      return false;
    }
    if (flag->count)
      *flag->count = int(value);
    else
      *flag->real = value;
  }
  if (o.every < 1 || o.faustEvery < 1 || o.warmup >= 1) {
    std::fprintf(stderr, "kiln_soak: --every must be >= 1 and --warmup < 1\n");
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse(argc, argv, o))
    return 2;
  if (o.leak && (o.relay || o.relayRun)) // see makeRelay
    std::printf("kiln_soak: --leak skips the relay parts\n");
  if (o.leak)
    o.relay = o.relayRun = 0;
  Outcome outcomes[] = {
      soak(irPart(), o.ir, o.every, o, o.limit),
      soak(relayPart(), o.relay, o.every, o, o.limit),
      soak(relayRunPart(), o.relayRun, o.every, o, o.limit),
      soak(tensorPart(), o.tensor, o.every, o, o.limit),
      soak(faustPart(), o.faust, o.faustEvery, o, o.faustLimit)};
  bool ok = true;
  for (const Outcome &out : outcomes)
    ok &= out.withinLimit;
  std::printf("kiln_soak: %s\n",
              ok ? "memory flat after warm-up in every part" : "FAILED");
  return ok ? 0 : 1;
}
