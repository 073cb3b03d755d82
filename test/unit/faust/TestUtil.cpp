// TestUtil: faust detection, compiling, rendering and temp directories.
#include "TestUtil.h"

#include "compiler/FaustCompiler.h"

#include <cmath>
#include <cstdlib>
#include <unistd.h>

namespace kiln::faust::test {

bool haveFaust() {
  std::string bin = faustBinary("");
  if (bin.find('/') != std::string::npos)
    return access(bin.c_str(), X_OK) == 0;
  const char *path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + bin;
    if (access(candidate.c_str(), X_OK) == 0)
      return true;
    start = end + 1;
  }
  return false;
}

std::shared_ptr<Factory> compile(Registry &registry, const std::string &code,
                                 FactoryOptions options) {
  auto factory = registry.createDSPFactoryFromString("test.dsp", code, options);
  EXPECT_TRUE(factory) << kiln::render(factory.diagnostics());
  return factory ? *factory : nullptr;
}

std::unique_ptr<Dsp> instance(Factory &factory) {
  auto dsp = factory.createInstance();
  EXPECT_TRUE(dsp) << kiln::render(dsp.diagnostics());
  return dsp ? std::move(*dsp) : nullptr;
}

drive::Planar renderFrames(::dsp &d, int frames) {
  d.init(drive::kSampleRate);
  return drive::render(d, drive::testSignal(d.getNumInputs(), frames), frames);
}

double maxDiff(const drive::Planar &a, const drive::Planar &b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t c = 0; c < a.size() && c < b.size(); ++c) {
    EXPECT_EQ(a[c].size(), b[c].size());
    for (size_t n = 0; n < a[c].size() && n < b[c].size(); ++n)
      worst = std::max(worst, double(std::fabs(a[c][n] - b[c][n])));
  }
  return worst;
}

TempDir::TempDir() : path(makeTempDir()) {}
TempDir::~TempDir() { removeTempDir(path); }

} // namespace kiln::faust::test
