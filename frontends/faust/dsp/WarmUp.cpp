// WarmUp: the first factory of a process warms Kiln's compiler up while
// faust's fork server starts (docs/faust.md, "The warm-up").
#include "FactoryImpl.h"
#include "PrepareModule.h"

#include "kiln/core/IRFile.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <atomic>
#include <future>
#include <system_error>

namespace kiln::faust {

using llvm::Error;
using llvm::Expected;

namespace {

// The first factory of a process waits 15-25 ms for faust's fork server
// to start (the loader maps libLLVM-14 and LLVM's static constructors run),
// and then pays Kiln's own first-compilation costs: creating the
// TargetMachines and their AVX-512 subtargets (~1.5 ms each, one per
// compile thread) and faulting in the optimiser's and code generator's
// code. The warm-up pays those while faust starts, by compiling this small
// module shaped like faust's (a table classInit fills, a clearing loop, a
// compute with a recursive filter, a table read, libm calls and a loop the
// vectorizers take) the way a factory is compiled: prepared for the same
// target, split, one half per thread. Its JIT is then thrown away; the
// pooled TargetMachines and the warm code stay.
constexpr const char *kWarmUpClass = "kilnwarmup";
constexpr const char *kWarmUpModule = R"(
@tablekilnwarmup = internal global [64 x float] zeroinitializer

declare float @sinf(float)
declare float @floorf(float)

define void @classInitkilnwarmup(i32 %rate) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %x = sitofp i32 %i to float
  %y = fmul fast float %x, 0x3FB99999A0000000
  %s = call fast float @sinf(float %y)
  %slot = getelementptr inbounds [64 x float], ptr @tablekilnwarmup, i32 0, i32 %i
  store float %s, ptr %slot
  %next = add nsw i32 %i, 1
  %done = icmp eq i32 %next, 64
  br i1 %done, label %exit, label %loop
exit:
  ret void
}

define void @instanceClearkilnwarmup(ptr %dsp) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %slot = getelementptr inbounds float, ptr %dsp, i32 %i
  store float 0.0, ptr %slot
  %next = add nsw i32 %i, 1
  %done = icmp eq i32 %next, 16
  br i1 %done, label %exit, label %loop
exit:
  ret void
}

define void @computekilnwarmup(ptr %dsp, i32 %count, ptr noalias %inputs, ptr noalias %outputs) {
entry:
  %in0 = load ptr, ptr %inputs
  %in1p = getelementptr inbounds ptr, ptr %inputs, i32 1
  %in1 = load ptr, ptr %in1p
  %out0 = load ptr, ptr %outputs
  %out1p = getelementptr inbounds ptr, ptr %outputs, i32 1
  %out1 = load ptr, ptr %out1p
  %gain = load float, ptr %dsp
  %statep = getelementptr inbounds float, ptr %dsp, i32 1
  %any = icmp sgt i32 %count, 0
  br i1 %any, label %filter, label %exit
filter:
  %i = phi i32 [ 0, %entry ], [ %inext, %filter ]
  %a = getelementptr inbounds float, ptr %in0, i32 %i
  %x = load float, ptr %a
  %b = getelementptr inbounds float, ptr %in1, i32 %i
  %y = load float, ptr %b
  %state = load float, ptr %statep
  %sum = fadd fast float %x, %y
  %scaled = fmul fast float %sum, %gain
  %fed = fadd fast float %scaled, %state
  %half = fmul fast float %fed, 0x3FE0000000000000
  store float %half, ptr %statep
  %k = fptosi float %x to i32
  %idx = and i32 %k, 63
  %t = getelementptr inbounds [64 x float], ptr @tablekilnwarmup, i32 0, i32 %idx
  %tv = load float, ptr %t
  %c = getelementptr inbounds float, ptr %out0, i32 %i
  store float %half, ptr %c
  %m = fmul fast float %y, %tv
  %fl = call fast float @floorf(float %m)
  %d = getelementptr inbounds float, ptr %out1, i32 %i
  store float %fl, ptr %d
  %inext = add nsw i32 %i, 1
  %idone = icmp eq i32 %inext, %count
  br i1 %idone, label %shape, label %filter
shape:
  %j = phi i32 [ 0, %filter ], [ %jnext, %shape ]
  %e = getelementptr inbounds float, ptr %out1, i32 %j
  %v = load float, ptr %e
  %w = fmul fast float %v, 0x3FE0000000000000
  %neg = fcmp olt float %w, 0.0
  %clip = select i1 %neg, float 0.0, float %w
  store float %clip, ptr %e
  %jnext = add nsw i32 %j, 1
  %jdone = icmp eq i32 %jnext, %count
  br i1 %jdone, label %exit, label %shape
exit:
  ret void
}
)";

/// One half of the warm-up module, prepared for `jit`'s target.
Expected<llvm::orc::ThreadSafeModule>
warmUpModule(core::Jit &jit, const core::TargetSpec &spec, Part part) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto m = core::parseIR(kWarmUpModule, "kiln-warm-up", *context);
  if (!m)
    return m.takeError();
  prepareModule(**m, spec, kWarmUpClass);
  splitModule(**m, kWarmUpClass, part);
  (*m)->setDataLayout(jit.dataLayout());
  return llvm::orc::ThreadSafeModule(std::move(*m), std::move(context));
}

Error runWarmUp(core::OptLevel level, const core::TargetSpec &spec) {
  core::JitOptions options;
  options.level = level;
  options.lateLicm = kLateLicm;
  auto jit = core::Jit::create(options);
  if (!jit)
    return jit.takeError();
  std::string compute = std::string("compute") + kWarmUpClass;
  for (Part part : {Part::SetUp, Part::Compute}) {
    auto half = warmUpModule(**jit, spec, part);
    if (!half)
      return half.takeError();
    if (auto err = (*jit)->addModule(std::move(*half)))
      return err;
  }
  // The halves compile at once, as a factory's do, so the pool ends up with
  // a TargetMachine for each compile thread.
  std::future<Error> computeDone;
  try {
    computeDone = std::async(std::launch::async, [&jit, &compute] {
      return (*jit)->lookup(compute).takeError();
    });
  } catch (const std::system_error &) {
    return (*jit)->lookup(compute).takeError();
  }
  Error setUp =
      (*jit)->lookup(std::string("instanceClear") + kWarmUpClass).takeError();
  Error computeErr = computeDone.get();
  if (setUp) {
    llvm::consumeError(std::move(computeErr));
    return setUp;
  }
  return computeErr;
}

} // namespace

/// The warm-up, once per process, for the first factory built for the host
/// on a machine with more than one core (on one core it would only take
/// turns with faust's start-up). A failure costs nothing but the time: the
/// factory's own compilation reports whatever is wrong.
void startWarmUp(Factory::Impl &impl) {
  static std::atomic<bool> started{false};
  if (!impl.split || started.exchange(true))
    return;
  try {
    impl.pendingWarmUp =
        std::async(std::launch::async, [level = impl.level, spec = impl.spec,
                                        timings = impl.timings] {
          core::ScopedPhase phase(timings, "warm-up");
          llvm::consumeError(runWarmUp(level, spec));
        });
  } catch (const std::system_error &) {
    // no thread to be had: the first factory pays as it did
  }
}

} // namespace kiln::faust
