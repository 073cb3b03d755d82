// CompiledProgramTest: the embedding API. A program compiled once is run and
// called by name with numbers, bools and arrays; print goes to the host's
// sink; bad calls and bad programs come back as located Diagnostics; and the
// interpreter, the JIT and the router agree on every result and every line.
#include "kiln/relay/Relay.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using kiln::relay::CompiledProgram;
using kiln::relay::Mode;
using kiln::relay::RunOptions;
using kiln::relay::Value;
using kiln::relay::ValueType;

const char *const Source = R"(fn dot(a, b) {
  let s = 0
  for i in 0..len(a) { s = s + a[i] * b[i] }
  return s
}
fn scale(a, k) {
  let out = []
  for x in a { out.push(x * k) }
  return out
}
fn positive(x) { return x > 0 }
fn pick(flag, a, b) { if flag { return a } else { return b } }
fn shout(n) { print("n is", n, n > 1, [n, n / 2]) }
fn item(a, i) { return a[i] }
print("top", dot([1, 2], [3, 4]))
)";

RunOptions optionsFor(Mode mode, std::string *out = nullptr) {
  RunOptions options;
  options.mode = mode;
  options.cache = false;
  if (out)
    options.print = [out](std::string_view text) { out->append(text); };
  return options;
}

CompiledProgram compileOrDie(const std::string &source,
                             const RunOptions &options) {
  auto program = CompiledProgram::compile("embed.relay", source, options);
  if (!program) // gtest reports the exception as this test's failure
    throw std::runtime_error(kiln::render(program.diagnostics()));
  return std::move(*program);
}

class AllModes : public ::testing::TestWithParam<Mode> {};

TEST_P(AllModes, CallsByNameWithEachValueType) {
  std::string out;
  CompiledProgram program = compileOrDie(Source, optionsFor(GetParam(), &out));
  auto dot = program.call(
      "dot", {std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}});
  ASSERT_TRUE(dot) << kiln::render(dot.diagnostics());
  EXPECT_EQ(*dot, Value(32));
  auto scaled = program.call("scale", {std::vector<double>{1, -2.5}, 2});
  ASSERT_TRUE(scaled) << kiln::render(scaled.diagnostics());
  EXPECT_EQ(scaled->array(), (std::vector<double>{2, -5}));
  auto positive = program.call("positive", {-3});
  ASSERT_TRUE(positive);
  EXPECT_EQ(*positive, Value(false));
  auto picked = program.call("pick", {true, 1.5, 2});
  ASSERT_TRUE(picked);
  EXPECT_EQ(*picked, Value(1.5));
  auto none = program.call("shout", {3});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->isVoid());
  EXPECT_EQ(out, "n is 3 true [3, 1.5]\n");
}

TEST_P(AllModes, RunsTheTopLevelCodeIntoTheSink) {
  std::string out;
  CompiledProgram program = compileOrDie(Source, optionsFor(GetParam(), &out));
  ASSERT_TRUE(program.run());
  ASSERT_TRUE(program.run()); // runs again, from the start
  EXPECT_EQ(out, "top 11\ntop 11\n");
  // A later sink replaces the first.
  std::string second;
  program.setPrintSink([&](std::string_view text) { second.append(text); });
  ASSERT_TRUE(program.call("shout", {1}));
  EXPECT_EQ(second, "n is 1 false [1, 0.5]\n");
  EXPECT_EQ(out, "top 11\ntop 11\n");
}

TEST_P(AllModes, RuntimeErrorsAreLocatedDiagnostics) {
  CompiledProgram program = compileOrDie(Source, optionsFor(GetParam()));
  auto bad = program.call("item", {std::vector<double>{1, 2}, 5});
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.diagnostics().size(), 1u);
  const kiln::Diagnostic &d = bad.diagnostics()[0];
  EXPECT_EQ(d.kind, kiln::ErrorKind::Runtime);
  EXPECT_EQ(d.file, "embed.relay");
  EXPECT_EQ(d.loc.line, 14u);
  EXPECT_EQ(d.message, "array index 5 out of range (length 2)");
  EXPECT_EQ(kiln::render(d), "embed.relay:14:25: runtime error: array index 5 "
                             "out of range (length 2)");
  // The program is still usable after an error.
  EXPECT_TRUE(program.call("positive", {1}));
}

// A hot loop in every mode: the router tiers the call up, and every mode
// gives the same numbers and the same output, call after call.
TEST_P(AllModes, AgreeWithTheInterpreterCallAfterCall) {
  std::string out, reference;
  CompiledProgram program = compileOrDie(Source, optionsFor(GetParam(), &out));
  CompiledProgram oracle =
      compileOrDie(Source, optionsFor(Mode::Interp, &reference));
  std::vector<double> a(1000), b(1000);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = double(i) / 7, b[i] = 1.0 / double(i + 1);
  for (int round = 0; round < 200; ++round) {
    auto got = program.call("dot", {a, b});
    auto want = oracle.call("dot", {a, b});
    ASSERT_TRUE(got && want);
    ASSERT_EQ(*got, *want) << "round " << round;
  }
  ASSERT_TRUE(program.run() && oracle.run());
  ASSERT_TRUE(program.call("shout", {7}) && oracle.call("shout", {7}));
  EXPECT_EQ(out, reference);
}

INSTANTIATE_TEST_SUITE_P(RelayEmbed, AllModes,
                         ::testing::Values(Mode::Interp, Mode::Jit, Mode::Auto),
                         [](const auto &info) {
                           return std::string(
                               info.param == Mode::Interp ? "interp"
                               : info.param == Mode::Jit  ? "jit"
                                                          : "auto");
                         });

// The router keeps what it compiled between calls: a function the host
// calls often is compiled in the background and later calls run it native.
TEST(RelayEmbed, HotFunctionsCalledFromTheHostRunNative) {
  RunOptions options = optionsFor(Mode::Auto);
  options.hotCalls = 2;
  options.tierUpDelayMs = 0;
  CompiledProgram program =
      compileOrDie("fn sq(x) { return x * x }\n", options);
  kiln::relay::RunStats stats;
  for (int round = 0; round < 500 && stats.nativeCalls == 0; ++round) {
    for (int i = 0; i < 10; ++i) {
      auto got = program.call("sq", {i + round});
      ASSERT_TRUE(got) << kiln::render(got.diagnostics());
      ASSERT_EQ(*got, Value((i + round) * (i + round)));
    }
    ASSERT_TRUE(program.run(&stats)); // waits for a compilation under way
  }
  EXPECT_EQ(stats.functionsCompiled, 1u);
  EXPECT_GT(stats.nativeCalls, 0u);
}

TEST(RelayEmbed, WrongArityPointsAtTheFunction) {
  CompiledProgram program = compileOrDie(Source, optionsFor(Mode::Interp));
  auto bad = program.call("dot", {std::vector<double>{1}});
  ASSERT_FALSE(bad);
  const kiln::Diagnostic &d = bad.diagnostics().at(0);
  EXPECT_EQ(d.kind, kiln::ErrorKind::InvalidArgument);
  EXPECT_EQ(d.file, "embed.relay");
  EXPECT_EQ(d.loc.line, 1u);
  EXPECT_EQ(d.loc.col, 4u);
  EXPECT_EQ(d.sourceLine, "fn dot(a, b) {");
  EXPECT_EQ(d.message, "'dot' takes 2 arguments, not 1");
}

TEST(RelayEmbed, WrongTypePointsAtTheParameter) {
  CompiledProgram program = compileOrDie(Source, optionsFor(Mode::Jit));
  auto bad = program.call("scale", {3, 2});
  ASSERT_FALSE(bad);
  const kiln::Diagnostic &d = bad.diagnostics().at(0);
  EXPECT_EQ(d.kind, kiln::ErrorKind::InvalidArgument);
  EXPECT_EQ(d.loc.line, 6u);
  EXPECT_EQ(d.loc.col, 10u);
  EXPECT_EQ(d.message,
            "argument 1 of 'scale' ('a') must be an array, not a number");
  EXPECT_FALSE(program.call("positive", {true}));
  EXPECT_FALSE(program.call("positive", {Value()}));
}

TEST(RelayEmbed, UnknownNamesAreUnlocated) {
  CompiledProgram program = compileOrDie(Source, optionsFor(Mode::Auto));
  for (const char *name : {"nope", "main", ""}) {
    auto bad = program.call(name, {});
    ASSERT_FALSE(bad) << name;
    const kiln::Diagnostic &d = bad.diagnostics().at(0);
    EXPECT_EQ(d.kind, kiln::ErrorKind::InvalidArgument);
    EXPECT_FALSE(d.loc.known());
    EXPECT_EQ(d.message, "no function named '" + std::string(name) + "'");
  }
}

TEST(RelayEmbed, ListsFunctionsWithTheirTypes) {
  CompiledProgram program = compileOrDie(Source, optionsFor(Mode::Interp));
  auto functions = program.functions();
  ASSERT_EQ(functions.size(), 6u);
  EXPECT_EQ(functions[0].name, "dot");
  EXPECT_EQ(functions[0].params,
            (std::vector<ValueType>{ValueType::Array, ValueType::Array}));
  EXPECT_EQ(functions[0].result, ValueType::Number);
  EXPECT_EQ(functions[2].result, ValueType::Bool);
  EXPECT_EQ(functions[4].result, ValueType::Void);
}

TEST(RelayEmbed, SeveralCompileErrorsComeBackAsSeveralDiagnostics) {
  const std::string bad = "let x = )\nprint(1)\nlet y = * 2\nlet z = 3 4\n";
  auto program =
      CompiledProgram::compile("bad.relay", bad, optionsFor(Mode::Jit));
  ASSERT_FALSE(program);
  const kiln::Diagnostics &diags = program.diagnostics();
  ASSERT_EQ(diags.size(), 3u);
  for (const kiln::Diagnostic &d : diags) {
    EXPECT_EQ(d.kind, kiln::ErrorKind::Parse);
    EXPECT_EQ(d.file, "bad.relay");
    EXPECT_TRUE(d.loc.known());
    EXPECT_EQ(d.sourceLine, std::string(kiln::lineOf(bad, d.loc.line)));
  }
  EXPECT_EQ(diags[0].loc.line, 1u);
  EXPECT_EQ(diags[1].loc.line, 3u);
  EXPECT_EQ(diags[2].loc.line, 4u);
  EXPECT_EQ(diags[2].loc.col, 11u);
  EXPECT_EQ(diags[2].message, "expected end of statement, found number '4'");
  auto typed =
      CompiledProgram::compile("t.relay", "let a = 1 + true\nlet b = len(2)\n",
                               optionsFor(Mode::Interp));
  ASSERT_FALSE(typed);
  ASSERT_EQ(typed.diagnostics().size(), 2u);
  EXPECT_EQ(typed.diagnostics()[0].kind, kiln::ErrorKind::Type);
  EXPECT_EQ(typed.diagnostics()[1].loc.line, 2u);
}

TEST(RelayEmbed, TimeoutsAndStackOverflowAreRuntimeErrors) {
  RunOptions options = optionsFor(Mode::Jit);
  options.timeoutSeconds = 0.2;
  options.maxDepth = 100;
  CompiledProgram program = compileOrDie(
      "fn spin() { while true { } }\nfn deep(n) { return deep(n + 1) }\n",
      options);
  auto spun = program.call("spin", {});
  ASSERT_FALSE(spun);
  EXPECT_EQ(spun.diagnostics()[0].kind, kiln::ErrorKind::Timeout);
  EXPECT_EQ(kiln::render(spun.diagnostics()),
            "runtime error: timeout: program ran longer than 0.2 seconds");
  auto deep = program.call("deep", {1});
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.diagnostics()[0].kind, kiln::ErrorKind::Runtime);
  EXPECT_EQ(deep.diagnostics()[0].loc.line, 2u);
}

TEST(RelayEmbed, ASinkThatThrowsIsAnErrorNotACrash) {
  RunOptions options = optionsFor(Mode::Interp);
  options.print = [](std::string_view) {
    throw std::runtime_error("disk full");
  };
  CompiledProgram program = compileOrDie(Source, options);
  kiln::Status status = program.run();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.diagnostics()[0].message, "the print sink threw: disk full");
}

TEST(RelayEmbed, ValuesPrintAsRelayPrintsThem) {
  EXPECT_EQ(toString(Value(2.5)), "2.5");
  EXPECT_EQ(toString(Value(3)), "3");
  EXPECT_EQ(toString(Value(true)), "true");
  EXPECT_EQ(toString(Value(std::vector<double>{1, 0.5})), "[1, 0.5]");
  EXPECT_EQ(toString(Value()), "");
}

} // namespace
