// RunIRTest: runIRFile and compileIRFile as an embedder calls them — main's
// status and argv, constructors, located diagnostics instead of text, and
// every output kind (an executable that behaves like the JIT).
#include "TestUtil.h"

#include "kiln/core/CompileIR.h"
#include "kiln/core/RunIR.h"

#include <cstdlib>
#include <fstream>
#include <sys/wait.h>

using namespace kiln;

namespace {

/// main returns argc * 10 + the length of argv[1]; a constructor adds 1.
const char *const MainIR = R"(
@extra = global i32 0
@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }]
    [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]
declare i64 @strlen(ptr)
define void @init() {
  store i32 1, ptr @extra
  ret void
}
define i32 @main(i32 %argc, ptr %argv) {
  %p = getelementptr ptr, ptr %argv, i64 1
  %a1 = load ptr, ptr %p
  %len = call i64 @strlen(ptr %a1)
  %l = trunc i64 %len to i32
  %t = mul i32 %argc, 10
  %s = add i32 %t, %l
  %e = load i32, ptr @extra
  %r = add i32 %s, %e
  ret i32 %r
}
)";

std::string writeFile(const std::string &dir, const std::string &name,
                      const std::string &text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

core::RunIROptions noCache() {
  core::RunIROptions options;
  options.cache = false;
  return options;
}

TEST(RunIR, ReturnsMainsStatusWithArgvAndConstructors) {
  std::string dir = test::freshTempDir("runir");
  std::string file = writeFile(dir, "main.ll", MainIR);
  for (core::OptLevel level : {core::OptLevel::O0, core::OptLevel::O2}) {
    core::RunIROptions options = noCache();
    options.level = level;
    auto status = core::runIRFile(file, {"abcd", "x"}, options);
    ASSERT_TRUE(status) << render(status.diagnostics());
    EXPECT_EQ(*status, 3 * 10 + 4 + 1);
  }
}

TEST(RunIR, TimesEveryPhase) {
  std::string file = writeFile(test::freshTempDir("runir"), "main.ll", MainIR);
  core::PhaseTimings timings;
  core::RunIROptions options = noCache();
  options.timings = &timings;
  ASSERT_TRUE(core::runIRFile(file, {"a"}, options));
  std::string table = timings.table();
  for (const char *phase : {"parse", "optimize", "codegen", "link", "run"})
    EXPECT_NE(table.find(phase), std::string::npos) << phase << "\n" << table;
}

TEST(RunIR, ErrorsAreLocatedDiagnostics) {
  std::string dir = test::freshTempDir("runir");
  std::string bad =
      writeFile(dir, "bad.ll", "define i32 @main() {\n  ret i64 0\n}\n");
  auto status = core::runIRFile(bad, {}, noCache());
  ASSERT_FALSE(status);
  const Diagnostic &d = status.diagnostics().at(0);
  EXPECT_EQ(d.loc.line, 2u);
  EXPECT_EQ(d.loc.col, 7u);
  EXPECT_NE(d.file.find("bad.ll"), std::string::npos) << d.file;

  std::string noMain =
      writeFile(dir, "nomain.ll", "define void @f() {\n  ret void\n}\n");
  auto missing = core::runIRFile(noMain, {}, noCache());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.diagnostics()[0].message.find("'main' function not found"),
            std::string::npos);
}

TEST(CompileIR, ParsesEveryKindAndNamesItsOutput) {
  EXPECT_EQ(core::parseIROutput("obj"), core::IROutput::Object);
  EXPECT_EQ(core::parseIROutput("ll"), core::IROutput::IR);
  EXPECT_EQ(core::parseIROutput("shared"), core::IROutput::Shared);
  EXPECT_FALSE(core::parseIROutput("elf"));
  EXPECT_EQ(core::defaultOutputFor("dir/fib.ll", core::IROutput::IR),
            "fib.opt.ll");
  EXPECT_EQ(core::defaultOutputFor("fib.bc", core::IROutput::Shared),
            "libfib.so");
  EXPECT_EQ(core::defaultOutputFor("fib.ll", core::IROutput::Executable),
            "fib");
}

TEST(CompileIR, ExecutableBehavesLikeTheJit) {
  std::string dir = test::freshTempDir("compileir");
  std::string file = writeFile(dir, "main.ll", MainIR);
  std::string exe = dir + "/main";
  auto done = core::compileIRFile(file, exe, {});
  ASSERT_TRUE(done) << render(done.diagnostics());
  int raw = std::system((exe + " abcd x").c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 35);
}

TEST(CompileIR, RefusesToLinkForAnotherTargetAndLeavesNoFile) {
  std::string dir = test::freshTempDir("compileir");
  std::string file = writeFile(dir, "main.ll", MainIR);
  auto target = core::targetFromTriple("aarch64-linux-gnu");
  ASSERT_TRUE(bool(target));
  core::CompileIROptions options;
  options.target = *target;
  auto done = core::compileIRFile(file, dir + "/never", options);
  ASSERT_FALSE(done);
  EXPECT_NE(done.diagnostics()[0].message.find("host only"), std::string::npos);
  EXPECT_FALSE(std::ifstream(dir + "/never").good());
  options.kind = core::IROutput::Object;
  auto object = core::compileIRFile(file, dir + "/main.o", options);
  EXPECT_TRUE(object) << render(object.diagnostics());
}

} // namespace
