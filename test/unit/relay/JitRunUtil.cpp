// JitRunUtil: a Relay program through the JIT and through the interpreter.
#include "JitRunUtil.h"
#include "IRGenTestUtil.h"

#include "relay/interp/Interpreter.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

namespace kiln::relay::test {

using core::OptLevel;

std::unique_ptr<core::Jit> jitProgram(const Program &program, OptLevel level,
                                      const IRGenOptions &options) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = generateProgram(program, *context, options);
  if (!module) {
    ADD_FAILURE() << errorText(module.takeError());
    return nullptr;
  }
  core::JitOptions jitOptions;
  jitOptions.level = level;
  auto jit = core::Jit::create(jitOptions);
  if (!jit) {
    ADD_FAILURE() << errorText(jit.takeError());
    return nullptr;
  }
  llvm::orc::ThreadSafeModule tsm(std::move(*module), std::move(context));
  if (llvm::Error err = (*jit)->addModule(std::move(tsm))) {
    ADD_FAILURE() << errorText(std::move(err));
    return nullptr;
  }
  return std::move(*jit);
}

namespace {

void callMain(void *fn) { reinterpret_cast<void (*)()>(fn)(); }

} // namespace

Outcome runJit(const std::string &source, OptLevel level,
               const IRGenOptions &options) {
  ArenaScope arena;
  Outcome o;
  auto program = compile(source);
  auto jit = jitProgram(*program, level, options);
  if (!jit)
    return o;
  auto main = jit->lookupAs<void()>("relay.main");
  if (!main) {
    ADD_FAILURE() << errorText(main.takeError());
    return o;
  }
  kiln_rt_trap_info info;
  testing::internal::CaptureStdout();
  o.ok = kiln_rt_call_guarded(callMain, reinterpret_cast<void *>(*main),
                              &info) == 0;
  o.out = testing::internal::GetCapturedStdout();
  if (!o.ok)
    o.error = info.line
                  ? std::string(info.file) + ":" + std::to_string(info.line) +
                        ":" + std::to_string(info.column) + ": " + info.message
                  : std::string(info.message);
  return o;
}

Outcome runInterpreter(const std::string &source) {
  ArenaScope arena;
  Outcome o;
  auto program = compile(source);
  Interpreter interp(*program);
  RuntimeError error;
  testing::internal::CaptureStdout();
  o.ok = interp.run(error);
  o.out = testing::internal::GetCapturedStdout();
  if (!o.ok)
    o.error = error.loc.line
                  ? "test.relay:" + std::to_string(error.loc.line) + ":" +
                        std::to_string(error.loc.col) + ": " + error.message
                  : error.message;
  return o;
}

const char *const Mandelbrot = R"(
fn mandelbrot(width: number, height: number) -> array {
    let result = []
    for y in 0..height {
        for x in 0..width {
            let c_re = (x - width/2.0) * 4.0/width
            let c_im = (y - height/2.0) * 4.0/height
            let z_re = 0.0
            let z_im = 0.0
            let iterations = 0
            for i in 0..100 {
                if z_re*z_re + z_im*z_im > 4.0 { break }
                let temp = z_re*z_re - z_im*z_im + c_re
                z_im = 2.0*z_re*z_im + c_im
                z_re = temp
                iterations = iterations + 1
            }
            result.push(iterations)
        }
    }
    return result
}
let m = mandelbrot(40, 20)
print(len(m), m[0])
)";

} // namespace kiln::relay::test
