// ExpectedTest: the result type, and OptLevel's one spelling.
#include "kiln/support/Expected.h"
#include "kiln/support/OptLevel.h"

#include <gtest/gtest.h>

#include <memory>

using namespace kiln;

namespace {

Expected<int> half(int x) {
  if (x % 2)
    return Diagnostic{{1, 2}, "odd"};
  return x / 2;
}

TEST(SupportExpected, ValueOrDiagnostics) {
  auto good = half(8);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.diagnostics().empty());
  auto bad = half(3);
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.diagnostics().size(), 1u);
  EXPECT_EQ(bad.diagnostics()[0].loc.col, 2u);
  EXPECT_EQ(bad.takeDiagnostics()[0].message, "odd");
}

TEST(SupportExpected, MoveOnlyValuesAndVoid) {
  Expected<std::unique_ptr<int>> p(std::make_unique<int>(5));
  ASSERT_TRUE(p);
  std::unique_ptr<int> owned = std::move(*p);
  EXPECT_EQ(*owned, 5);
  Status ok;
  EXPECT_TRUE(ok);
  Status failed(errorDiagnostic("no"));
  EXPECT_FALSE(failed);
  EXPECT_EQ(failed.diagnostics()[0].message, "no");
}

TEST(SupportOptLevel, ParsesEverySpelling) {
  EXPECT_EQ(parseOptLevel("2"), OptLevel::O2);
  EXPECT_EQ(parseOptLevel("-O3"), OptLevel::O3);
  EXPECT_EQ(parseOptLevel("Os"), OptLevel::Os);
  EXPECT_EQ(parseOptLevel("z"), OptLevel::Oz);
  EXPECT_EQ(parseOptLevel("-O"), std::nullopt);
  EXPECT_EQ(parseOptLevel("4"), std::nullopt);
  EXPECT_EQ(parseOptLevel("22"), std::nullopt);
  for (OptLevel l : {OptLevel::O0, OptLevel::O1, OptLevel::O2, OptLevel::O3,
                     OptLevel::Os, OptLevel::Oz})
    EXPECT_EQ(parseOptLevel(optLevelName(l)), l);
  EXPECT_EQ(optLevelNumber(OptLevel::O1), 1u);
  EXPECT_EQ(optLevelNumber(OptLevel::Oz), 2u);
}

} // namespace
