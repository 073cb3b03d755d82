// BenchFile: candidates, trials and the timed runs of `kiln faust bench`.
#include "BenchFile.h"

#include "kiln/faust/Faust.h"

#include <algorithm>
#include <chrono>

namespace kiln::faust::host {

namespace {

/// One mode of the bench: its factory, creation time and an instance.
struct Candidate {
  std::shared_ptr<Factory> factory;
  std::unique_ptr<Dsp> dsp;
  double ms = 0;
  bool vec = false;
  double bestNs = 1e300; ///< fastest trial
};

/// Creates the factory (in a fresh registry) and its first instance, timed.
kiln::Status makeCandidate(const BenchJob &job, bool vec, Candidate &c) {
  Registry registry;
  FactoryOptions options = job.options;
  if (vec)
    options.args.push_back("-vec");
  c.vec = vec;
  auto t0 = std::chrono::steady_clock::now();
  auto factory = registry.createDSPFactoryFromFile(job.file, options);
  if (!factory)
    return factory.takeDiagnostics();
  auto dsp = (*factory)->createInstance();
  c.ms = std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - t0)
             .count();
  if (!dsp)
    return dsp.takeDiagnostics();
  c.factory = std::move(*factory);
  c.dsp = std::move(*dsp);
  return {};
}

} // namespace

kiln::Expected<BenchReport> benchFile(const BenchJob &job) {
  std::vector<Candidate> candidates;
  for (bool vec : job.modes) {
    Candidate c;
    if (kiln::Status made = makeCandidate(job, vec, c); !made)
      return made.takeDiagnostics();
    c.dsp->init(drive::kSampleRate);
    candidates.push_back(std::move(c));
  }
  // Short trials, interleaved so a load spike on a shared machine hits
  // both modes; each keeps its fastest.
  for (int round = 0; candidates.size() > 1 && round < 4; ++round)
    for (Candidate &c : candidates)
      c.bestNs = std::min(c.bestNs, drive::bench(*c.dsp, 0.05, 1).nsPerFrame);
  Candidate &best =
      *std::min_element(candidates.begin(), candidates.end(),
                        [](const Candidate &a, const Candidate &b) {
                          return a.bestNs < b.bestNs;
                        });
  best.dsp->init(drive::kSampleRate);
  return BenchReport{best.ms, drive::bench(*best.dsp, job.seconds, job.reps),
                     best.vec};
}

kiln::Expected<double> warmFactoryMs(const BenchJob &job, bool vec, int count) {
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    Candidate c;
    if (kiln::Status made = makeCandidate(job, vec, c); !made)
      return made.takeDiagnostics();
    ms.push_back(c.ms);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

} // namespace kiln::faust::host
