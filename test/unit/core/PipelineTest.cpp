// PipelineTest: every optimisation level preserves what functions compute,
// and the pipeline is the standard one, vectorizing at O2/O3.
#include "TestUtil.h"

#include "kiln/core/IRFile.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cmath>
#include <numeric>
#include <vector>

using namespace kiln;
using core::OptLevel;

namespace {

class EveryLevel : public ::testing::TestWithParam<OptLevel> {};

TEST_P(EveryLevel, PreservesResults) {
  auto jit = test::makeJit(GetParam());
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(test::SampleIR))),
            "");
  auto fib = jit->lookupAs<int(int)>("fib");
  auto hypot3 = jit->lookupAs<double(double, double, double)>("hypot3");
  auto sum = jit->lookupAs<float(const float *, int64_t)>("sum_f32");
  auto saxpy =
      jit->lookupAs<void(float *, const float *, float, int64_t)>("saxpy");
  auto collatz = jit->lookupAs<int64_t(int64_t)>("collatz_steps");
  ASSERT_TRUE(fib && hypot3 && sum && saxpy && collatz);

  EXPECT_EQ((*fib)(0), 0);
  EXPECT_EQ((*fib)(1), 1);
  EXPECT_EQ((*fib)(20), 6765);
  EXPECT_EQ((*hypot3)(1, 2, 2), 3.0);
  EXPECT_EQ((*hypot3)(0.1, 0.2, 0.3),
            std::sqrt(0.1 * 0.1 + 0.2 * 0.2 + 0.3 * 0.3));
  EXPECT_EQ((*collatz)(27), 111);

  // Integers in float are exact, so any summation order gives one answer.
  std::vector<float> a(1001);
  std::iota(a.begin(), a.end(), 1.0f);
  EXPECT_EQ((*sum)(a.data(), int64_t(a.size())), 501501.0f);

  std::vector<float> y(37, 1.0f), x(37);
  std::iota(x.begin(), x.end(), 0.0f);
  (*saxpy)(y.data(), x.data(), 2.0f, int64_t(y.size()));
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_EQ(y[i], 2.0f * x[i] + 1.0f) << "element " << i;
}

INSTANTIATE_TEST_SUITE_P(Pipeline, EveryLevel,
                         ::testing::Values(OptLevel::O0, OptLevel::O1,
                                           OptLevel::O2, OptLevel::O3,
                                           OptLevel::Os, OptLevel::Oz),
                         [](const auto &info) {
                           return std::string(core::optLevelName(info.param));
                         });

TEST(Pipeline, ParsesLevels) {
  EXPECT_EQ(core::parseOptLevel("-O0"), OptLevel::O0);
  EXPECT_EQ(core::parseOptLevel("O3"), OptLevel::O3);
  EXPECT_EQ(core::parseOptLevel("s"), OptLevel::Os);
  EXPECT_EQ(core::parseOptLevel("-O4"), std::nullopt);
  EXPECT_EQ(core::parseOptLevel(""), std::nullopt);
}

std::unique_ptr<llvm::TargetMachine> hostMachine(OptLevel level) {
  auto tm = core::createTargetMachine(core::hostTarget(), level);
  EXPECT_TRUE(bool(tm));
  return tm ? std::move(*tm) : nullptr;
}

TEST(Pipeline, VectorizersOnlyFromO2) {
  auto o1 = core::describePipeline(*hostMachine(OptLevel::O1), OptLevel::O1);
  auto o2 = core::describePipeline(*hostMachine(OptLevel::O2), OptLevel::O2);
  EXPECT_NE(o2.find("loop-vectorize<no-interleave-forced-only;no-vectorize-"
                    "forced-only;>"),
            std::string::npos)
      << o2;
  EXPECT_NE(o2.find("slp-vectorizer"), std::string::npos);
  EXPECT_EQ(o1.find("slp-vectorizer"), std::string::npos);
  EXPECT_NE(o1.find("vectorize-forced-only"), std::string::npos);
}

TEST(Pipeline, VectorizesLoopForHost) {
  llvm::LLVMContext context;
  auto module = core::parseIR(test::SampleIR, "vec", context);
  ASSERT_TRUE(bool(module));
  auto tm = hostMachine(OptLevel::O3);
  core::PipelineOptions options;
  options.level = OptLevel::O3;
  ASSERT_EQ(test::errorText(core::optimizeModule(**module, *tm, options)), "");
  std::string ir;
  llvm::raw_string_ostream os(ir);
  (*module)->getFunction("saxpy")->print(os);
  // SSE2 gives <4 x float> at least; AVX2 hosts get <8 x float>.
  EXPECT_NE(os.str().find(" x float>"), std::string::npos) << ir;
}

// lateLicm = false leaves out LICM's runs on a loop after GVN has run on
// its function, and only those; the code still computes the same.
TEST(Pipeline, LateLicmRunsCanBeLeftOut) {
  for (bool late : {true, false}) {
    auto tm = hostMachine(OptLevel::O3);
    llvm::LLVMContext context;
    auto module = core::parseIR(test::SampleIR, "licm", context);
    ASSERT_TRUE(bool(module));
    core::PipelineOptions options;
    options.level = OptLevel::O3;
    options.lateLicm = late;
    unsigned skipped = 0;
    options.skippedRuns = &skipped;
    ASSERT_EQ(test::errorText(core::optimizeModule(**module, *tm, options)),
              "");
    // sum_f32, saxpy and collatz_steps have a loop each: two late runs
    // each (late simplification, after vectorization), at least.
    if (late)
      EXPECT_EQ(skipped, 0u);
    else
      EXPECT_GE(skipped, 6u);
  }
  core::JitOptions options;
  options.level = OptLevel::O3;
  options.lateLicm = false;
  auto jit = core::Jit::create(options);
  ASSERT_TRUE(bool(jit));
  ASSERT_EQ(
      test::errorText((*jit)->addModule(test::moduleFromIR(test::SampleIR))),
      "");
  auto saxpy =
      (*jit)->lookupAs<void(float *, const float *, float, int64_t)>("saxpy");
  ASSERT_TRUE(bool(saxpy));
  std::vector<float> y(37, 1.0f), x(37);
  std::iota(x.begin(), x.end(), 0.0f);
  (*saxpy)(y.data(), x.data(), 2.0f, int64_t(y.size()));
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_EQ(y[i], 2.0f * x[i] + 1.0f) << "element " << i;
}

TEST(Pipeline, PrintsPipelineAndChangedIR) {
  llvm::LLVMContext context;
  auto module = core::parseIR(test::SampleIR, "print", context);
  ASSERT_TRUE(bool(module));
  auto tm = hostMachine(OptLevel::O2);
  std::string pipeline, changed;
  llvm::raw_string_ostream pipelineOS(pipeline), changedOS(changed);
  core::PipelineOptions options;
  options.printPipeline = &pipelineOS;
  options.printChanged = &changedOS;
  ASSERT_EQ(test::errorText(core::optimizeModule(**module, *tm, options)), "");
  EXPECT_NE(pipelineOS.str().find("instcombine"), std::string::npos);
  EXPECT_NE(changedOS.str().find("; *** IR after "), std::string::npos);
  EXPECT_NE(changed.find("define"), std::string::npos);
}

/// A loop calling tanhf and expf (declared as not touching memory, as the
/// tensor frontend emits them).
const char *MathLoopIR = R"(
declare float @tanhf(float) #0
declare float @llvm.exp.f32(float)
define void @act(ptr noalias %out, ptr noalias %in, i64 %n) {
entry:
  %empty = icmp sle i64 %n, 0
  br i1 %empty, label %exit, label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %p = getelementptr inbounds float, ptr %in, i64 %i
  %x = load float, ptr %p
  %t = call float @tanhf(float %x) #0
  %e = call float @llvm.exp.f32(float %t)
  %q = getelementptr inbounds float, ptr %out, i64 %i
  store float %e, ptr %q
  %next = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
attributes #0 = { nounwind willreturn memory(none) }
)";

std::string optimisedMathLoop(core::VectorLibrary lib) {
  llvm::LLVMContext context;
  auto module = core::parseIR(MathLoopIR, "math", context);
  EXPECT_TRUE(bool(module));
  if (!module)
    return "";
  auto tm = hostMachine(OptLevel::O3);
  core::PipelineOptions options;
  options.level = OptLevel::O3;
  options.vectorLibrary = lib;
  EXPECT_EQ(test::errorText(core::optimizeModule(**module, *tm, options)), "");
  std::string ir;
  llvm::raw_string_ostream os(ir);
  (*module)->print(os, nullptr);
  return os.str();
}

TEST(Pipeline, VectorLibraryMapsTanhAndExpToLibmvec) {
  auto host = core::hostTarget();
  if (host.triple.find("x86_64") == std::string::npos ||
      host.triple.find("linux") == std::string::npos)
    GTEST_SKIP() << "libmvec is glibc's x86-64 library; host is "
                 << host.triple;
  std::string with = optimisedMathLoop(core::VectorLibrary::Libmvec);
  EXPECT_NE(with.find("_ZGV"), std::string::npos) << with;
  EXPECT_NE(with.find("v_tanhf"), std::string::npos) << with;
  EXPECT_NE(with.find("v_expf"), std::string::npos) << with;
  std::string without = optimisedMathLoop(core::VectorLibrary::None);
  EXPECT_EQ(without.find("_ZGV"), std::string::npos) << without;
  // The JIT can resolve the vector functions once libmvec is loaded.
  EXPECT_EQ(
      test::errorText(core::loadVectorLibrary(core::VectorLibrary::Libmvec)),
      "");
}

} // namespace
