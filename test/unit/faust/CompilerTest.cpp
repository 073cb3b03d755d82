// CompilerTest: faust's error messages as Kiln diagnostics (no faust
// needed), and which functions of a Faust module the O3 pipeline skips.
#include "TestUtil.h"
#include "compiler/FaustCompiler.h"
#include "dsp/PrepareModule.h"

#include "kiln/core/IRFile.h"
#include "kiln/core/IRHelpers.h"

#include "llvm/IR/InstIterator.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"

#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace kiln::faust {
namespace {

/// faust's stderr as the kiln tool shows it.
std::string renderFaustErrors(const std::string &stderrText,
                              const FaustInput &in) {
  return kiln::render(faustDiagnostics(stderrText, in));
}

FaustInput input() {
  FaustInput in;
  in.path = "/tmp/kiln-faust-x/input.dsp";
  in.displayName = "my.dsp";
  in.source = "import(\"stdfaust.lib\");\n  process = os.osc(foo);\n";
  return in;
}

TEST(CompilerTest, LocatedErrorGetsSourceLineAndCaret) {
  EXPECT_EQ(
      renderFaustErrors(
          "/tmp/kiln-faust-x/input.dsp : 2 : ERROR : undefined symbol : foo\n",
          input()),
      "my.dsp:2:20: error: undefined symbol : foo\n"
      "  process = os.osc(foo);\n"
      "                   ^");
}

// The same error as data: an embedder reads the place without parsing text.
TEST(CompilerTest, LocatedErrorIsStructured) {
  Diagnostics diags = faustDiagnostics(
      "/tmp/kiln-faust-x/input.dsp : 2 : ERROR : undefined symbol : foo\n"
      "more context\n",
      input());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].file, "my.dsp");
  EXPECT_EQ(diags[0].loc.line, 2u);
  EXPECT_EQ(diags[0].loc.col, 20u);
  EXPECT_EQ(diags[0].message, "undefined symbol : foo");
  EXPECT_EQ(diags[0].sourceLine, "  process = os.osc(foo);");
  EXPECT_EQ(diags[0].kind, ErrorKind::Type);
  EXPECT_EQ(diags[0].detail, "more context");
  EXPECT_EQ(faustDiagnostics("my.dsp : 1 : ERROR : syntax error, unexpected "
                             "ENDDEF\n",
                             input())[0]
                .kind,
            ErrorKind::Parse);
}

TEST(CompilerTest, FileFormAndExtraLinesAreKept) {
  EXPECT_EQ(
      renderFaustErrors(
          "ERROR (file my.dsp:1) : multiple definitions\nfoo = 1;\n", input()),
      "my.dsp:1:1: error: multiple definitions\n"
      "import(\"stdfaust.lib\");\n^\nfoo = 1;");
}

TEST(CompilerTest, ErrorsInLibrariesNameTheLibrary) {
  EXPECT_EQ(renderFaustErrors(
                "/usr/share/faust/maths.lib : 12 : ERROR : oops\n", input()),
            "/usr/share/faust/maths.lib:12:1: error: oops");
}

TEST(CompilerTest, UnlocatedErrorsNameTheFile) {
  EXPECT_EQ(
      renderFaustErrors("ERROR in sequential composition A:B\nmore\n", input()),
      "my.dsp: error: in sequential composition A:B\nmore");
  EXPECT_EQ(renderFaustErrors("", input()),
            "my.dsp: error: the Faust compiler failed without a message");
}

// Faust's own text for a program without `process` (an empty .dsp).
TEST(CompilerTest, AMissingProcessIsSaidPlainly) {
  EXPECT_EQ(renderFaustErrors(
                "???? : -1 : ERROR : undefined symbol : process\n", input()),
            "my.dsp: error: no 'process' definition (faust: undefined symbol : "
            "process)");
}

// A binary .dsp: faust echoes the bytes before its error line; the error
// leads, no source line is shown, and the bytes come back escaped.
TEST(CompilerTest, BinaryInputIsEscapedAndTheErrorLineLeads) {
  FaustInput in = input();
  in.source = "process = \xff\xfe;\n";
  EXPECT_EQ(
      renderFaustErrors("extra text is : \xff\n"
                        "my.dsp : 1 : ERROR : syntax error, unexpected EXTRA\n",
                        in),
      "my.dsp:1:1: error: syntax error, unexpected EXTRA\n"
      "extra text is : \\xff");
}

// A directory named faust earlier on PATH does not end the search, nor does
// a file without execute permission.
TEST(CompilerTest, PathSearchSkipsDirectoriesAndNonExecutables) {
  test::TempDir dir;
  std::string blocked = dir.path + "/dirs", plain = dir.path + "/plain";
  ASSERT_EQ(mkdir(blocked.c_str(), 0700), 0);
  ASSERT_EQ(mkdir((blocked + "/sh").c_str(), 0700), 0);
  ASSERT_EQ(mkdir(plain.c_str(), 0700), 0);
  std::ofstream(plain + "/sh") << "#!/bin/sh\n";
  ASSERT_EQ(chmod((plain + "/sh").c_str(), 0600), 0);
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", (blocked + ":" + plain + ":/usr/bin").c_str(), 1);
  EXPECT_EQ(faustBinary("sh"), "/usr/bin/sh");
  setenv("PATH", saved.c_str(), 1);
}

// Only a regular file is read: a directory, a FIFO (which would block) and
// a device are refused in one line.
TEST(CompilerTest, InputsMustBeRegularFiles) {
  test::TempDir dir;
  auto error = [](const kiln::Expected<std::string> &text) {
    EXPECT_FALSE(text.ok());
    EXPECT_TRUE(text.ok() || text.diagnostics()[0].kind == ErrorKind::IO);
    return text.ok() ? std::string() : kiln::render(text.diagnostics());
  };
  EXPECT_EQ(error(readInputFile(dir.path)),
            "error: cannot read '" + dir.path + "': it is a directory");
  std::string fifo = dir.path + "/f.dsp";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error(readInputFile(fifo)),
            "error: cannot read '" + fifo +
                "': it is a pipe or socket, not a regular file");
  EXPECT_EQ(error(readInputFile("/dev/zero")),
            "error: cannot read '/dev/zero': it is a device, not a "
            "regular file");
  std::ofstream(dir.path + "/ok.dsp") << "process = _;\n";
  kiln::Expected<std::string> text = readInputFile(dir.path + "/ok.dsp");
  ASSERT_TRUE(text) << kiln::render(text.diagnostics());
  EXPECT_EQ(*text, "process = _;\n");
}

TEST(CompilerTest, FaustBinaryComesFromTheOptionThenTheEnvironment) {
  EXPECT_EQ(faustBinary("/opt/faust"), "/opt/faust");
  setenv("KILN_FAUST", "/env/faust", 1);
  EXPECT_EQ(faustBinary(""), "/env/faust");
  unsetenv("KILN_FAUST");
  // A bare name is resolved on $PATH (faust started by a bare name spends
  // ~10 ms running `which faust`); not found, it stays bare for the error.
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", "/nonexistent:/usr/bin", 1);
  EXPECT_EQ(faustBinary("sh"), "/usr/bin/sh");
  setenv("PATH", "/nonexistent", 1);
  EXPECT_EQ(faustBinary(""), "faust");
  setenv("PATH", saved.c_str(), 1);
}

bool skipped(llvm::Module &m, const std::string &name) {
  llvm::Function *f = m.getFunction(name);
  EXPECT_TRUE(f) << name;
  return f && f->hasFnAttribute(llvm::Attribute::OptimizeNone) &&
         f->hasFnAttribute(llvm::Attribute::NoInline);
}

// What compute calls, directly or through a pointer, must stay optimisable.
TEST(CompilerTest, SetUpFunctionsSkipTheOptimiserButComputesCalleesDoNot) {
  const char *ir = R"(
define internal float @leaf(float %x) { ret float %x }
define internal float @helper(float %x) {
  %y = call float @leaf(float %x)
  ret float %y
}
define internal void @viaPointer() { ret void }
@table = internal global ptr @viaPointer
define internal void @fillmydspSIG0(ptr %t) { ret void }
define void @classInitmydsp(i32 %sr) {
  call void @fillmydspSIG0(ptr null)
  %y = call float @helper(float 1.0)
  ret void
}
define void @computemydsp(ptr %d, i32 %n, ptr %i, ptr %o) {
  %y = call float @helper(float 1.0)
  store ptr @viaPointer, ptr %d
  ret void
}
)";
  llvm::LLVMContext context;
  auto m = core::parseIR(ir, "t", context);
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  skipSetUpFunctions(**m, "mydsp");
  for (const char *kept : {"computemydsp", "helper", "leaf", "viaPointer"})
    EXPECT_FALSE(
        (*m)->getFunction(kept)->hasFnAttribute(llvm::Attribute::OptimizeNone))
        << kept;
  EXPECT_TRUE(skipped(**m, "classInitmydsp"));
  EXPECT_TRUE(skipped(**m, "fillmydspSIG0"));
  EXPECT_EQ(llvm::toString(core::verifyModule(**m)), "");
}

TEST(CompilerTest, FaustSetUpFunctionsAreSkipped) {
  REQUIRE_FAUST();
  test::TempDir dir;
  FaustInput in;
  in.path = in.displayName = dir.path + "/table.dsp";
  in.source = "import(\"stdfaust.lib\");\n"
              "process = os.osc(440) : fi.lowpass(2, 900);\n";
  std::ofstream(in.path) << in.source;
  kiln::Expected<FaustOutput> result = runFaust(in);
  ASSERT_TRUE(result) << kiln::render(result.diagnostics());
  llvm::LLVMContext context;
  auto m = core::parseIR(result->bitcode, "table", context);
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  skipSetUpFunctions(**m, "mydsp");
  EXPECT_FALSE((*m)->getFunction("computemydsp")
                   ->hasFnAttribute(llvm::Attribute::OptimizeNone));
  for (const char *name :
       {"classInitmydsp", "instanceConstantsmydsp", "instanceClearmydsp",
        "fillmydspSIG0", "getJSONmydsp"})
    EXPECT_TRUE(skipped(**m, name)) << name;
  EXPECT_EQ(llvm::toString(core::verifyModule(**m)), "");
}

/// faust marks its arithmetic `fast`; Kiln compiles it as IEEE arithmetic,
/// or results change with the optimisation level (SAM/virtualAnalog).
TEST(CompilerTest, FaustFastMathFlagsAreDropped) {
  REQUIRE_FAUST();
  test::TempDir dir;
  FaustInput in;
  in.path = in.displayName = dir.path + "/fm.dsp";
  in.source = "process = _ <: _ * 0.5 + _ / 3.0;\n";
  std::ofstream(in.path) << in.source;
  kiln::Expected<FaustOutput> result = runFaust(in);
  ASSERT_TRUE(result) << kiln::render(result.diagnostics());
  llvm::LLVMContext context;
  auto m = core::parseIR(result->bitcode, "fm", context);
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  auto countFast = [&] {
    unsigned n = 0;
    for (llvm::Function &f : **m)
      for (llvm::Instruction &inst : llvm::instructions(f))
        n += llvm::isa<llvm::FPMathOperator>(inst) &&
             inst.getFastMathFlags().any();
    return n;
  };
  EXPECT_GT(countFast(), 0u) << "faust no longer emits fast-math flags";
  dropFastMath(**m);
  EXPECT_EQ(countFast(), 0u);
}

} // namespace
} // namespace kiln::faust
