// LinkTest: AOT executables and shared libraries print and compute exactly
// what the JIT does; a missing linker is a clear error with no output.
#include "TestUtil.h"

#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/Link.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Target/TargetMachine.h"

#include <dlfcn.h>

using namespace kiln;

namespace {

// Prints numbers through the runtime (every mode must format them alike).
const char *const PrintIR = R"(
declare void @kiln_rt_print_f64(double)
declare void @kiln_rt_print_space()
declare void @kiln_rt_print_newline()
declare i32 @printf(ptr, ...)
@fmt = private constant [9 x i8] c"fib %d!\0A\00"

define i32 @fib(i32 %n) {
  %small = icmp slt i32 %n, 2
  br i1 %small, label %base, label %rec
base:
  ret i32 %n
rec:
  %a = sub i32 %n, 1
  %fa = call i32 @fib(i32 %a)
  %b = sub i32 %n, 2
  %fb = call i32 @fib(i32 %b)
  %s = add i32 %fa, %fb
  ret i32 %s
}

define void @show() {
  call void @kiln_rt_print_f64(double 0.1)
  call void @kiln_rt_print_space()
  call void @kiln_rt_print_f64(double 42.0)
  call void @kiln_rt_print_space()
  call void @kiln_rt_print_f64(double 0x3FD5555555555555)
  call void @kiln_rt_print_space()
  call void @kiln_rt_print_f64(double -1.0e300)
  call void @kiln_rt_print_newline()
  %f = call i32 @fib(i32 24)
  %r = call i32 (ptr, ...) @printf(ptr @fmt, i32 %f)
  ret void
}

define i32 @main() {
  call void @show()
  ret i32 0
}
)";

class Link : public ::testing::Test {
protected:
  void SetUp() override { Dir = test::freshTempDir("link"); }
  void TearDown() override { llvm::sys::fs::remove_directories(Dir); }

  std::string objectFor(const char *ir) {
    llvm::LLVMContext context;
    auto module = core::parseIR(ir, "aot", context);
    if (!module) {
      ADD_FAILURE() << test::errorText(module.takeError());
      return "";
    }
    auto tm = core::createTargetMachine(core::hostTarget(), core::OptLevel::O2);
    if (!tm) {
      ADD_FAILURE() << test::errorText(tm.takeError());
      return "";
    }
    core::PipelineOptions options;
    EXPECT_EQ(test::errorText(core::optimizeModule(**module, **tm, options)),
              "");
    std::string path = Dir + "/aot.o";
    EXPECT_EQ(test::errorText(core::emitToFile(**module, **tm,
                                               core::EmitKind::Object, path)),
              "");
    return path;
  }

  std::string Dir;
};

std::string runAndCapture(const std::string &command) {
  std::string out;
  FILE *p = popen(command.c_str(), "r");
  if (!p)
    return "popen failed";
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int status = pclose(p);
  EXPECT_EQ(status, 0) << command;
  return out;
}

TEST_F(Link, ExecutablePrintsWhatTheJitPrints) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(PrintIR))), "");
  auto show = jit->lookupAs<void()>("show");
  ASSERT_TRUE(bool(show));
  std::string jitOutput = test::captureStdout([&] { (*show)(); });
  EXPECT_EQ(jitOutput, "0.1 42 0.3333333333333333 -1e+300\nfib 46368!\n");

  std::string exe = Dir + "/prog";
  ASSERT_EQ(test::errorText(core::linkObjects({objectFor(PrintIR)}, exe)), "");
  EXPECT_EQ(runAndCapture(exe), jitOutput);
}

TEST_F(Link, SharedLibraryComputesWhatTheJitComputes) {
  std::string lib = Dir + "/libprog.so";
  core::LinkOptions options;
  options.shared = true;
  ASSERT_EQ(
      test::errorText(core::linkObjects({objectFor(PrintIR)}, lib, options)),
      "");
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto fib = reinterpret_cast<int (*)(int)>(dlsym(handle, "fib"));
  ASSERT_NE(fib, nullptr);
  EXPECT_EQ(fib(27), 196418);
  dlclose(handle);
}

TEST_F(Link, MissingLinkerIsAClearError) {
  setenv("KILN_CC", "/nonexistent/cc", 1);
  std::string exe = Dir + "/never";
  std::string text =
      test::errorText(core::linkObjects({objectFor(PrintIR)}, exe));
  unsetenv("KILN_CC");
  EXPECT_EQ(text, "error: KILN_CC is set to '/nonexistent/cc', which is not an "
                  "executable program");
  EXPECT_FALSE(llvm::sys::fs::exists(exe));
}

TEST_F(Link, FailedLinkLeavesNoOutput) {
  // An object with an undefined symbol: the driver fails, nothing is written.
  const char *ir = R"(
declare i32 @kiln_undefined_anywhere()
define i32 @main() {
  %r = call i32 @kiln_undefined_anywhere()
  ret i32 %r
})";
  std::string exe = Dir + "/broken";
  std::string text = test::errorText(core::linkObjects({objectFor(ir)}, exe));
  EXPECT_NE(text.find("error: linking '" + exe + "' with"), std::string::npos)
      << text;
  EXPECT_NE(text.find("kiln_undefined_anywhere"), std::string::npos) << text;
  EXPECT_FALSE(llvm::sys::fs::exists(exe));
  EXPECT_FALSE(llvm::sys::fs::exists(exe + ".tmp-link"));
}

} // namespace
