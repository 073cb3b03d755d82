// Tests of isolated engines: JIT code in kiln-executor may crash, trap,
// loop or exhaust memory, and the test process (the host) goes on.
#include "TestUtil.h"

#include "kiln/core/JitMain.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/SourceMgr.h"

#include <csignal>
#include <gtest/gtest.h>

using namespace kiln;

namespace {

core::JitOptions isolatedOptions(core::IsolateLimits limits = {}) {
  core::JitOptions options;
  options.isolate.enabled = true;
  options.isolate.limits = limits;
  return options;
}

/// Runs `ir`'s main in a fresh isolated engine as `kiln run --isolate`
/// does: its exit status, or the error's text prefixed by "error: ".
std::string runIsolated(const std::string &ir, core::IsolateLimits limits = {},
                        std::vector<std::string> args = {"prog"}) {
  auto jit = core::Jit::create(isolatedOptions(limits));
  if (!jit)
    return "create: " + test::errorText(jit.takeError());
  auto tsm = test::moduleFromIR(ir);
  llvm::Error err = tsm.withModuleDo([](llvm::Module &m) -> llvm::Error {
    auto signature = core::checkMain(m);
    if (!signature)
      return signature.takeError();
    return core::addIsolatedMain(m, *signature);
  });
  if (err)
    return "prepare: " + test::errorText(std::move(err));
  if (auto err = (*jit)->addModule(std::move(tsm)))
    return "add: " + test::errorText(std::move(err));
  auto start = (*jit)->lookup(core::kIsolatedMainName);
  if (!start)
    return "lookup: " + test::errorText(start.takeError());
  auto status = (*jit)->runMain(start->getAddress(), args);
  if (!status)
    return test::errorText(status.takeError());
  return "status " + std::to_string(*status);
}

const char *const PutsIR = R"(
@text = private constant [6 x i8] c"hello\00"
declare i32 @puts(ptr)
define i32 @main(i32 %argc, ptr %argv) {
  call i32 @puts(ptr @text)
  %s = add i32 %argc, 40
  ret i32 %s
}
)";

} // namespace

TEST(Isolate, RunsMainAndForwardsItsStatusAndOutput) {
  std::string result;
  std::string out = test::captureStdout([&] {
    result = runIsolated(PutsIR, {}, {"p", "a"});
  });
  EXPECT_EQ(result, "status 42");
  EXPECT_EQ(out, "hello\n");
}

TEST(Isolate, CrashesAreErrorsNamingTheSignalAndTheHostGoesOn) {
  struct Case {
    const char *name, *ir, *expected;
    core::IsolateLimits limits;
  };
  const Case cases[] = {
      {"abort",
       "declare void @abort()\ndefine i32 @main() {\n"
       "  call void @abort()\n  ret i32 0\n}\n",
       "error: the program was killed by signal 6 (SIGABRT)",
       {}},
      {"null",
       "define i32 @main() {\n  %v = load volatile i32, ptr null\n"
       "  ret i32 %v\n}\n",
       "error: the program was killed by signal 11 (SIGSEGV)",
       {}},
      {"trap",
       "declare void @llvm.trap()\ndefine i32 @main() {\n"
       "  call void @llvm.trap()\n  unreachable\n}\n",
       "error: the program was killed by signal 4 (SIGILL)",
       {}},
      {"recursion",
       "define i32 @f(ptr %up, i32 %n) {\n  %b = alloca [64 x i32]\n"
       "  store volatile i32 %n, ptr %b\n  %m = add i32 %n, 1\n"
       "  %r = call i32 @f(ptr %b, i32 %m)\n  %x = load volatile i32, ptr %up\n"
       "  %s = add i32 %r, %x\n  ret i32 %s\n}\n"
       "define i32 @main() {\n  %b = alloca i32\n"
       "  %r = call i32 @f(ptr %b, i32 0)\n  ret i32 %r\n}\n",
       "error: the program was killed by signal 11 (SIGSEGV)",
       {}},
      {"timeout",
       "@g = global i64 0\ndefine i32 @main() {\nentry:\n"
       "  br label %l\nl:\n  store volatile i64 1, ptr @g\n"
       "  br label %l\n}\n",
       "error: the program timed out after 0.5 s and was killed",
       {0, 0, 0.5}},
      {"cpu",
       "@g = global i64 0\ndefine i32 @main() {\nentry:\n"
       "  br label %l\nl:\n  store volatile i64 1, ptr @g\n"
       "  br label %l\n}\n",
       "error: the program exceeded its CPU-time limit of 1 s and was killed "
       "by signal 24 (SIGXCPU)",
       {0, 1, 0}},
      {"malloc bomb",
       "declare ptr @malloc(i64)\ndeclare ptr @memset(ptr, i32, i64)\n"
       "@keep = global ptr null\ndefine i32 @main() {\nentry:\n"
       "  br label %l\nl:\n  %p = call ptr @malloc(i64 16777216)\n"
       "  call ptr @memset(ptr %p, i32 1, i64 16777216)\n"
       "  store volatile ptr %p, ptr @keep\n  br label %l\n}\n",
       "error: the program ran out of memory (limit 256 MiB) and was killed by "
       "signal 11 (SIGSEGV)",
       {256ull << 20, 0, 0}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(runIsolated(c.ir, c.limits), c.expected);
    // The host is alive and isolates the next program as well.
    std::string out;
    std::string result;
    out = test::captureStdout([&] { result = runIsolated(PutsIR); });
    EXPECT_EQ(result, "status 41");
    EXPECT_EQ(out, "hello\n");
  }
}

// A host that lets the kernel reap its children (SIGCHLD ignored) cannot
// learn how the executor ended: a crash must still be an error, never the
// status 0 wait4's failure used to read as.
TEST(Isolate, ACrashIsAnErrorWhenTheHostReapsItsChildren) {
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGCHLD, &ignore, &old), 0);
  std::string result = runIsolated("declare void @abort()\n"
                                   "define i32 @main() {\n"
                                   "  call void @abort()\n  ret i32 0\n}\n");
  sigaction(SIGCHLD, &old, nullptr);
  EXPECT_NE(result.rfind("error: ", 0), std::string::npos) << result;
  EXPECT_NE(result, "status 0");
}

TEST(Isolate, ExitStatusOfExitAndVoidMain) {
  EXPECT_EQ(runIsolated("declare void @exit(i32)\ndefine i32 @main() {\n"
                        "  call void @exit(i32 3)\n  ret i32 0\n}\n"),
            "status 3");
  EXPECT_EQ(runIsolated("define void @main() {\n  ret void\n}\n"), "status 0");
  EXPECT_EQ(runIsolated("define i64 @main() {\n  ret i64 258\n}\n"),
            "status 2");
}

TEST(Isolate, ConstructorsAtexitAndDestructorsRunInCOrder) {
  const char *ir = R"(
@llvm.global_ctors = appending global [2 x { i32, ptr, ptr }] [
  { i32, ptr, ptr } { i32 200, ptr @late, ptr null },
  { i32, ptr, ptr } { i32 100, ptr @early, ptr null }]
@llvm.global_dtors = appending global [1 x { i32, ptr, ptr }] [
  { i32, ptr, ptr } { i32 65535, ptr @dtor, ptr null }]
declare i32 @putchar(i32)
declare i32 @atexit(ptr)
define void @early() { call i32 @putchar(i32 97)  ret void }
define void @late() { call i32 @putchar(i32 98)  ret void }
define void @handler() { call i32 @putchar(i32 100)  ret void }
define void @dtor() { call i32 @putchar(i32 101)  ret void }
define i32 @main() {
  call i32 @putchar(i32 99)
  call i32 @atexit(ptr @handler)
  ret i32 0
}
)";
  std::string result;
  std::string out = test::captureStdout([&] { result = runIsolated(ir); });
  EXPECT_EQ(result, "status 0");
  EXPECT_EQ(out, "abcde");
}

const char *const CallsIR = R"(
declare void @kiln_rt_print_i64(i64)
declare void @kiln_rt_print_newline()
declare double @sqrt(double)
define i32 @twice(i32 %x) {
  %d = sitofp i32 %x to double
  %s = call double @sqrt(double %d)
  %r = fptosi double %s to i32
  %t = mul i32 %r, 2
  ret i32 %t
}
define void @hello() {
  call void @kiln_rt_print_i64(i64 7)
  call void @kiln_rt_print_newline()
  ret void
}
)";

TEST(Isolate, CallsFunctionsLibmAndTheRuntimeRepeatedly) {
  auto jit = core::Jit::create(isolatedOptions());
  ASSERT_TRUE(bool(jit)) << test::errorText(jit.takeError());
  ASSERT_FALSE((*jit)->addModule(test::moduleFromIR(CallsIR)));
  EXPECT_TRUE((*jit)->isolated());
  auto twice = (*jit)->lookup("twice");
  ASSERT_TRUE(bool(twice)) << test::errorText(twice.takeError());
  for (int i = 0; i < 100; ++i) {
    auto r = (*jit)->callInt(twice->getAddress(), i * i);
    ASSERT_TRUE(bool(r)) << test::errorText(r.takeError());
    EXPECT_EQ(*r, 2 * i);
  }
  // The executor writes to the stdout it was started with, and flushes
  // when the engine ends.
  std::string out = test::captureStdout([&] {
    auto other = core::Jit::create(isolatedOptions());
    ASSERT_TRUE(bool(other)) << test::errorText(other.takeError());
    ASSERT_FALSE((*other)->addModule(test::moduleFromIR(CallsIR)));
    auto hello = (*other)->lookup("hello");
    ASSERT_TRUE(bool(hello)) << test::errorText(hello.takeError());
    auto r = (*other)->callVoid(hello->getAddress());
    EXPECT_TRUE(bool(r)) << test::errorText(r.takeError());
  });
  EXPECT_EQ(out, "7\n");
}

TEST(Isolate, AfterACrashTheEngineSaysSo) {
  auto jit = core::Jit::create(isolatedOptions());
  ASSERT_TRUE(bool(jit)) << test::errorText(jit.takeError());
  ASSERT_FALSE((*jit)->addModule(test::moduleFromIR(
      "define i32 @crash(i32 %x) {\n  %v = load volatile i32, ptr null\n"
      "  ret i32 %v\n}\ndefine i32 @id(i32 %x) {\n  ret i32 %x\n}\n")));
  auto crash = (*jit)->lookup("crash");
  ASSERT_TRUE(bool(crash));
  auto r = (*jit)->callInt(crash->getAddress(), 1);
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(test::errorText(r.takeError()),
            "error: the program was killed by signal 11 (SIGSEGV)");
  auto id = (*jit)->lookup("id");
  if (id) { // already linked, so the lookup needs no executor
    auto again = (*jit)->callInt(id->getAddress(), 5);
    ASSERT_FALSE(bool(again));
    EXPECT_EQ(test::errorText(again.takeError()),
              "error: the program was killed by signal 11 (SIGSEGV); create a "
              "new engine to run more code");
  } else {
    test::errorText(id.takeError());
  }
}

TEST(Isolate, RefusesWhatOnlyWorksInProcess) {
  auto options = isolatedOptions();
  options.perfMap = true;
  auto jit = core::Jit::create(options);
  ASSERT_FALSE(bool(jit));
  EXPECT_EQ(test::errorText(jit.takeError()),
            "error: an isolated JIT engine supports neither GDB registration, "
            "perf maps nor a vector library");

  auto small = core::Jit::create(isolatedOptions({1 << 20, 0, 0}));
  ASSERT_FALSE(bool(small));
  EXPECT_EQ(test::errorText(small.takeError()),
            "error: the memory limit of an isolated engine must be at least "
            "64 MiB, not 1048576 bytes");

  auto missing = isolatedOptions();
  missing.isolate.executorPath = "/nonexistent/kiln-executor";
  auto none = core::Jit::create(missing);
  ASSERT_FALSE(bool(none));
  EXPECT_EQ(test::errorText(none.takeError()),
            "error: cannot start the executor '/nonexistent/kiln-executor': "
            "No such file or directory");

  auto good = core::Jit::create(isolatedOptions());
  ASSERT_TRUE(bool(good));
  int host = 0;
  EXPECT_EQ(test::errorText((*good)->defineSymbols({{"host", &host}})),
            "error: an isolated JIT engine cannot call functions of the host "
            "process");
}

TEST(Isolate, SignalNames) {
  EXPECT_EQ(core::signalName(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(core::signalName(SIGXCPU), "SIGXCPU");
  EXPECT_EQ(core::signalName(64), "signal 64");
}
