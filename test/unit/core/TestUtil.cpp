// TestUtil: module parsing, JIT creation and stdout capture for tests.
#include "TestUtil.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace kiln::test {

const char *const SampleIR = R"(
define i32 @fib(i32 %n) {
entry:
  %small = icmp slt i32 %n, 2
  br i1 %small, label %base, label %rec
base:
  ret i32 %n
rec:
  %n1 = sub i32 %n, 1
  %f1 = call i32 @fib(i32 %n1)
  %n2 = sub i32 %n, 2
  %f2 = call i32 @fib(i32 %n2)
  %sum = add i32 %f1, %f2
  ret i32 %sum
}

define double @hypot3(double %x, double %y, double %z) {
  %xx = fmul double %x, %x
  %yy = fmul double %y, %y
  %zz = fmul double %z, %z
  %s1 = fadd double %xx, %yy
  %s2 = fadd double %s1, %zz
  %r = call double @sqrt(double %s2)
  ret double %r
}
declare double @sqrt(double)

define float @sum_f32(ptr %a, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %acc = phi float [ 0.0, %entry ], [ %acc.next, %loop ]
  %p = getelementptr float, ptr %a, i64 %i
  %v = load float, ptr %p
  %acc.next = fadd float %acc, %v
  %i.next = add i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret float %acc.next
}

define void @saxpy(ptr %y, ptr %x, float %a, i64 %n) {
entry:
  %empty = icmp eq i64 %n, 0
  br i1 %empty, label %exit, label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %px = getelementptr float, ptr %x, i64 %i
  %py = getelementptr float, ptr %y, i64 %i
  %vx = load float, ptr %px
  %vy = load float, ptr %py
  %m = fmul float %a, %vx
  %s = fadd float %m, %vy
  store float %s, ptr %py
  %i.next = add i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}

define i64 @collatz_steps(i64 %n) {
entry:
  br label %head
head:
  %x = phi i64 [ %n, %entry ], [ %x.next, %body ]
  %steps = phi i64 [ 0, %entry ], [ %steps.next, %body ]
  %one = icmp ule i64 %x, 1
  br i1 %one, label %exit, label %body
body:
  %odd = and i64 %x, 1
  %isodd = icmp ne i64 %odd, 0
  %t = mul i64 %x, 3
  %t1 = add i64 %t, 1
  %h = lshr i64 %x, 1
  %x.next = select i1 %isodd, i64 %t1, i64 %h
  %steps.next = add i64 %steps, 1
  br label %head
exit:
  ret i64 %steps
}
)";

llvm::orc::ThreadSafeModule moduleFromIR(const std::string &ir,
                                         const std::string &name) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = core::parseIR(ir, name, *context);
  if (!module) {
    ADD_FAILURE() << core::renderError(module.takeError());
    return {};
  }
  return llvm::orc::ThreadSafeModule(std::move(*module), std::move(context));
}

std::unique_ptr<core::Jit> makeJit(core::OptLevel level,
                                   std::shared_ptr<core::CompileCache> cache) {
  core::JitOptions options;
  options.level = level;
  options.cache = std::move(cache);
  auto jit = core::Jit::create(options);
  if (!jit) {
    ADD_FAILURE() << core::renderError(jit.takeError());
    return nullptr;
  }
  return std::move(*jit);
}

std::string errorText(llvm::Error err) {
  if (!err)
    return "";
  return core::renderError(std::move(err));
}

std::string captureStdout(const std::function<void()> &fn) {
  std::fflush(stdout);
  char path[] = "/tmp/kiln-capture-XXXXXX";
  int fd = mkstemp(path);
  int saved = dup(1);
  dup2(fd, 1);
  fn();
  std::fflush(stdout);
  dup2(saved, 1);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  unlink(path);
  return text.str();
}

std::string freshTempDir(const std::string &tag) {
  std::string pattern = "/tmp/kiln-test-" + tag + "-XXXXXX";
  if (!mkdtemp(pattern.data()))
    ADD_FAILURE() << "mkdtemp failed";
  return pattern;
}

} // namespace kiln::test
