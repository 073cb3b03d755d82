// relay_compile_bench: how long one Relay function takes from typed AST to
// callable native code (irgen + optimise + codegen + JIT link) at each
// level — the router's unit of work. Google Benchmark; no compile cache.
#include "relay/irgen/IRGen.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Jit.h"
#include "kiln/core/Timing.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>

using namespace kiln;

namespace {

const char *const Source = R"(
fn fib(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }
fn dot(a, b) { let s = 0; for i in 0..len(a) { s = s + a[i] * b[i] }; return s }
print(fib(20), dot([1, 2], [3, 4]))
)";

template <typename T> T check(llvm::Expected<T> v) {
  if (!v) {
    std::fprintf(stderr, "%s\n", core::renderError(v.takeError()).c_str());
    std::exit(1);
  }
  return std::move(*v);
}

void BM_RelayFunctionToCallable(benchmark::State &state, int fnIndex,
                                core::OptLevel level) {
  relay::DiagList diags;
  auto program = relay::parseProgram("bench.relay", Source, diags);
  if (!diags.empty() || !relay::analyze(*program, diags))
    std::exit(1);
  const relay::FuncDecl &fn = *program->functions[fnIndex];
  core::JitOptions options;
  options.level = level;
  core::PhaseTimings timings;
  options.timings = &timings;
  auto jit = check(core::Jit::create(options));
  // The callee stubs the router would provide: resolve `relay.<g>` to a
  // host symbol so the module links (it is never called here).
  static int dummy;
  if (auto err =
          jit->defineSymbols({{"relay.fib", &dummy}, {"relay.dot", &dummy}})) {
    std::fprintf(stderr, "%s\n", core::renderError(std::move(err)).c_str());
    std::exit(1);
  }
  for (auto _ : state) {
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = check(relay::generateFunction(*program, fn, *context));
    auto rt = jit->createTracker();
    if (auto err = jit->addModule(
            llvm::orc::ThreadSafeModule(std::move(module), std::move(context)),
            rt))
      std::exit(1);
    benchmark::DoNotOptimize(check(jit->lookup("relay." + fn.name + ".impl")));
    if (auto err = jit->remove(rt))
      std::exit(1);
  }
  // Where the time goes, per iteration: the JIT's own phases.
  for (const auto &[phase, ms] : timings.entries())
    state.counters[phase + "_ms"] =
        ms / static_cast<double>(state.iterations());
}
// Benchmark names are `fib/O2`, not `fib / O2`:
// clang-format off
BENCHMARK_CAPTURE(BM_RelayFunctionToCallable, fib/O0, 0, core::OptLevel::O0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RelayFunctionToCallable, fib/O2, 0, core::OptLevel::O2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RelayFunctionToCallable, dot/O2, 1, core::OptLevel::O2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RelayFunctionToCallable, dot/O1, 1, core::OptLevel::O1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RelayFunctionToCallable, dot/O0, 1, core::OptLevel::O0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RelayFunctionToCallable, fib/O3, 0, core::OptLevel::O3)
    ->Unit(benchmark::kMillisecond);
// clang-format on

} // namespace

BENCHMARK_MAIN();
