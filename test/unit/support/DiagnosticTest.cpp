// DiagnosticTest: the support layer's diagnostics — fields, attaching source,
// the one renderer (caret, tabs, UTF-8, control bytes, long lines, colour).
#include "kiln/support/Diagnostic.h"

#include <gtest/gtest.h>

using namespace kiln;

namespace {

Diagnostic located(const char *file, uint32_t line, uint32_t col,
                   std::string message, std::string sourceLine = {}) {
  Diagnostic d{{line, col}, std::move(message)};
  d.file = file;
  d.sourceLine = std::move(sourceLine);
  return d;
}

TEST(SupportDiagnostic, RendersLocationSourceLineAndCaret) {
  EXPECT_EQ(render(located("prog.relay", 3, 9, "unknown variable 'y'",
                           "let x = y + 1")),
            "prog.relay:3:9: error: unknown variable 'y'\n"
            "let x = y + 1\n"
            "        ^");
}

TEST(SupportDiagnostic, CaretFollowsTabs) {
  EXPECT_EQ(render(located("f", 1, 3, "bad", "\tx?")),
            "f:1:3: error: bad\n\tx?\n\t ^");
}

// Found by the bad-input corpus: the caret counted bytes (a UTF-8 letter
// before the column shifted it right) and control bytes went out raw.
TEST(SupportDiagnostic, CaretCountsCharactersAndHidesControlBytes) {
  EXPECT_EQ(render(located("f", 1, 10, "bad", "print(1 \xC3\x97 2)")),
            "f:1:10: error: bad\nprint(1 \xC3\x97 2)\n         ^");
  EXPECT_EQ(render(located("f", 1, 9, "bad", std::string("print(1)\0", 9))),
            "f:1:9: error: bad\nprint(1)?\n        ^");
}

TEST(SupportDiagnostic, LongLineShowsAWindowAroundTheColumn) {
  std::string line(300, 'a');
  line[200] = 'X';
  std::string text = render(located("f", 1, 201, "here", line));
  std::string shown = text.substr(text.find('\n') + 1);
  std::string first = shown.substr(0, shown.find('\n'));
  std::string caret = shown.substr(shown.find('\n') + 1);
  EXPECT_EQ(first.substr(0, 3), "...");
  EXPECT_EQ(first.substr(first.size() - 3), "...");
  EXPECT_EQ(first[caret.size() - 1], 'X'); // the caret is under the X
}

TEST(SupportDiagnostic, WithoutLocationOrFile) {
  EXPECT_EQ(render(errorDiagnostic("no input")), "error: no input");
  EXPECT_EQ(render(errorDiagnostic("cannot read", "a.ll")),
            "a.ll: error: cannot read");
}

TEST(SupportDiagnostic, SeveritiesAndNotes) {
  Diagnostic d = located("f", 2, 1, "shadowed", "x");
  d.severity = Severity::Warning;
  d.notes.push_back(located("f", 1, 5, "first defined here", "let x"));
  d.notes.back().severity = Severity::Note;
  EXPECT_EQ(render(d), "f:2:1: warning: shadowed\nx\n^\n"
                       "f:1:5: note: first defined here\nlet x\n    ^");
}

TEST(SupportDiagnostic, RuntimeErrorsSayso) {
  Diagnostic d{{}, "index 3 out of range"};
  d.kind = ErrorKind::Runtime;
  EXPECT_EQ(render(d), "runtime error: index 3 out of range");
  d.file = "p.relay";
  d.loc = {4, 2};
  d.kind = ErrorKind::Timeout;
  EXPECT_EQ(render(d), "p.relay:4:2: runtime error: index 3 out of range");
}

TEST(SupportDiagnostic, AttachSourceFillsFileAndLine) {
  Diagnostics diags{{{2, 3}, "second line"}, {{0, 0}, "whole file"}};
  attachSource(diags, "s.relay", "one\r\ntwo\nthree");
  EXPECT_EQ(diags[0].file, "s.relay");
  EXPECT_EQ(diags[0].sourceLine, "two");
  EXPECT_EQ(diags[1].sourceLine, "");
  EXPECT_EQ(render(diags), "s.relay:2:3: error: second line\ntwo\n  ^\n"
                           "s.relay: error: whole file");
}

TEST(SupportDiagnostic, ColourOnlyWhenAsked) {
  std::string plain = render(located("f", 1, 1, "bad", "x"));
  std::string colour = render(located("f", 1, 1, "bad", "x"), true);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(colour.find("\033[1;31merror:"), std::string::npos) << colour;
}

TEST(SupportDiagnostic, LineOf) {
  std::string text = "one\ntwo\r\nthree";
  EXPECT_EQ(lineOf(text, 1), "one");
  EXPECT_EQ(lineOf(text, 2), "two");
  EXPECT_EQ(lineOf(text, 3), "three");
  EXPECT_EQ(lineOf(text, 4), "");
  EXPECT_EQ(lineOf("\xEF\xBB\xBFone\ntwo", 1), "one");
}

} // namespace
