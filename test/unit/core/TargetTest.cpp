// TargetTest: host detection, triples and the target list.
#include "TestUtil.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Target.h"

#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace kiln;

namespace {

TEST(Target, HostNamesTheMachineWeRunOn) {
  core::TargetSpec host = core::hostTarget();
  EXPECT_FALSE(host.triple.empty());
  EXPECT_EQ(host.triple, llvm::sys::getProcessTriple());
  EXPECT_FALSE(host.cpu.empty());
  EXPECT_TRUE(host.isHost);
#if defined(__x86_64__)
  EXPECT_EQ(host.triple.rfind("x86_64", 0), 0u);
  EXPECT_NE(host.features.find("+sse2"), std::string::npos) << host.features;
#if defined(__AVX2__)
  EXPECT_NE(host.features.find("+avx2"), std::string::npos) << host.features;
#endif
#endif
}

TEST(Target, CrossTriplesAreNormalised) {
  auto spec = core::targetFromTriple("aarch64-linux-gnu");
  ASSERT_TRUE(bool(spec));
  EXPECT_EQ(spec->triple, "aarch64-unknown-linux-gnu");
  EXPECT_FALSE(spec->isHost);
  auto tm = core::createTargetMachine(*spec, core::OptLevel::O2);
  ASSERT_TRUE(bool(tm));
  EXPECT_EQ((*tm)->getTargetTriple().getArchName(), "aarch64");
}

TEST(Target, UnknownTripleIsAClearError) {
  auto spec = core::targetFromTriple("pdp11-unknown-none");
  ASSERT_FALSE(bool(spec));
  EXPECT_EQ(test::errorText(spec.takeError()),
            "error: unknown target triple 'pdp11-unknown-none' (run `kiln "
            "targets` for the supported ones)");
}

TEST(Target, ListsRegisteredTargets) {
  auto targets = core::listTargets();
  auto has = [&](const std::string &name) {
    for (auto &t : targets)
      if (t.name == name)
        return true;
    return false;
  };
  EXPECT_TRUE(has("x86-64"));
  EXPECT_TRUE(has("aarch64"));
  EXPECT_TRUE(has("riscv64"));
}

} // namespace
