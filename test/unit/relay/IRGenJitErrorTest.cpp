// IRGenJitErrorTest: how JIT-compiled Relay fails at O0 and O2 -- runtime
// errors with the interpreter's output and wording, the call-depth limit and
// the timeout -- each as the interpreter and the AOT executables report it.
#include "JitRunUtil.h"

#include "kiln/runtime/Abi.h"

#include <gtest/gtest.h>

namespace kiln::relay {
namespace {

using test::Outcome;
using test::RelayJit;
using test::runInterpreter;
using test::runJit;

TEST_P(RelayJit, RuntimeErrorsMatchTheInterpreter) {
  const char *const sources[] = {
      "let a = [1, 2, 3]\nprint(\"before\")\nprint(a[1.5])",
      "let a = [1, 2, 3]\na[3] = 1",
      "let a = [1]\nprint(a[-1])",
      "let a = [1]\nprint(a[0/0])",
      "let a = [1]\nprint(a[1e300])",
      "fn f() { print(\"f\"); return 0 }\nlet a = [1]\na[5] = f()",
      "fn f(x) -> number {\n  if x > 0 { return 1 }\n}\nprint(f(1))\nf(0)",
      // Integer index arithmetic on an i32 loop counter (bound check only).
      "let a = [1, 2, 3]\nfor i in 0..3 { print(a[2 * i - 1]) }",
      "let a = [1, 2, 3]\nfor i in 0..5 { print(a[i]) }",
      "fn f() { print(\"f\"); return 0 }\nlet a = [1]\nfor i in 1..2 { a[i + "
      "1] = f() }",
      "let a = [1]\nfor i in 1..2 { print(a[i * 2147483647 * 2147483647]) }",
      "let a = [1, 2, 3]\nfor i in 0..2 { for j in 0..2 { print(a[2 * i + j]) "
      "} }",
      // Exact bounds (i64 counter, no general version) and len() indexes.
      "let a = [1, 2, 3]\nfor i in 0..len(a) + 1 { print(a[i]) }",
      "let a = [1, 2, 3]\nfor i in 0..len(a) { print(a[len(a) - 2 * i]) }",
      "let a = [1, 2, 3]\nprint(a[len(a) - 1])\nprint(a[len(a)])",
      "let a = [1, 2, 3]\nfor i in 0..2 { for j in 0..2 { for k in 0..2 { "
      "print(a[i + j + k]) } } }",
      // The same inside counted whiles (i64 counter) and their fallback.
      "let a = [1, 2, 3]\nlet i = 0\nwhile i < 5 { print(a[i]); i = i + 1 }",
      "let a = [1, 2, 3]\nlet i = 2\nwhile i >= -1 { print(a[i]); i = i - 1 }",
      "let a = [1, 2, 3]\nlet i = 0.5\nwhile i < 5 { print(a[i]); i = i + 1 }",
      "let a = []\nlet z = -0\nwhile z < 2 { print(a[z]); z = z + 1 }",
      "let a = [1, 2, 3]\nlet i = 0\nwhile i < 5 { print(a[2 * i]); i = i + 1 "
      "}",
      "fn f() { print(\"f\"); return 0 }\nlet a = [1]\nlet i = 0\n"
      "while i < 3 { a[i + 1] = f(); i = i + 1 }",
      "let a = [1, 2, 3]\nlet i = 0\n"
      "while i < 3 { for j in 0..2 { print(a[i + j]) }; i = i + 1 }",
  };
  for (const char *source : sources) {
    SCOPED_TRACE(source);
    Outcome expected = runInterpreter(source);
    Outcome actual = runJit(source, GetParam());
    EXPECT_FALSE(actual.ok);
    EXPECT_EQ(actual.out, expected.out);
    EXPECT_EQ(actual.error, expected.error);
  }
}

TEST_P(RelayJit, IndexErrorWordingAndLocation) {
  Outcome o = runJit("let a = [1, 2, 3]\nprint(a[1.5])", GetParam());
  EXPECT_EQ(o.error, "test.relay:2:8: array index 1.5 is not an integer");
  o = runJit("let a = [1, 2, 3]\na[3] = 0", GetParam());
  EXPECT_EQ(o.error, "test.relay:2:2: array index 3 out of range (length 3)");
}

TEST_P(RelayJit, StackOverflowAtTheLimit) {
  int32_t saved = kiln_rt_max_depth;
  kiln_rt_max_depth = 50;
  const char *source =
      "fn d(n) { if n == 0 { return 0 }; return d(n - 1) + 1 }\n"
      "print(d(48))\nprint(d(49))";
  Outcome o = runJit(source, GetParam());
  kiln_rt_max_depth = saved;
  EXPECT_EQ(o.out, "48\n49\n") << "d(49) makes 50 active calls: allowed";
  EXPECT_TRUE(o.ok);
  kiln_rt_max_depth = 50;
  o = runJit("fn d(n) { if n == 0 { return 0 }; return d(n - 1) + 1 }\n"
             "print(d(50))",
             GetParam());
  kiln_rt_max_depth = saved;
  EXPECT_EQ(o.error, "test.relay:1:4: stack overflow: call depth exceeded 50");
  EXPECT_EQ(kiln_rt_depth, 0) << "the guarded call restores the depth";
}

TEST_P(RelayJit, TimeoutStopsALoop) {
  // A plain loop, and counted loops (integer counters, polled per chunk)
  // that would otherwise run for seconds.
  const char *const sources[] = {
      "print(\"start\")\nwhile true { }",
      "print(\"start\")\nlet s = 0\nfor i in 0..2000000000 { s = s + i }\n"
      "print(s)",
      "print(\"start\")\nlet i = 0\nlet s = 0\n"
      "while i < 2000000000 { s = s + i; i = i + 1 }\nprint(s)",
  };
  for (const char *source : sources) {
    SCOPED_TRACE(source);
    ASSERT_EQ(kiln_rt_watchdog_start(0.05), 0);
    Outcome o = runJit(source, GetParam());
    kiln_rt_watchdog_stop();
    kiln_rt_interrupted = 0; // the tests after this one run without a timeout
    EXPECT_EQ(o.out, "start\n");
    EXPECT_EQ(o.error, "timeout: program ran longer than 0.05 seconds");
  }
}

} // namespace
} // namespace kiln::relay
