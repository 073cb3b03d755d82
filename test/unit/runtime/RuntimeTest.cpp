// RuntimeTest: number formatting, guarded traps and checked arrays of the C
// runtime that generated code calls.
#include "kiln/runtime/Abi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include <unistd.h>

namespace {

std::string format(double v) {
  char buf[32];
  int n = kiln_rt_format_f64(buf, sizeof buf, v);
  EXPECT_EQ(n, int(std::string(buf).size()));
  return buf;
}

TEST(RuntimeFormat, IntegralValuesHaveNoDecimalPoint) {
  EXPECT_EQ(format(0), "0");
  EXPECT_EQ(format(-0.0), "-0");
  EXPECT_EQ(format(42), "42");
  EXPECT_EQ(format(-7), "-7");
  EXPECT_EQ(format(9007199254740991.0), "9007199254740991");
}

TEST(RuntimeFormat, ShortestRoundTrip) {
  EXPECT_EQ(format(0.1), "0.1");
  EXPECT_EQ(format(2.5), "2.5");
  EXPECT_EQ(format(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(format(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format(1e21), "1e+21");
  EXPECT_EQ(format(5e-324), "5e-324");
  for (double v : {M_PI, -M_E, 1e-7, 123456.789, 1.7976931348623157e308})
    EXPECT_EQ(std::strtod(format(v).c_str(), nullptr), v) << format(v);
}

TEST(RuntimeFormat, SpecialValues) {
  EXPECT_EQ(format(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(format(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format(-std::numeric_limits<double>::infinity()), "-inf");
}

void trapsAt7(void *) { kiln_rt_trap("boom", "prog.relay", 7, 3); }
void returnsNormally(void *ctx) { *static_cast<int *>(ctx) = 1; }

TEST(RuntimeTrap, GuardedCallCatchesTrap) {
  kiln_rt_trap_info info;
  ASSERT_EQ(kiln_rt_call_guarded(trapsAt7, nullptr, &info), 1);
  EXPECT_STREQ(info.message, "boom");
  EXPECT_STREQ(info.file, "prog.relay");
  EXPECT_EQ(info.line, 7);
  EXPECT_EQ(info.column, 3);
  int flag = 0;
  EXPECT_EQ(kiln_rt_call_guarded(returnsNormally, &flag, &info), 0);
  EXPECT_EQ(flag, 1);
}

void nested(void *ctx) {
  kiln_rt_trap_info inner;
  int rc = kiln_rt_call_guarded(trapsAt7, nullptr, &inner);
  *static_cast<int *>(ctx) = rc;
  kiln_rt_trap("outer", nullptr, 0, 0);
}

TEST(RuntimeTrap, GuardsNest) {
  int innerResult = -1;
  kiln_rt_trap_info info;
  ASSERT_EQ(kiln_rt_call_guarded(nested, &innerResult, &info), 1);
  EXPECT_EQ(innerResult, 1);
  EXPECT_STREQ(info.message, "outer");
  EXPECT_EQ(info.line, 0);
}

TEST(RuntimeTrap, UnguardedTrapExitsWithStatusOne) {
  EXPECT_EXIT(kiln_rt_trap("index out of range", "a.relay", 2, 5),
              ::testing::ExitedWithCode(1),
              "a.relay:2:5: runtime error: index out of range");
}

struct ArrayCase {
  kiln_rt_array *array;
  double index;
};

void readAt(void *ctx) {
  auto *c = static_cast<ArrayCase *>(ctx);
  kiln_rt_array_get(c->array, c->index, "arr.relay", 4, 9);
}

TEST(RuntimeArray, PushGetSet) {
  kiln_rt_array *a = kiln_rt_array_new(2);
  EXPECT_EQ(a->length, 2);
  EXPECT_EQ(kiln_rt_array_get(a, 1, nullptr, 0, 0), 0.0);
  for (int i = 0; i < 100; ++i)
    kiln_rt_array_push(a, i * 0.5);
  EXPECT_EQ(a->length, 102);
  EXPECT_EQ(kiln_rt_array_get(a, 101, nullptr, 0, 0), 49.5);
  kiln_rt_array_set(a, 0, -1.25, nullptr, 0, 0);
  EXPECT_EQ(a->data[0], -1.25);
  kiln_rt_array_free(a);
}

TEST(RuntimeArray, OutOfRangeAndFractionalIndicesTrap) {
  kiln_rt_array *a = kiln_rt_array_new(3);
  kiln_rt_trap_info info;
  ArrayCase past{a, 3};
  ASSERT_EQ(kiln_rt_call_guarded(readAt, &past, &info), 1);
  EXPECT_STREQ(info.message, "array index 3 out of range (length 3)");
  EXPECT_EQ(info.line, 4);
  ArrayCase negative{a, -1};
  ASSERT_EQ(kiln_rt_call_guarded(readAt, &negative, &info), 1);
  EXPECT_STREQ(info.message, "array index -1 out of range (length 3)");
  ArrayCase fraction{a, 1.5};
  ASSERT_EQ(kiln_rt_call_guarded(readAt, &fraction, &info), 1);
  EXPECT_STREQ(info.message, "array index 1.5 is not an integer");
  ArrayCase nan{a, std::nan("")};
  ASSERT_EQ(kiln_rt_call_guarded(readAt, &nan, &info), 1);
  kiln_rt_array_free(a);
}

// ---- Guards: time limits
// ------------------------------------------------------

TEST(RuntimeGuard, ParseTimeoutAcceptsPositiveNumbers) {
  double seconds = 0;
  EXPECT_EQ(kiln_rt_parse_timeout("2.5", &seconds), 0);
  EXPECT_EQ(seconds, 2.5);
  EXPECT_EQ(kiln_rt_parse_timeout("1e3", &seconds), 0);
  EXPECT_EQ(seconds, 1000);
  EXPECT_EQ(kiln_rt_parse_timeout("inf", &seconds), 0);
  EXPECT_TRUE(std::isinf(seconds));
}

TEST(RuntimeGuard, ParseTimeoutRefusesGarbage) {
  double seconds = 7;
  for (const char *text :
       {"abc", "", " 1", "1 ", "1s", "0", "-1", "nan", "-inf", "-0"})
    EXPECT_EQ(kiln_rt_parse_timeout(text, &seconds), 1) << text;
  EXPECT_EQ(kiln_rt_parse_timeout(nullptr, &seconds), 1);
  EXPECT_EQ(seconds, 7);
}

TEST(RuntimeGuard, WatchdogRefusesZeroNegativeAndNan) {
  EXPECT_EQ(kiln_rt_watchdog_start(0), 1);
  EXPECT_EQ(kiln_rt_watchdog_start(-1), 1);
  EXPECT_EQ(kiln_rt_watchdog_start(std::nan("")), 1);
  kiln_rt_watchdog_stop();
}

// `--timeout inf` and `1e19` once cast inf to long long (undefined) and left
// the watchdog spinning on EINVAL with its mutex held, so stopping it could
// hang. Now they mean no limit; huge finite limits stop promptly too.
TEST(RuntimeGuard, HugeAndInfiniteTimeoutsStopPromptly) {
  for (double seconds : {std::numeric_limits<double>::infinity(), 1e19,
                         double(KILN_RT_TIMEOUT_MAX), 5e8, 1e300}) {
    for (int round = 0; round < 20; ++round) {
      ASSERT_EQ(kiln_rt_watchdog_start(seconds), 0) << seconds;
      kiln_rt_watchdog_stop();
      EXPECT_EQ(kiln_rt_interrupted, 0) << seconds;
    }
  }
}

TEST(RuntimeGuard, ShortTimeoutStillInterrupts) {
  ASSERT_EQ(kiln_rt_watchdog_start(0.02), 0);
  for (int i = 0; i < 500 && !kiln_rt_interrupted; ++i)
    usleep(10000);
  EXPECT_EQ(kiln_rt_interrupted, 1);
  kiln_rt_watchdog_stop();
  kiln_rt_interrupted = 0;
}

// ---- Guards: native stack for the depth limit
// ---------------------------------

TEST(RuntimeStack, StackGrowsWithTheDepthLimit) {
  EXPECT_GE(kiln_rt_stack_for_depth(10000), size_t(10000) * 300);
  EXPECT_GT(kiln_rt_stack_for_depth(2000000), kiln_rt_stack_for_depth(10000));
  EXPECT_LE(kiln_rt_stack_limit(), size_t(64) << 30);
  for (int64_t depth : {int64_t(100), int64_t(10000), int64_t(1000000)}) {
    EXPECT_GE(kiln_rt_stack_reserve(depth), kiln_rt_stack_for_depth(depth));
    EXPECT_LE(kiln_rt_stack_reserve(depth),
              std::max(kiln_rt_stack_limit(), kiln_rt_stack_for_depth(depth)));
  }
  char message[256] = "";
  EXPECT_EQ(kiln_rt_depth_message(10000, message, sizeof message), 0);
  EXPECT_STREQ(message, "");
}

TEST(RuntimeStack, DepthNoStackCanHoldIsRefusedWithWhatFits) {
  char message[256] = "";
  ASSERT_EQ(kiln_rt_depth_message(100000000, message, sizeof message), 1);
  std::string text = message;
  EXPECT_EQ(text.rfind("--max-depth 100000000 needs about 97674 MiB of stack, "
                       "more than the ",
                       0),
            0u)
      << text;
  size_t use = text.find("; use --max-depth ");
  ASSERT_NE(use, std::string::npos) << text;
  long long fits = std::atoll(text.c_str() + use + 18);
  EXPECT_GT(fits, 0);
  EXPECT_LE(kiln_rt_stack_for_depth(fits), kiln_rt_stack_limit());
  EXPECT_GT(kiln_rt_stack_for_depth(fits + 1), kiln_rt_stack_limit());
  EXPECT_EQ(kiln_rt_depth_message(2147483647, message, sizeof message), 1);
}

/// Recurses natively like a deep Relay program: 512 bytes a level.
int recurse(int n) {
  volatile char frame[512];
  frame[0] = char(n);
  return n == 0 ? frame[0] : recurse(n - 1) + frame[0] - char(n) + 1;
}
int reached;
void deepProgram() { reached = recurse(200000); }

// 200,000 levels of 512 bytes need ~100 MiB, far more than an 8 MiB main
// thread: kiln_rt_main must run the program on a stack sized for its limit.
TEST(RuntimeStack, MainRunsTheProgramOnAStackForItsDepth) {
  int32_t saved = kiln_rt_max_depth;
  unsetenv("KILN_TIMEOUT");
  EXPECT_EQ(kiln_rt_main(deepProgram, 200000, 0), 0);
  EXPECT_EQ(reached, 200000);
  EXPECT_EQ(kiln_rt_max_depth, 200000);
  kiln_rt_max_depth = saved;
}

void neverRuns() { std::abort(); }

TEST(RuntimeStack, MainRefusesLimitsBeforeRunning) {
  int32_t saved = kiln_rt_max_depth;
  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_rt_main(neverRuns, 100000000, 0), 1);
  EXPECT_NE(testing::internal::GetCapturedStderr().find(
                "error: --max-depth 100000000 needs about 97674 MiB of stack"),
            std::string::npos);
  setenv("KILN_TIMEOUT", "abc", 1);
  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_rt_main(neverRuns, 100, 0), 2);
  EXPECT_EQ(
      testing::internal::GetCapturedStderr(),
      "error: KILN_TIMEOUT needs a positive number of seconds, not 'abc'\n");
  unsetenv("KILN_TIMEOUT");
  kiln_rt_max_depth = saved;
}

TEST(RuntimeSymbols, TableCoversTheAbi) {
  size_t count = 0;
  const kiln_rt_symbol *table = kiln_rt_symbols(&count);
  ASSERT_GE(count, 14u);
  bool sawTrap = false;
  for (size_t i = 0; i < count; ++i) {
    EXPECT_NE(table[i].address, nullptr);
    sawTrap |= std::string(table[i].name) == "kiln_rt_trap";
  }
  EXPECT_TRUE(sawTrap);
}

} // namespace
