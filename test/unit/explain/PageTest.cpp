// PageTest: the pieces of a `kiln explain` page — escaping, the source
// lines read from IR and assembly, the pass diffs, the whole page.
#include "CodeLines.h"
#include "HtmlPage.h"
#include "HtmlText.h"
#include "LineDiff.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::tool::explain;

namespace {

TEST(HtmlText, EscapesEveryReservedCharacter) {
  EXPECT_EQ(escapeHtml(R"(<script>a&&b</script> "x" 'y')"),
            "&lt;script&gt;a&amp;&amp;b&lt;/script&gt; &quot;x&quot; "
            "&#39;y&#39;");
  EXPECT_EQ(element("p", "a\"b", "<i>"), "<p class=\"a&quot;b\">&lt;i&gt;</p>");
}

TEST(HtmlText, ReplacesBytesThatAreNotUtf8) {
  // Valid two-, three- and four-byte sequences pass through.
  EXPECT_EQ(escapeHtml("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5"),
            "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5");
  const std::string bad = "\xEF\xBF\xBD";
  // A stray byte, an overlong '/', a surrogate, past U+10FFFF, truncated.
  EXPECT_EQ(escapeHtml("a\xFF"
                       "b"),
            "a" + bad + "b");
  EXPECT_EQ(escapeHtml("\xC0\xAF"), bad + bad);
  EXPECT_EQ(escapeHtml("\xED\xA0\x80"), bad + bad + bad);
  EXPECT_EQ(escapeHtml("\xF4\x90\x80\x80"), bad + bad + bad + bad);
  EXPECT_EQ(escapeHtml("x\xE2\x82"), "x" + bad + bad);
  EXPECT_EQ(escapeHtml("\xE2\x82<"), bad + bad + "&lt;");
}

const char *DebugIR = R"(define double @f(double %x) !dbg !5 {
  %y = fmul double %x, 2.0, !dbg !9
  ret double %y, !dbg !10
}

!llvm.dbg.cu = !{!0}
!5 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 3, scopeLine: 3, unit: !0)
!9 = !DILocation(line: 4, column: 16, scope: !5)
!10 = !DILocation(line: 12, column: 5, scope: !5)
)";

TEST(CodeLines, IRLinesDropMetadataAndKeepLines) {
  std::vector<CodeLine> lines = irLines(DebugIR);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "define double @f(double %x) {");
  EXPECT_EQ(lines[0].src, 3u); // the DISubprogram's line, not scopeLine's
  EXPECT_EQ(lines[1].text, "  %y = fmul double %x, 2.0");
  EXPECT_EQ(lines[1].src, 4u);
  EXPECT_EQ(lines[2].src, 12u);
  EXPECT_EQ(lines[3].text, "}");
  EXPECT_EQ(lines[3].src, 0u);
}

TEST(CodeLines, AsmLinesFollowLocAndSkipDwarf) {
  const char *assembly = "f:\n\t.loc\t1 4 16 prologue_end\n\tvaddsd\t%xmm0, "
                         "%xmm0, %xmm0\n\tmovq\t%rax, %rbx\n\t.loc\t1 12 5\n"
                         "\tretq\n.Lfunc_end0:\n\tnop\n\t.section\t.debug_"
                         "abbrev,\"\",@progbits\n\t.byte\t1\n\t.section\t"
                         "\".note.GNU-stack\"\n";
  std::vector<CodeLine> lines = asmLines(assembly);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[1].src, 4u);
  EXPECT_EQ(lines[1].srcHeading, 4u);
  EXPECT_EQ(lines[2].src, 4u);
  EXPECT_EQ(lines[2].srcHeading, 0u); // the same line goes on
  EXPECT_EQ(lines[3].src, 12u);
  EXPECT_EQ(lines[3].srcHeading, 12u);
  EXPECT_EQ(lines[5].text, "\tnop");
  EXPECT_EQ(lines[5].src, 0u); // after the function: no line
  EXPECT_EQ(lines[6].text, "\t.section\t\".note.GNU-stack\"");
}

std::vector<CodeLine> toLines(std::initializer_list<const char *> texts) {
  std::vector<CodeLine> out;
  for (const char *t : texts)
    out.push_back({t});
  return out;
}

TEST(LineDiff, ShowsChangesWithContextAndGaps) {
  auto before = toLines({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"});
  auto after = toLines({"a", "b", "c", "d", "e", "F", "g", "h", "i", "j"});
  std::vector<DiffLine> diff = diffLines(before, after, 1);
  std::string shape;
  for (const DiffLine &d : diff)
    shape += d.kind == DiffLine::Gap ? "~"
             : d.kind == DiffLine::Same
                 ? d.line->text
                 : (d.kind == DiffLine::Added ? "+" : "-") + d.line->text;
  EXPECT_EQ(shape, "~e-f+Fg~");
  EXPECT_TRUE(diffLines(before, before).empty());
}

TEST(LineDiff, InsertionsAndDeletions) {
  auto before = toLines({"x", "y", "z"});
  auto after = toLines({"w", "x", "z", "q"});
  std::string shape;
  for (const DiffLine &d : diffLines(before, after))
    shape += (d.kind == DiffLine::Same    ? " "
              : d.kind == DiffLine::Added ? "+"
                                          : "-") +
             d.line->text;
  EXPECT_EQ(shape, "+w x-y z+q");
}

TEST(HtmlPage, EscapesTheSourceAndHasEverySection) {
  core::Explanation e;
  e.language = "relay";
  e.file = "<b>.relay";
  e.source = "print(1) // </script><script>alert(1)</script>\n";
  e.tokens = "1:1 Ident print\n";
  e.irGenerated = DebugIR;
  e.passes.changed.push_back(
      {"InstCombinePass on <f>", "define void @f() {\n}\n", 0.5});
  e.assembly = "f:\n\t.loc\t1 1 0\n\tretq\n";
  std::string page = renderPage(e);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;/script&gt;&lt;script&gt;alert(1)"),
            std::string::npos);
  EXPECT_NE(page.find("InstCombinePass on &lt;f&gt;"), std::string::npos);
  EXPECT_NE(page.find("<title>kiln explain &lt;b&gt;.relay</title>"),
            std::string::npos);
  for (const char *id : {"source", "tokens", "ast", "ir", "passes", "final-ir",
                         "asm", "timings"})
    EXPECT_NE(page.find("<section id=\"" + std::string(id) + "\""),
              std::string::npos)
        << id;
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find(" src="), std::string::npos); // nothing to fetch
}

} // namespace
