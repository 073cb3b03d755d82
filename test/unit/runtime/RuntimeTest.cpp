// RuntimeTest: number formatting, guarded traps and checked arrays of the C
// runtime that generated code calls.
#include "kiln/runtime/Abi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

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
