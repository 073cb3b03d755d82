// DiagnosticTest: rendering with location, source line and caret; IR parse
// errors carry their position; several diagnostics in one error.
#include "TestUtil.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"

#include <vector>

using namespace kiln;

namespace {

TEST(Diagnostic, KilnErrorKeepsTheDiagnostic) {
  Diagnostics diags{{{3, 9}, "unknown variable 'y'"}};
  attachSource(diags, "prog.relay", "\n\nlet x = y + 1\n");
  core::KilnError e(diags[0]);
  EXPECT_EQ(e.render(), "prog.relay:3:9: error: unknown variable 'y'\n"
                        "let x = y + 1\n"
                        "        ^");
  EXPECT_EQ(e.diagnostic().loc.line, 3u);
  EXPECT_EQ(e.diagnostic().file, "prog.relay");
}

TEST(Diagnostic, WithoutLocation) {
  EXPECT_EQ(test::errorText(core::makeError("no input")), "error: no input");
}

TEST(Diagnostic, ErrorsAndDiagnosticsRoundTrip) {
  Diagnostics diags{{{1, 1}, "first"}, {{2, 2}, "second"}};
  attachSource(diags, "p", "a\nbc");
  llvm::Error err = core::toError(diags);
  Diagnostics back = core::toDiagnostics(std::move(err));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].loc.col, 2u);
  EXPECT_EQ(back[1].message, "second");
  EXPECT_EQ(render(back),
            "p:1:1: error: first\na\n^\np:2:2: error: second\nbc\n ^");
  EXPECT_EQ(test::errorText(core::toError({})), "");
  // A plain llvm::Error becomes an unlocated diagnostic with its message.
  Diagnostics plain = core::toDiagnostics(
      llvm::createStringError(llvm::inconvertibleErrorCode(), "boom"));
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].message, "boom");
  EXPECT_FALSE(plain[0].loc.known());
}

TEST(Diagnostic, ToExpected) {
  kiln::Expected<int> good = core::toExpected(llvm::Expected<int>(7));
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 7);
  kiln::Expected<int> bad =
      core::toExpected(llvm::Expected<int>(core::makeError("no")));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.diagnostics()[0].message, "no");
}

TEST(Diagnostic, IRParseErrorHasPosition) {
  llvm::LLVMContext context;
  auto module =
      core::parseIR("define i32 @f() {\n  ret i64 0\n}\n", "bad.ll", context);
  ASSERT_FALSE(bool(module));
  EXPECT_EQ(
      test::errorText(module.takeError()),
      "bad.ll:2:7: error: value doesn't match function result type 'i32'\n"
      "  ret i64 0\n"
      "      ^");
}

/// parseIR takes a StringRef, which need not be followed by a NUL; LLVM's
/// IR lexer read on past its end in an unterminated string constant (found
/// by the ir fuzz target with this input: a heap overflow under ASan, so
/// the sanitizer suite fails without the fix). The text ends at its length.
TEST(Diagnostic, IRTextEndsAtItsLength) {
  llvm::LLVMContext context;
  const std::string input(
      "@t = thread_local global\"i32 5\ndefine i64 @main() {\n"
      "  %\x01\0\0%w = sext\0\0t i64 %w\n}\n",
      80);
  std::vector<char> exact(input.begin(), input.end()); // nothing after it
  auto module = core::parseIR(llvm::StringRef(exact.data(), exact.size()),
                              "fuzz.ll", context);
  ASSERT_FALSE(bool(module));
  EXPECT_EQ(test::errorText(module.takeError()),
            "fuzz.ll:1:25: error: expected type\n"
            "@t = thread_local global\"i32 5\n"
            "                        ^");
}

TEST(Diagnostic, MissingFileIsOneLine) {
  llvm::LLVMContext context;
  auto module = core::loadIRFile("/no/such/file.ll", context);
  ASSERT_FALSE(bool(module));
  EXPECT_EQ(test::errorText(module.takeError()),
            "error: cannot open '/no/such/file.ll': No such file or directory");
}

TEST(Diagnostic, GarbageBitcodeIsAnError) {
  llvm::LLVMContext context;
  std::string garbage("BC\xc0\xde\x01\x02\x03", 7);
  auto module = core::parseIR(garbage, "broken.bc", context);
  ASSERT_FALSE(bool(module));
  std::string text = test::errorText(module.takeError());
  EXPECT_EQ(text.rfind("broken.bc", 0), 0u) << text;
  EXPECT_NE(text.find("error:"), std::string::npos) << text;
}

} // namespace
