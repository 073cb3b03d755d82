// OsrChoiceTest: which loop of a hot call on-stack replacement enters, and
// when a call is long enough to tier up at once (frontends/relay/driver/
// OsrChoice). The clock is passed in, so every case is deterministic.
#include "relay/driver/OsrChoice.h"

#include "relay/syntax/AST.h"

#include <gtest/gtest.h>

#include <chrono>

namespace kiln::relay {
namespace {

using namespace std::chrono_literals;
using Clock = OsrChoice::Clock;

/// A nest `for (outer) { for (middle) { for (inner) } }` of range loops as
/// the interpreter's records describe it, innermost first.
struct Nest {
  ForRangeStmt outerLoop{Loc{1, 1}}, middleLoop{Loc{2, 5}}, innerLoop{Loc{3, 9}};
  OsrLoop outer, middle, inner;
  Clock::time_point t0 = Clock::now();

  Nest() {
    outer.loop = &outerLoop;
    outer.run = 1;
    outer.end = 1000;
    middle.loop = &middleLoop;
    middle.outer = &outer;
    middle.run = 2;
    middle.end = 1000;
    inner.loop = &innerLoop;
    inner.outer = &middle;
    inner.run = 3;
    inner.end = 1000;
  }
};

TEST(RelayOsrChoice, EntersTheOutermostLoopWhoseIterationsAreShort) {
  Nest n;
  OsrChoice choice;
  choice.observe(n.inner, n.t0);
  n.outer.counter = 10; // 10 iterations in 100 µs
  n.middle.counter = 3;
  choice.observe(n.inner, n.t0 + 100us);
  EXPECT_EQ(choice.pace(n.outer, n.t0 + 100us), OsrChoice::Pace::Short);
  EXPECT_EQ(choice.choose(n.inner, n.t0 + 100us), &n.outer);
}

TEST(RelayOsrChoice, SkipsLoopsWithLongIterations) {
  Nest n;
  OsrChoice choice;
  choice.observe(n.inner, n.t0);
  n.middle.counter = 100; // the outer loop has not moved in 5 ms
  choice.observe(n.inner, n.t0 + 5ms);
  EXPECT_EQ(choice.pace(n.outer, n.t0 + 5ms), OsrChoice::Pace::Long);
  EXPECT_EQ(choice.choose(n.inner, n.t0 + 5ms), &n.middle);
  n.middle.counter = 101; // nor has the middle one, much
  EXPECT_EQ(choice.choose(n.inner, n.t0 + 500ms), &n.inner);
}

TEST(RelayOsrChoice, WaitsWhileTooLittleIsKnown) {
  Nest n;
  OsrChoice choice;
  choice.observe(n.inner, n.t0);
  n.outer.counter = 1;
  EXPECT_EQ(choice.pace(n.outer, n.t0 + 500us), OsrChoice::Pace::Unknown);
  EXPECT_EQ(choice.choose(n.inner, n.t0 + 500us), nullptr);
  // A new run of the loop (a later call) starts the watch again.
  n.outer.counter = 50;
  choice.observe(n.inner, n.t0 + 600us);
  EXPECT_EQ(choice.choose(n.inner, n.t0 + 600us), &n.outer);
  n.outer.run = 7;
  choice.observe(n.inner, n.t0 + 700us);
  EXPECT_EQ(choice.pace(n.outer, n.t0 + 700us), OsrChoice::Pace::Unknown);
  EXPECT_EQ(choice.choose(n.inner, n.t0 + 700us), nullptr);
}

TEST(RelayOsrChoice, AgeOfTheCurrentIteration) {
  Nest n;
  OsrChoice choice;
  EXPECT_EQ(choice.iterationAge(n.outer, n.t0), Clock::duration(0));
  choice.observe(n.inner, n.t0);
  n.outer.counter = 5;
  choice.observe(n.inner, n.t0 + 1ms);
  choice.observe(n.inner, n.t0 + 30ms); // slowed down: no move since 1 ms
  EXPECT_EQ(choice.iterationAge(n.outer, n.t0 + 30ms), 29ms);
  EXPECT_EQ(choice.pace(n.outer, n.t0 + 30ms), OsrChoice::Pace::Long);
  WhileStmt loop{Loc{1, 1}};
  n.outer.loop = &loop;
  EXPECT_EQ(choice.iterationAge(n.outer, n.t0), Clock::duration::max());
}

TEST(RelayOsrChoice, NeverChoosesAWhileLoop) {
  Nest n;
  WhileStmt loop{Loc{1, 1}};
  n.outer.loop = &loop; // `while` around the range loops: no counter
  OsrChoice choice;
  choice.observe(n.inner, n.t0);
  n.middle.counter = 50;
  choice.observe(n.inner, n.t0 + 100us);
  EXPECT_EQ(choice.pace(n.outer, n.t0 + 100us), OsrChoice::Pace::Long);
  EXPECT_EQ(choice.choose(n.inner, n.t0 + 100us), &n.middle);
}

TEST(RelayOsrChoice, RemainingTimeFromThePaceOfAtLeast16Iterations) {
  Nest n;
  OsrChoice choice;
  choice.observe(n.inner, n.t0);
  n.inner.counter = 15;
  choice.observe(n.inner, n.t0 + 15us);
  EXPECT_EQ(choice.remaining(n.inner, n.t0 + 15us), Clock::duration(0));
  n.inner.counter = 100; // 1 µs per iteration, 900 to go: 0.9 ms
  n.outer.counter = 20;  // 5 µs per iteration, 980 to go: 4.9 ms
  auto left = choice.remaining(n.inner, n.t0 + 100us);
  EXPECT_GT(left, 4800us);
  EXPECT_LT(left, 5000us);
}

} // namespace
} // namespace kiln::relay
