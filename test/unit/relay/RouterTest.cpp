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
                               std::string &errors, kiln::relay::RunStats &stats,
                               int &status) {
  std::fflush(stdout);
  std::FILE *capture = std::tmpfile();
  int saved = ::dup(1);
  ::dup2(::fileno(capture), 1);
  status = kiln::relay::run("hot.relay", source, options, errors, &stats);
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
  for (int round = 0; round < 4; ++round) {
    std::string errors;
    kiln::relay::RunStats stats;
    int status = -1;
    std::string out = runCapturingStdout(source, options, errors, stats, status);
    EXPECT_EQ(status, 0) << errors;
    EXPECT_EQ(out, "333329293750000\n") << "round " << round;
    // Both are queued early; the run may end before the second is ready.
    EXPECT_GE(stats.functionsCompiled, 1u) << "round " << round;
    EXPECT_GT(stats.nativeCalls, 0u) << "round " << round;
    EXPECT_GT(stats.interpretedCalls, 0u) << "round " << round;
  }
}

} // namespace
