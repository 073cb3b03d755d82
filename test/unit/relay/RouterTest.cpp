// RouterTest: auto mode tiers functions up on the router's background
// compiler while the interpreter keeps running them; the result never
// depends on when the switch happens. Runs under ThreadSanitizer (label
// concurrency), where it checks the hand-over between the two threads.
#include "kiln/relay/Relay.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <unistd.h>

namespace {

/// Runs `source` with stdout redirected; returns what it printed.
std::string runCapturingStdout(const std::string &source,
                               const kiln::relay::RunOptions &options,
                               std::string &errors,
                               kiln::relay::RunStats &stats, int &status) {
  std::fflush(stdout);
  std::FILE *capture = std::tmpfile();
  int saved = ::dup(1);
  ::dup2(::fileno(capture), 1);
  kiln::Status result = kiln::relay::run("hot.relay", source, options, &stats);
  status = result ? 0 : 1;
  errors = kiln::render(result.diagnostics());
  std::fflush(stdout);
  ::dup2(saved, 1);
  ::close(saved);
  std::string text;
  std::rewind(capture);
  for (int c; (c = std::fgetc(capture)) != EOF;)
    text += char(c);
  std::fclose(capture);
  return text;
}

// sq and tri turn hot after 10 calls and are compiled on the background
// thread while the loop keeps calling them; native tri calls sq through its
// stub, natively or back in the interpreter, whichever is there.
TEST(RelayRouter, TiersUpWhileRunningSeveralTimes) {
  const std::string source = R"(fn sq(x) { return x * x }
fn tri(n) { let s = 0; for i in 0..n { s = s + sq(i) }; return s }
let t = 0
for i in 0..100000 { t = t + sq(i) + tri(i % 50) }
print(t)
)";
  kiln::relay::RunOptions options;
  options.mode = kiln::relay::Mode::Auto;
  options.cache = false;
  options.hotCalls = 10;
  options.tierUpDelayMs = 0;
  options.osrThreshold = 0; // OSR would take the loop, and the calls, native
  for (int round = 0; round < 4; ++round) {
    std::string errors;
    kiln::relay::RunStats stats;
    int status = -1;
    std::string out =
        runCapturingStdout(source, options, errors, stats, status);
    EXPECT_EQ(status, 0) << errors;
    EXPECT_EQ(out, "333329293750000\n") << "round " << round;
    // Both are queued early; the run may end before the second is ready.
    EXPECT_GE(stats.functionsCompiled, 1u) << "round " << round;
    EXPECT_GT(stats.nativeCalls, 0u) << "round " << round;
    EXPECT_GT(stats.interpretedCalls, 0u) << "round " << round;
  }
}

// On-stack replacement: the top-level loop and a loop inside a function
// that is called once are continued in compiled code while they run
// (compiled in the background: the switch may come at any iteration, or
// not at all), sharing the arrays the interpreter made; the output is
// always the same.
const char *const OsrSource = R"(fn fill(a, n) {
    let s = 0
    for i in 0..n {
        a.push(i % 7)
        for j in 0..3 { if j == 1 { continue }; s = s + j * a[i] }
        if s > 1e12 { break }
    }
    return s
}
let a = [1, 2]
let t = fill(a, 200000)
let k = 0
while k < len(a) { t = t + a[k]; k = k + 1 }
a.push(t)
print(t, len(a), a[len(a) - 1])
)";

TEST(RelayRouter, OnStackReplacementWhileRunning) {
  kiln::relay::RunOptions options;
  options.mode = kiln::relay::Mode::Auto;
  options.cache = false;
  options.tierUpDelayMs = 0;
  options.osrThreshold = 100;
  for (int round = 0; round < 4; ++round) {
    std::string errors;
    kiln::relay::RunStats stats;
    int status = -1;
    std::string out =
        runCapturingStdout(OsrSource, options, errors, stats, status);
    EXPECT_EQ(status, 0) << errors;
    EXPECT_EQ(out, "1799985 200003 1799985\n") << "round " << round;
    EXPECT_LE(stats.osrEntries, 2u) << "round " << round;
  }
}

// With osrWait the switch is deterministic: fill's loop at its 101st
// iteration header (the top level only runs 200,000 more iterations after
// fill returns, and is entered too).
TEST(RelayRouter, OnStackReplacementWaitedFor) {
  kiln::relay::RunOptions options;
  options.mode = kiln::relay::Mode::Auto;
  options.cache = false;
  options.tierUpDelayMs = 0;
  options.osrThreshold = 100;
  options.osrWait = true;
  std::string errors;
  kiln::relay::RunStats stats;
  int status = -1;
  std::string out =
      runCapturingStdout(OsrSource, options, errors, stats, status);
  EXPECT_EQ(status, 0) << errors;
  EXPECT_EQ(out, "1799985 200003 1799985\n");
  EXPECT_EQ(stats.osrEntries, 2u);
  EXPECT_EQ(stats.osrCompiled, 2u);
}

} // namespace
