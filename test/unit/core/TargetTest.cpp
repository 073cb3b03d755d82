// TargetTest: host detection, triples and the target list.
#include "TestUtil.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Target.h"

#include "llvm/IR/Function.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>

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

// `--cpu notacpu|i386|cortex-a72` and friends aborted in LLVM ("64-bit code
// requested on a subtarget that doesn't support it", "RV64 target requires
// an RV64 CPU") once a TargetMachine existed; they are refused first.
TEST(Target, UnknownOrWrongWidthCpuIsAClearError) {
  struct Case {
    const char *triple, *cpu, *message;
  } cases[] = {
      {"x86_64-linux-gnu", "notacpu",
       "error: unknown CPU 'notacpu' for target 'x86_64-unknown-linux-gnu' "
       "(run `kiln targets x86_64-unknown-linux-gnu` for its CPUs)"},
      {"x86_64-linux-gnu", "i386",
       "error: CPU 'i386' is not a 64-bit CPU, so it cannot run code for "
       "target 'x86_64-unknown-linux-gnu' (run `kiln targets "
       "x86_64-unknown-linux-gnu` for its CPUs)"},
      {"x86_64-linux-gnu", "cortex-a72",
       "error: unknown CPU 'cortex-a72' for target 'x86_64-unknown-linux-gnu' "
       "(run `kiln targets x86_64-unknown-linux-gnu` for its CPUs)"},
      {"riscv64-linux-gnu", "notacpu",
       "error: unknown CPU 'notacpu' for target 'riscv64-unknown-linux-gnu' "
       "(run `kiln targets riscv64-unknown-linux-gnu` for its CPUs)"},
      {"riscv64-linux-gnu", "sifive-e31",
       "error: CPU 'sifive-e31' is not a 64-bit CPU, so it cannot run code for "
       "target 'riscv64-unknown-linux-gnu' (run `kiln targets "
       "riscv64-unknown-linux-gnu` for its CPUs)"},
  };
  for (const Case &c : cases) {
    auto spec = core::targetFromTriple(c.triple, c.cpu);
    ASSERT_FALSE(bool(spec)) << c.triple << " " << c.cpu;
    EXPECT_EQ(test::errorText(spec.takeError()), c.message);
  }
  EXPECT_TRUE(bool(core::targetFromTriple("aarch64-linux-gnu", "cortex-a72")));
  EXPECT_TRUE(bool(core::targetFromTriple("riscv64-linux-gnu", "sifive-u74")));
  EXPECT_TRUE(bool(core::targetFromTriple("i686-linux-gnu", "i386")));
}

// The tensor AOT path copies the host spec and swaps the CPU name, never
// calling targetFromTriple: createTargetMachine checks too.
TEST(Target, CreateTargetMachineChecksTheCpu) {
  core::TargetSpec spec = core::hostTarget();
  spec.cpu = "notacpu";
  spec.features = "";
  auto tm = core::createTargetMachine(spec, core::OptLevel::O2);
  ASSERT_FALSE(bool(tm));
  EXPECT_NE(test::errorText(tm.takeError()).find("unknown CPU 'notacpu'"),
            std::string::npos);
}

TEST(Target, CpuAloneHasOnlyItsOwnFeatures) {
  auto host = core::hostTarget();
  auto spec = core::targetFromTriple(host.triple, "generic");
  ASSERT_TRUE(bool(spec));
  EXPECT_EQ(spec->features, "");
  EXPECT_FALSE(spec->isHost);
  auto native = core::targetFromTriple(host.triple, "native");
  ASSERT_TRUE(bool(native));
  EXPECT_EQ(native->cpu, host.cpu);
  EXPECT_EQ(native->features, host.features);
}

TEST(Target, ListsTheCpusOfATarget) {
  auto cpus = core::listCpus("riscv64-linux-gnu");
  auto has = [&](const char *cpu) {
    return std::find(cpus.begin(), cpus.end(), cpu) != cpus.end();
  };
  EXPECT_TRUE(has("sifive-u74"));
  EXPECT_FALSE(has("sifive-e31")) << "an RV32 core cannot run riscv64 code";
  EXPECT_TRUE(core::listCpus("pdp11-unknown-none").empty());
}

constexpr const char *ClangX86IR = R"(
define i32 @f() #0 { ret i32 1 }
define i32 @g() #1 { ret i32 2 }
define i32 @h() { ret i32 3 }
attributes #0 = { "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+sse2" "tune-cpu"="generic" }
attributes #1 = { "target-cpu"="i386" }
)";

// IR from `clang -S -emit-llvm` on x86 compiled for aarch64 printed one
// "'x86-64' is not a recognized processor" line per function and subtarget.
TEST(Target, RetargetsAnotherArchitecturesAttributes) {
  auto tsm = test::moduleFromIR(ClangX86IR);
  auto spec = core::targetFromTriple("aarch64-linux-gnu");
  ASSERT_TRUE(bool(spec));
  tsm.withModuleDo([&](llvm::Module &m) {
    core::RetargetReport report = core::retargetFunctions(m, *spec, false);
    EXPECT_EQ(report.functions, 2u);
    EXPECT_EQ(report.cpu, "x86-64");
    for (llvm::Function &f : m) {
      EXPECT_FALSE(f.hasFnAttribute("target-cpu")) << f.getName().str();
      EXPECT_FALSE(f.hasFnAttribute("target-features")) << f.getName().str();
      EXPECT_FALSE(f.hasFnAttribute("tune-cpu")) << f.getName().str();
    }
  });
}

TEST(Target, RetargetsOnlyWhatTheHostCannotHonourUnlessACpuIsRequested) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "the IR names x86 CPUs";
#endif
  auto host = core::hostTarget();
  auto tsm = test::moduleFromIR(ClangX86IR);
  tsm.withModuleDo([&](llvm::Module &m) {
    // i386 cannot run x86-64 code (LLVM aborts); x86-64 stays.
    core::RetargetReport report = core::retargetFunctions(m, host, false);
    EXPECT_EQ(report.functions, 1u);
    EXPECT_EQ(report.cpu, "i386");
    EXPECT_TRUE(m.getFunction("f")->hasFnAttribute("target-cpu"));
    EXPECT_FALSE(m.getFunction("g")->hasFnAttribute("target-cpu"));
  });
  auto skylake = core::targetFromTriple(host.triple, "skylake");
  ASSERT_TRUE(bool(skylake));
  auto again = test::moduleFromIR(ClangX86IR);
  again.withModuleDo([&](llvm::Module &m) {
    EXPECT_EQ(core::retargetFunctions(m, *skylake, true).functions, 2u);
    EXPECT_FALSE(m.getFunction("f")->hasFnAttribute("target-cpu"));
  });
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
