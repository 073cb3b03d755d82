// CompilerTest: faust's error messages as Kiln diagnostics (no faust needed).
#include "compiler/FaustCompiler.h"

#include <gtest/gtest.h>

namespace kiln::faust {
namespace {

FaustInput input() {
  FaustInput in;
  in.path = "/tmp/kiln-faust-x/input.dsp";
  in.displayName = "my.dsp";
  in.source = "import(\"stdfaust.lib\");\n  process = os.osc(foo);\n";
  return in;
}

TEST(CompilerTest, LocatedErrorGetsSourceLineAndCaret) {
  EXPECT_EQ(renderFaustErrors(
                "/tmp/kiln-faust-x/input.dsp : 2 : ERROR : undefined symbol : foo\n",
                input()),
            "my.dsp:2:20: error: undefined symbol : foo\n"
            "  process = os.osc(foo);\n"
            "                   ^");
}

TEST(CompilerTest, FileFormAndExtraLinesAreKept) {
  EXPECT_EQ(renderFaustErrors("ERROR (file my.dsp:1) : multiple definitions\nfoo = 1;\n",
                              input()),
            "my.dsp:1:1: error: multiple definitions\n"
            "import(\"stdfaust.lib\");\n^\nfoo = 1;");
}

TEST(CompilerTest, ErrorsInLibrariesNameTheLibrary) {
  EXPECT_EQ(renderFaustErrors("/usr/share/faust/maths.lib : 12 : ERROR : oops\n",
                              input()),
            "/usr/share/faust/maths.lib:12:1: error: oops");
}

TEST(CompilerTest, UnlocatedErrorsNameTheFile) {
  EXPECT_EQ(renderFaustErrors("ERROR in sequential composition A:B\nmore\n", input()),
            "my.dsp: error: in sequential composition A:B\nmore");
  EXPECT_EQ(renderFaustErrors("", input()),
            "my.dsp: error: the Faust compiler failed without a message");
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

} // namespace
} // namespace kiln::faust
