// ReplSessionTest: Repl::session gathers lines into entries while brackets
// are open, evaluates them, reports failures and an entry left open at end
// of input; and the spellings, stats lines and OSR knob of relay/Options.h.
#include "kiln/relay/Relay.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace kiln::relay;

/// A session over `lines`; `out` gets the printed text, `prompts` each
/// prompt shown and `reported` each failure's first message.
struct Session {
  std::string out;
  std::vector<std::string> prompts, reported;
  Repl::SessionResult run(Repl &repl, std::vector<std::string> lines) {
    size_t next = 0;
    return repl.session(
        [&](const char *prompt, std::string &line) {
          prompts.push_back(prompt);
          if (next == lines.size())
            return false;
          line = lines[next++];
          return true;
        },
        [&](const kiln::Diagnostics &diags) {
          ASSERT_FALSE(diags.empty());
          reported.push_back(diags[0].message);
        });
  }
  RunOptions options() {
    RunOptions options;
    options.print = [this](std::string_view text) { out += text; };
    return options;
  }
};

TEST(RelayReplSession, EntriesContinueWhileBracketsAreOpen) {
  Session s;
  Repl repl(s.options());
  auto result = s.run(repl, {"fn twice(x) {", "  return x * 2", "}", "",
                             "print(twice(21))", "print(nope)", "print(1)"});
  EXPECT_EQ(s.out, "42\n1\n");
  EXPECT_EQ(result.failures, 1u);
  EXPECT_FALSE(result.unfinished);
  ASSERT_EQ(s.reported.size(), 1u);
  EXPECT_NE(s.reported[0].find("nope"), std::string::npos) << s.reported[0];
  std::vector<std::string> prompts = {"relay> ", "  ...> ", "  ...> ",
                                      "relay> ", "relay> ", "relay> ",
                                      "relay> ", "relay> "};
  EXPECT_EQ(s.prompts, prompts);
  EXPECT_EQ(repl.statsLine(), "stats: functions-compiled " +
                                  std::to_string(repl.functionsCompiled()) +
                                  " compilations " +
                                  std::to_string(repl.compilations()) +
                                  " level O2\n");
}

TEST(RelayReplSession, AnEntryLeftOpenIsReportedAndUnfinished) {
  Session s;
  Repl repl(s.options());
  auto result = s.run(repl, {"print(1)", "print((2 + 3)"});
  EXPECT_EQ(s.out, "1\n");
  EXPECT_EQ(result.failures, 0u);
  EXPECT_TRUE(result.unfinished);
  EXPECT_EQ(s.reported.size(), 1u);
}

TEST(RelayReplSession, BlankInputIsNoEntry) {
  Session s;
  Repl repl(s.options());
  auto result = s.run(repl, {"", "  ", ""});
  EXPECT_EQ(result.failures, 0u);
  EXPECT_FALSE(result.unfinished);
  EXPECT_TRUE(s.reported.empty());
}

TEST(RelayOptionNames, ModesAndBuildKinds) {
  EXPECT_EQ(parseMode("interp"), Mode::Interp);
  EXPECT_EQ(parseMode("jit"), Mode::Jit);
  EXPECT_EQ(parseMode("auto"), Mode::Auto);
  EXPECT_EQ(parseMode("JIT"), std::nullopt);
  EXPECT_EQ(parseBuildKind("exe"), BuildKind::Executable);
  EXPECT_EQ(parseBuildKind("obj"), BuildKind::Object);
  EXPECT_EQ(parseBuildKind("asm"), BuildKind::Assembly);
  EXPECT_EQ(parseBuildKind("ll"), BuildKind::IR);
  EXPECT_EQ(parseBuildKind("bc"), BuildKind::Bitcode);
  EXPECT_EQ(parseBuildKind("tokens"), BuildKind::Tokens);
  EXPECT_EQ(parseBuildKind("ast"), BuildKind::AST);
  EXPECT_EQ(parseBuildKind("shared"), std::nullopt);
}

TEST(RelayOptionNames, StatsLineNamesEveryCounter) {
  RunStats stats{1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(
      statsLine(stats),
      "stats: compilations 1 cache-hits 2 functions-compiled 3 "
      "native-calls 4 interpreted-calls 5 osr-compiled 6 osr-entries 7\n");
}

TEST(RelayOptionNames, DeterministicOsrTakesACount) {
  RunOptions options;
  EXPECT_TRUE(setDeterministicOsr(options, "25"));
  EXPECT_EQ(options.osrThreshold, 25u);
  EXPECT_EQ(options.tierUpDelayMs, 0);
  EXPECT_TRUE(options.osrWait);
  for (const char *bad : {"", "-1", "12x", "lots"}) {
    RunOptions unchanged;
    EXPECT_FALSE(setDeterministicOsr(unchanged, bad)) << bad;
    EXPECT_EQ(unchanged.osrThreshold, RunOptions().osrThreshold) << bad;
    EXPECT_FALSE(unchanged.osrWait) << bad;
  }
}

} // namespace
