// TestUtil: shared helpers for the Faust adapter's unit tests.
#pragma once

#include "Drive.h"
#include "kiln/faust/Faust.h"

#include <gtest/gtest.h>

#include <string>

namespace kiln::faust::test {

/// True when the faust compiler can be run (Debian's faust package).
bool haveFaust();

/// Skips the test, saying why, when faust is missing.
#define REQUIRE_FAUST()                                                        \
  do {                                                                         \
    if (!::kiln::faust::test::haveFaust())                                     \
      GTEST_SKIP() << "the `faust` compiler is not on PATH (install Debian's " \
                      "faust package)";                                        \
  } while (0)

/// A factory from source text; fails the test (with faust's message) if null.
std::shared_ptr<Factory> compile(Registry &registry, const std::string &code,
                                 FactoryOptions options = {});

/// A new instance of `factory`; fails the test (with the diagnostics) and
/// returns null when there is none.
std::unique_ptr<Dsp> instance(Factory &factory);

/// init(44100), then `frames` of output for the deterministic test signal.
drive::Planar renderFrames(::dsp &d, int frames);

/// Largest absolute difference between two renders of the same shape.
double maxDiff(const drive::Planar &a, const drive::Planar &b);

/// A private temporary directory, removed with its files.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

} // namespace kiln::faust::test
