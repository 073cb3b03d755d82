// RegistryTest: the SHA-keyed factory table and concurrent creation.
#include "TestUtil.h"

#include <fstream>
#include <thread>

namespace kiln::faust::test {
namespace {

TEST(RegistryTest, SameKeyReturnsTheCachedFactory) {
  REQUIRE_FAUST();
  Registry registry;
  auto a = compile(registry, "process = *(0.5);");
  auto b = compile(registry, "process = *(0.5);");
  ASSERT_TRUE(a);
  EXPECT_EQ(a, b);
  FactoryOptions other;
  other.optLevel = kiln::OptLevel::O1;
  EXPECT_NE(compile(registry, "process = *(0.5);", other), a);
  EXPECT_EQ(registry.getDSPFactoryFromSHAKey(a->shaKey()), a);
  EXPECT_EQ(registry.getAllDSPFactories().size(), 2u);

  EXPECT_TRUE(registry.deleteDSPFactory(a));
  EXPECT_FALSE(registry.deleteDSPFactory(a));
  EXPECT_EQ(registry.getDSPFactoryFromSHAKey(a->shaKey()), nullptr);
  registry.deleteAllDSPFactories();
  EXPECT_TRUE(registry.getAllDSPFactories().empty());
  // Instances outlive the registry's reference to their factory.
  auto dsp = test::instance(*a);
  a.reset();
  auto out = renderFrames(*dsp, 64);
  EXPECT_FLOAT_EQ(out[0][10], drive::testSignal(1, 64)[0][10] * 0.5f);
}

// faust names the DSP, and so its parameter paths, after the file: equal
// text under two names is two factories (b.dsp was served a.dsp's).
TEST(RegistryTest, EqualTextUnderTwoNamesIsTwoFactories) {
  REQUIRE_FAUST();
  Registry registry;
  std::string code = "process = hslider(\"f\", 1, 0, 10, 1);\n", error;
  auto a = registry.createDSPFactoryFromString("a.dsp", code, {}, error);
  auto b = registry.createDSPFactoryFromString("b.dsp", code, {}, error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_NE(a, b);
  EXPECT_EQ(b->name(), "b");
  EXPECT_EQ(test::instance(*b)->paramPaths(), std::vector<std::string>{"/b/f"});
  EXPECT_EQ(registry.createDSPFactoryFromString("a", code, {}, error), a);
}

TEST(RegistryTest, UnknownKeyIsNull) {
  Registry registry;
  EXPECT_EQ(registry.getDSPFactoryFromSHAKey("0123456789abcdef"), nullptr);
  EXPECT_FALSE(registry.deleteDSPFactory(nullptr));
}

TEST(RegistryTest, ConcurrentCreationFromEightThreads) {
  REQUIRE_FAUST();
  Registry registry;
  // Four programs, each asked for by two threads at once.
  std::vector<std::shared_ptr<Factory>> got(8);
  std::vector<std::string> errors(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::string code = "process = *(" + std::to_string(t % 4 + 1) + ");";
      got[t] =
          registry.createDSPFactoryFromString("t.dsp", code, {}, errors[t]);
      if (got[t]) {
        auto dsp = test::instance(*got[t]);
        renderFrames(*dsp, 512);
      }
    });
  for (auto &t : threads)
    t.join();
  for (int t = 0; t < 8; ++t) {
    ASSERT_TRUE(got[t]) << errors[t];
    EXPECT_EQ(got[t], got[(t + 4) % 8]) << "one factory per key";
    auto out = renderFrames(*test::instance(*got[t]), 16);
    EXPECT_FLOAT_EQ(out[0][5],
                    drive::testSignal(1, 16)[0][5] * float(t % 4 + 1));
  }
  EXPECT_EQ(registry.getAllDSPFactories().size(), 4u);
}

} // namespace
} // namespace kiln::faust::test

namespace kiln::faust::test {
namespace {

float firstSample(Factory &factory) {
  return renderFrames(*test::instance(factory), 4)[0][0];
}

TEST(RegistryTest, DiskCacheReusesFactoriesUntilALibraryChanges) {
  REQUIRE_FAUST();
  TempDir dir;
  std::ofstream(dir.path + "/mylib.lib") << "k = 1;\n";
  std::ofstream(dir.path + "/main.dsp")
      << "import(\"mylib.lib\");\nprocess = k;\n";
  FactoryOptions options;
  options.cache = true;
  std::string error;
  auto build = [&](core::PhaseTimings &timings) {
    options.timings = &timings;
    Registry registry; // a fresh table: only the disk can answer
    auto f = registry.createDSPFactoryFromFile(dir.path + "/main.dsp", options,
                                               error);
    EXPECT_TRUE(f) << error;
    return f;
  };
  core::PhaseTimings first, second, third;
  auto a = build(first);
  ASSERT_TRUE(a);
  EXPECT_GT(first.get("faust"), 0.0) << "the first build runs faust";
  EXPECT_EQ(firstSample(*a), 1.0f);
  auto b = build(second);
  ASSERT_TRUE(b);
  EXPECT_EQ(second.get("faust"), 0.0) << "a cache hit runs no faust";
  EXPECT_EQ(b->shaKey(), a->shaKey());
  EXPECT_TRUE(b->writeBitcode().empty());
  EXPECT_EQ(firstSample(*b), 1.0f);
  std::ofstream(dir.path + "/mylib.lib") << "k = 2;\n";
  auto c = build(third);
  ASSERT_TRUE(c);
  EXPECT_GT(third.get("faust"), 0.0) << "a changed library is a miss";
  EXPECT_EQ(firstSample(*c), 2.0f);
}

} // namespace
} // namespace kiln::faust::test
