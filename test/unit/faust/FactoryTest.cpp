// FactoryTest: compiling, opt levels, targets, serialization round trips and
// the errors a Factory reports.
#include "TestUtil.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

namespace kiln::faust::test {
namespace {

// A filter, a nonlinearity and a table oscillator: enough for the optimiser
// and vectorizers to have work, with two inputs and two outputs.
const char *kMix = R"(
import("stdfaust.lib");
g = hslider("gain", 0.3, 0, 1, 0.01);
process = _, _ : (fi.lowpass(2, 2000) : ma.tanh), (*(os.osc(220)) : fi.highpass(1, 300))
          : *(g), *(1 - g);
)";

TEST(FactoryTest, HostTargetNamesTheHostArch) {
  std::string target = getDSPMachineTarget();
  ASSERT_FALSE(target.empty());
  EXPECT_NE(target.find(':'), std::string::npos) << target;
#if defined(__x86_64__)
  EXPECT_EQ(target.rfind("x86_64", 0), 0u) << target;
#elif defined(__aarch64__)
  EXPECT_EQ(target.rfind("aarch64", 0), 0u) << target;
#endif
}

TEST(FactoryTest, IdentityHasOneInputAndOneOutput) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory = compile(registry, "process = _;");
  ASSERT_TRUE(factory);
  auto dsp = test::instance(*factory);
  ASSERT_TRUE(dsp);
  EXPECT_EQ(dsp->getNumInputs(), 1);
  EXPECT_EQ(dsp->getNumOutputs(), 1);
  dsp->init(44100);
  auto in = drive::testSignal(1, 300);
  auto out = drive::render(*dsp, in, 300);
  EXPECT_EQ(maxDiff(in, out), 0.0);
}

TEST(FactoryTest, AccessorsDescribeTheFactory) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory =
      compile(registry, std::string("declare name \"mix\";\n") + kMix);
  ASSERT_TRUE(factory);
  EXPECT_EQ(factory->name(), "mix");
  EXPECT_EQ(factory->shaKey().size(), 40u);
  EXPECT_NE(factory->dspCode().find("fi.lowpass"), std::string::npos);
  EXPECT_NE(factory->compileOptions().find("-lang llvm"), std::string::npos);
  bool stdfaust = false;
  for (auto &lib : factory->libraryList())
    stdfaust |= lib.find("stdfaust.lib") != std::string::npos;
  EXPECT_TRUE(stdfaust);
  EXPECT_FALSE(factory->includePathnames().empty());
  EXPECT_EQ(factory->target(), getDSPMachineTarget());
  EXPECT_TRUE(factory->isHost());
}

// libfaust's -O numbers on Kiln's levels (OptLevel.h documents the table).
TEST(FactoryTest, FaustOptLevelsMapOntoKilnLevels) {
  EXPECT_EQ(optLevelFromFaust(-1), kiln::OptLevel::O3);
  EXPECT_EQ(optLevelFromFaust(0), kiln::OptLevel::O0);
  EXPECT_EQ(optLevelFromFaust(1), kiln::OptLevel::O1);
  EXPECT_EQ(optLevelFromFaust(2), kiln::OptLevel::O2);
  EXPECT_EQ(optLevelFromFaust(3), kiln::OptLevel::O3);
  EXPECT_EQ(optLevelFromFaust(4), kiln::OptLevel::O3);
  EXPECT_EQ(parseFaustOptLevel("-O4"), kiln::OptLevel::O3);
  EXPECT_EQ(parseFaustOptLevel("4"), kiln::OptLevel::O3);
  EXPECT_EQ(parseFaustOptLevel("-O1"), kiln::OptLevel::O1);
  EXPECT_EQ(parseFaustOptLevel("-Os"), kiln::OptLevel::Os);
  EXPECT_EQ(parseFaustOptLevel("z"), kiln::OptLevel::Oz);
  EXPECT_EQ(parseFaustOptLevel("-O5"), std::nullopt);
  EXPECT_EQ(parseFaustOptLevel("-O"), std::nullopt);
}

TEST(FactoryTest, EveryOptLevelCompilesAndAgrees) {
  REQUIRE_FAUST();
  Registry registry;
  drive::Planar best;
  for (int level = -1; level <= 4; ++level) {
    FactoryOptions options;
    options.optLevel = optLevelFromFaust(level);
    auto factory = compile(registry, kMix, options);
    ASSERT_TRUE(factory) << "level " << level;
    auto out = renderFrames(*test::instance(*factory), 4096);
    if (level == -1)
      best = out;
    else
      EXPECT_LE(maxDiff(best, out), 1e-6) << "level " << level;
  }
  EXPECT_EQ(registry.getAllDSPFactories().size(), 4u)
      << "-1, 3 and 4 all mean O3";
  for (kiln::OptLevel level : {kiln::OptLevel::Os, kiln::OptLevel::Oz}) {
    FactoryOptions options;
    options.optLevel = level;
    auto factory = compile(registry, kMix, options);
    ASSERT_TRUE(factory) << kiln::optLevelName(level);
    EXPECT_LE(maxDiff(best, renderFrames(*test::instance(*factory), 4096)),
              1e-6)
        << kiln::optLevelName(level);
  }
}

TEST(FactoryTest, VecAndDoubleAgreeWithScalarFloat) {
  REQUIRE_FAUST();
  Registry registry;
  auto scalar = renderFrames(*test::instance(*compile(registry, kMix)), 4096);
  FactoryOptions vec, dbl;
  vec.args = {"-vec", "-vs", "32"};
  dbl.args = {"-double"};
  auto vecOut =
      renderFrames(*test::instance(*compile(registry, kMix, vec)), 4096);
  auto dblOut =
      renderFrames(*test::instance(*compile(registry, kMix, dbl)), 4096);
  EXPECT_LE(maxDiff(scalar, vecOut), 1e-5);
  EXPECT_LE(maxDiff(scalar, dblOut), 1e-4);
  EXPECT_GT(maxDiff(scalar, dblOut), 0.0) << "-double computes in double";
}

TEST(FactoryTest, BitcodeAndIRRoundTripsComputeTheSameSamples) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory = compile(registry, kMix);
  ASSERT_TRUE(factory);
  auto expected = renderFrames(*test::instance(*factory), 4096);
  std::string error;
  auto fromBitcode = registry.readDSPFactoryFromBitcode(
      factory->writeBitcode(), "", kiln::OptLevel::O3, error);
  ASSERT_TRUE(fromBitcode) << error;
  EXPECT_NE(fromBitcode, factory);
  EXPECT_EQ(
      maxDiff(expected, renderFrames(*test::instance(*fromBitcode), 4096)),
      0.0);
  auto fromIR = registry.readDSPFactoryFromIR(factory->writeIR(), "",
                                              kiln::OptLevel::O3, error);
  ASSERT_TRUE(fromIR) << error;
  EXPECT_EQ(maxDiff(expected, renderFrames(*test::instance(*fromIR), 4096)),
            0.0);
}

TEST(FactoryTest, MachineCodeRoundTripComputesTheSameSamples) {
  REQUIRE_FAUST();
  Registry registry;
  auto factory = compile(registry, kMix);
  ASSERT_TRUE(factory);
  auto expected = renderFrames(*test::instance(*factory), 4096);
  std::string error;
  std::string machine = factory->writeMachine("", error);
  ASSERT_FALSE(machine.empty()) << error;
  Registry other;
  auto t0 = std::chrono::steady_clock::now();
  auto loaded = other.readDSPFactoryFromMachine(machine, error);
  auto ms = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - t0)
                .count();
  ASSERT_TRUE(loaded) << error;
  std::printf("machine-code load: %.2f ms\n", ms);
  EXPECT_EQ(loaded->name(), factory->name());
  EXPECT_EQ(maxDiff(expected, renderFrames(*test::instance(*loaded), 4096)),
            0.0);
  Registry third;
  auto fromBase64 = third.readDSPFactoryFromMachineBase64(
      factory->writeMachineBase64("", error), error);
  ASSERT_TRUE(fromBase64) << error;
  EXPECT_EQ(maxDiff(expected, renderFrames(*test::instance(*fromBase64), 4096)),
            0.0);
}

// Filled from a waveform at classInit and read by compute: a table both
// halves of a split module share.
const char *kWaveTable = R"(
w = waveform{0.0, 0.5, 1.0, 0.25, -0.5, -1.0, 0.75, 0.1};
idx = +(1) ~ _ : %(8);
process = _, (w, idx : rdtable) : *;
)";

std::string firstLine(const std::string &text) {
  return text.substr(0, text.find('\n'));
}

// Two compile threads: compute on one, the set-up functions on the other,
// as two modules. The result computes exactly what the whole module
// computes, its machine code carries both objects, and one object for
// linking elsewhere is the whole module compiled again.
TEST(FactoryTest, SplitCompilationAgreesWithTheWholeModule) {
  REQUIRE_FAUST();
  for (const char *code : {kMix, kWaveTable}) {
    FactoryOptions whole, split;
    whole.compileThreads = 1;
    split.compileThreads = 2;
    Registry wholeRegistry, splitRegistry;
    auto one = compile(wholeRegistry, code, whole);
    auto two = compile(splitRegistry, code, split);
    ASSERT_TRUE(one && two);
    auto expected = renderFrames(*test::instance(*one), 4096);
    EXPECT_GT(maxDiff(expected,
                      drive::Planar(expected.size(), std::vector<float>(4096))),
              0.0);
    EXPECT_EQ(maxDiff(expected, renderFrames(*test::instance(*two), 4096)),
              0.0);

    std::string error;
    std::string machineOne = one->writeMachine("", error);
    std::string machineTwo = two->writeMachine("", error);
    ASSERT_FALSE(machineTwo.empty()) << error;
    EXPECT_EQ(firstLine(machineOne), "KILN-FAUST-MACHINE 3");
    EXPECT_EQ(firstLine(machineTwo), "KILN-FAUST-MACHINE 4");
    Registry loadRegistry;
    auto loaded = loadRegistry.readDSPFactoryFromMachine(machineTwo, error);
    ASSERT_TRUE(loaded) << error;
    EXPECT_EQ(maxDiff(expected, renderFrames(*test::instance(*loaded), 4096)),
              0.0);
    EXPECT_FALSE(loadRegistry.readDSPFactoryFromMachine(
        machineTwo.substr(0, machineTwo.size() - 10), error));
    EXPECT_EQ(error,
              "error: Kiln Faust machine code is truncated or malformed");
    // One damaged byte anywhere (here in the compute object) is refused
    // before any code is loaded.
    std::string damaged = machineTwo;
    damaged[damaged.size() / 2] ^= 0x10;
    EXPECT_FALSE(loadRegistry.readDSPFactoryFromMachine(damaged, error));
    EXPECT_EQ(error, "error: Kiln Faust machine code is corrupted (its "
                     "checksum does not match)");
    // Version 2, written before the checksum, is still read.
    std::string old = "KILN-FAUST-MACHINE 2\n" +
                      machineTwo.substr(21, machineTwo.size() - 21 - 75);
    Registry oldRegistry;
    EXPECT_TRUE(oldRegistry.readDSPFactoryFromMachine(old, error)) << error;
    // A machine-code factory in two parts has no single object to give.
    EXPECT_EQ(firstLine(loaded->writeMachine("", error)),
              "KILN-FAUST-MACHINE 4")
        << error;
    TempDir dir;
    EXPECT_FALSE(
        loaded->writeObjectcodeFile(dir.path + "/loaded.o", "", error));
    EXPECT_NE(error.find("in two parts"), std::string::npos) << error;

    ASSERT_TRUE(two->writeObjectcodeFile(dir.path + "/two.o", "", error))
        << error;
    std::ifstream file(dir.path + "/two.o", std::ios::binary);
    std::string magic(4, '\0');
    file.read(magic.data(), 4);
    EXPECT_EQ(magic, "\x7f"
                     "ELF");
  }
}

// A module shaped like faust's, by hand, with what faust does not emit
// today but a split must still keep whole: compute calls through a
// constant table of pointers to internal functions, one of which reads a
// mutable table classInit fills.
const char *kPointerTableIR = R"(
%struct.dsp = type <{ i32 }>
@json = internal constant [139 x i8] c"{\22name\22: \22tbl\22,\22filename\22: \22tbl.dsp\22,\22size\22: 4,\22inputs\22: 1,\22outputs\22: 1,\22meta\22: [],\22ui\22: [ {\22type\22: \22vgroup\22,\22label\22: \22tbl\22,\22items\22: []}]}\00"
@table = internal global [4 x float] zeroinitializer
@fns = internal constant [2 x ptr] [ptr @twice, ptr @addTable]

define internal float @twice(float %x, i32 %k) {
  %r = fmul float %x, 2.0
  ret float %r
}
define internal float @addTable(float %x, i32 %k) {
  %p = getelementptr inbounds [4 x float], ptr @table, i32 0, i32 %k
  %t = load float, ptr %p
  %r = fadd float %x, %t
  ret float %r
}
define void @classInitmydsp(i32 %sample_rate) {
  store float 1.0, ptr @table
  store float 2.0, ptr getelementptr inbounds ([4 x float], ptr @table, i32 0, i32 1)
  store float 3.0, ptr getelementptr inbounds ([4 x float], ptr @table, i32 0, i32 2)
  store float 4.0, ptr getelementptr inbounds ([4 x float], ptr @table, i32 0, i32 3)
  ret void
}
define void @instanceConstantsmydsp(ptr %dsp, i32 %sample_rate) {
  store i32 %sample_rate, ptr %dsp
  ret void
}
define void @instanceClearmydsp(ptr %dsp) {
  ret void
}
define void @allocatemydsp(ptr %dsp) {
  ret void
}
define void @destroymydsp(ptr %dsp) {
  ret void
}
define ptr @getJSONmydsp() {
  ret ptr @json
}
define void @computemydsp(ptr %dsp, i32 %count, ptr noalias %inputs, ptr noalias %outputs) {
entry:
  %in = load ptr, ptr %inputs
  %out = load ptr, ptr %outputs
  %any = icmp sgt i32 %count, 0
  br i1 %any, label %loop, label %done
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %ip = getelementptr inbounds float, ptr %in, i32 %i
  %x = load float, ptr %ip
  %which = and i32 %i, 1
  %fp = getelementptr inbounds [2 x ptr], ptr @fns, i32 0, i32 %which
  %f = load ptr, ptr %fp
  %k = and i32 %i, 3
  %y = call float %f(float %x, i32 %k)
  %op = getelementptr inbounds float, ptr %out, i32 %i
  store float %y, ptr %op
  %next = add i32 %i, 1
  %more = icmp slt i32 %next, %count
  br i1 %more, label %loop, label %done
done:
  ret void
}
)";

TEST(FactoryTest, SplitKeepsWhatComputeReachesThroughConstants) {
  Registry registry;
  std::string error;
  auto factory = registry.readDSPFactoryFromIR(kPointerTableIR, "",
                                               kiln::OptLevel::O3, error);
  ASSERT_TRUE(factory) << error;
  auto out = renderFrames(*test::instance(*factory), 64);
  auto in = drive::testSignal(1, 64);
  ASSERT_EQ(out.size(), 1u);
  for (int i = 0; i < 64; ++i) {
    float want = i % 2 == 0 ? in[0][i] * 2.0f : in[0][i] + float(i % 4 + 1);
    EXPECT_EQ(out[0][i], want) << "frame " << i;
  }
  Registry other;
  auto loaded =
      other.readDSPFactoryFromMachine(factory->writeMachine("", error), error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(maxDiff(out, renderFrames(*test::instance(*loaded), 64)), 0.0);
}

TEST(FactoryTest, MachineCodeErrorsAreReported) {
  REQUIRE_FAUST();
  Registry registry;
  std::string error;
  EXPECT_FALSE(registry.readDSPFactoryFromMachine("garbage", error));
  EXPECT_EQ(error, "error: not Kiln Faust machine code (bad header)");
  auto factory = compile(registry, "process = _;");
  ASSERT_TRUE(factory);
  std::string machine = factory->writeMachine("", error);
  EXPECT_FALSE(registry.readDSPFactoryFromMachine(
      machine.substr(0, machine.size() - 10), error));
  EXPECT_EQ(error, "error: Kiln Faust machine code is truncated or malformed");
  std::string arm = factory->writeMachine("aarch64-linux-gnu", error);
  ASSERT_FALSE(arm.empty()) << error;
  EXPECT_FALSE(registry.readDSPFactoryFromMachine(arm, error));
  EXPECT_NE(error.find("cannot run on this machine"), std::string::npos)
      << error;
}

TEST(FactoryTest, CrossTargetFactoryEmitsObjectsButMakesNoInstances) {
  REQUIRE_FAUST();
  Registry registry;
  FactoryOptions options;
  options.target = "aarch64-linux-gnu";
  auto factory = compile(registry, kMix, options);
  ASSERT_TRUE(factory);
  EXPECT_FALSE(factory->isHost());
  EXPECT_EQ(factory->target(), "aarch64-unknown-linux-gnu:generic");
  std::string error;
  EXPECT_FALSE(factory->createInstance(&error));
  EXPECT_NE(error.find("was built for aarch64"), std::string::npos) << error;
  TempDir dir;
  std::string path = dir.path + "/mix.o";
  ASSERT_TRUE(factory->writeObjectcodeFile(path, "", error)) << error;
  FILE *f = std::fopen(path.c_str(), "rb");
  ASSERT_TRUE(f);
  unsigned char header[20] = {};
  ASSERT_EQ(std::fread(header, 1, 20, f), 20u);
  std::fclose(f);
  EXPECT_EQ(std::memcmp(header,
                        "\x7f"
                        "ELF",
                        4),
            0);
  EXPECT_EQ(header[18] | header[19] << 8, 183) << "EM_AARCH64";
}

TEST(FactoryTest, SyntaxErrorIsAPinnedDiagnostic) {
  REQUIRE_FAUST();
  Registry registry;
  std::string error;
  auto factory = registry.createDSPFactoryFromString(
      "bad.dsp", "declare name \"bad\";\nprocess = _ +;\n", {}, error);
  EXPECT_FALSE(factory);
  EXPECT_EQ(error, "bad.dsp:2:1: error: syntax error, unexpected ENDDEF\n"
                   "process = _ +;\n^");
  EXPECT_TRUE(registry.getAllDSPFactories().empty());
  // The structured form carries the same error as fields.
  auto result = registry.createDSPFactoryFromString(
      "bad.dsp", "declare name \"bad\";\nprocess = _ +;\n", {});
  ASSERT_FALSE(result);
  ASSERT_EQ(result.diagnostics().size(), 1u);
  const Diagnostic &diag = result.diagnostics()[0];
  EXPECT_EQ(diag.file, "bad.dsp");
  EXPECT_EQ(diag.loc.line, 2u);
  EXPECT_EQ(diag.loc.col, 1u);
  EXPECT_EQ(diag.message, "syntax error, unexpected ENDDEF");
  EXPECT_EQ(diag.sourceLine, "process = _ +;");
  EXPECT_EQ(diag.kind, ErrorKind::Parse);
}

TEST(FactoryTest, UndefinedSymbolPointsAtIt) {
  REQUIRE_FAUST();
  Registry registry;
  std::string error;
  EXPECT_FALSE(registry.createDSPFactoryFromString(
      "u.dsp", "process = _ : foo;\n", {}, error));
  EXPECT_EQ(error, "u.dsp:1:15: error: undefined symbol : foo\n"
                   "process = _ : foo;\n              ^");
}

TEST(FactoryTest, MissingFaustBinaryIsAClearError) {
  Registry registry;
  FactoryOptions options;
  options.faustPath = "/nonexistent/faust";
  std::string error;
  EXPECT_FALSE(registry.createDSPFactoryFromString("x.dsp", "process = _;",
                                                   options, error));
  EXPECT_EQ(error, "error: cannot run the Faust compiler '/nonexistent/faust': "
                   "No such file or directory (install Debian's faust package, "
                   "or name the binary with --faust PATH or $KILN_FAUST)");
}

TEST(FactoryTest, ArgumentsKilnChoosesAreRejected) {
  Registry registry;
  FactoryOptions options;
  options.args = {"-lang", "cpp"};
  std::string error;
  EXPECT_FALSE(registry.createDSPFactoryFromString("x.dsp", "process = _;",
                                                   options, error));
  EXPECT_EQ(error, "error: the Faust argument '-lang' is chosen by Kiln and "
                   "cannot be given");
}

TEST(FactoryTest, MissingFileIsAnError) {
  Registry registry;
  std::string error;
  EXPECT_FALSE(
      registry.createDSPFactoryFromFile("/nonexistent/x.dsp", {}, error));
  EXPECT_EQ(error, "error: cannot open '/nonexistent/x.dsp': No such file or "
                   "directory");
  auto result = registry.createDSPFactoryFromFile("/nonexistent/x.dsp", {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.diagnostics()[0].kind, ErrorKind::IO);
  EXPECT_FALSE(result.diagnostics()[0].loc.known());
}

// faust's JSON says "size": 8 for this 4 GiB struct (a 32-bit number that
// wrapped); the size comes from the module's struct type, and an instance
// that large is refused, from source and from machine code alike.
TEST(FactoryTest, InstancesTooLargeToAllocateAreRefused) {
  REQUIRE_FAUST();
  Registry registry;
  std::string error;
  auto factory = registry.createDSPFactoryFromString(
      "big.dsp", "process = _ @ 1000000000;", {}, error);
  ASSERT_TRUE(factory) << error;
  const std::string expected =
      "'big' needs 4294967304 bytes of instance memory (4.0 GiB); Kiln "
      "allocates at most 2 GiB for one DSP instance";
  auto refused = factory->createInstance();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.diagnostics()[0].message, expected);
  EXPECT_EQ(refused.diagnostics()[0].kind, ErrorKind::InvalidArgument);
  std::string machine = factory->writeMachine("", error);
  ASSERT_FALSE(machine.empty()) << error;
  EXPECT_NE(machine.find("\nsize 4294967304\n"), std::string::npos);
  Registry other;
  auto loaded = other.readDSPFactoryFromMachine(machine, error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_FALSE(loaded->createInstance(&error));
  EXPECT_EQ(error, "error: " + expected) << "the libfaust shape renders it";
}

// Eight threads share one factory (compiled on two threads): each makes and
// runs its own instances; half also serialise the factory to machine code
// and load it into one shared registry, two recompile its bitcode. Every
// render equals the single-threaded one. Runs under ThreadSanitizer.
TEST(FactoryTest, EightThreadsShareAFactoryAndItsMachineCode) {
  REQUIRE_FAUST();
  Registry registry, loaders;
  FactoryOptions options;
  options.compileThreads = 2;
  auto factory = compile(registry, kMix, options);
  ASSERT_TRUE(factory);
  const auto expected = renderFrames(*test::instance(*factory), 256);
  std::vector<double> diffs(8, -1);
  std::vector<std::string> errors(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::shared_ptr<Factory> use = factory;
      if (t % 2) {
        std::string machine = factory->writeMachine("", errors[t]);
        use = machine.empty()
                  ? nullptr
                  : loaders.readDSPFactoryFromMachine(machine, errors[t]);
      } else if (t % 4 == 2) {
        use = loaders.readDSPFactoryFromBitcode(factory->writeBitcode(), "",
                                                kiln::OptLevel::O3, errors[t]);
      }
      auto dsp = use ? use->createInstance(&errors[t]) : nullptr;
      if (dsp)
        diffs[t] = maxDiff(expected, renderFrames(*dsp, 256));
      loaders.getAllDSPFactories();
    });
  for (auto &th : threads)
    th.join();
  for (int t = 0; t < 8; ++t)
    EXPECT_EQ(diffs[t], 0.0) << "thread " << t << ": " << errors[t];
  EXPECT_EQ(loaders.getAllDSPFactories().size(), 2u)
      << "machine code once, bitcode once";
}

TEST(FactoryTest, UnknownTargetIsAnError) {
  Registry registry;
  FactoryOptions options;
  options.target = "nonsense-cpu-os";
  std::string error;
  EXPECT_FALSE(registry.createDSPFactoryFromString("x.dsp", "process = _;",
                                                   options, error));
  EXPECT_NE(error.find("nonsense-cpu-os"), std::string::npos) << error;
}

} // namespace
} // namespace kiln::faust::test
