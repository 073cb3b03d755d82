// core_bench: latency of Kiln's core phases (engine creation, optimise,
// codegen, JIT to callable, cache hits, AOT emission + link), measured with
// Google Benchmark. IR inputs come from $KILN_BENCH_IR_DIR (fib.ll and
// medium.ll, fib_timed.ll, produced by scripts/bench with clang-19).
#include "kiln/core/Cache.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/Jit.h"
#include "kiln/core/Link.h"
#include "kiln/core/Target.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

#include <benchmark/benchmark.h>
#include <cstdlib>
#include <map>

using namespace kiln;
using core::OptLevel;

namespace {

const std::string &irText(const std::string &name) {
  static std::map<std::string, std::string> texts;
  auto it = texts.find(name);
  if (it != texts.end())
    return it->second;
  const char *dir = std::getenv("KILN_BENCH_IR_DIR");
  std::string path = std::string(dir ? dir : ".") + "/" + name + ".ll";
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    std::fprintf(stderr, "core_bench: cannot read %s (set KILN_BENCH_IR_DIR)\n",
                 path.c_str());
    std::exit(2);
  }
  return texts[name] = (*buffer)->getBuffer().str();
}

llvm::orc::ThreadSafeModule parse(const std::string &name) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = llvm::cantFail(core::parseIR(irText(name), name, *context));
  return llvm::orc::ThreadSafeModule(std::move(module), std::move(context));
}

/// The symbol looked up to make a module callable.
std::string entryOf(const std::string &name) {
  return name == "fib" ? "fib" : "main";
}

template <typename T> T check(llvm::Expected<T> value) {
  if (!value) {
    std::fprintf(stderr, "core_bench: %s\n",
                 core::renderError(value.takeError()).c_str());
    std::exit(1);
  }
  return std::move(*value);
}

void check(llvm::Error err) {
  if (err) {
    std::fprintf(stderr, "core_bench: %s\n",
                 core::renderError(std::move(err)).c_str());
    std::exit(1);
  }
}

void BM_EngineCreate(benchmark::State &state) {
  core::hostTarget(); // one-time host detection is not engine creation
  for (auto _ : state) {
    auto jit = check(core::Jit::create());
    benchmark::DoNotOptimize(jit.get());
  }
}
BENCHMARK(BM_EngineCreate)->Unit(benchmark::kMillisecond);

/// Isolated engines (JitOptions::isolate): starting kiln-executor and ORC's
/// handshake with it, then one call of a trivial `int f(int)` there (a
/// round trip over the socket) against the same call in process.
const char *const kIdentityIR = "define i32 @id(i32 %x) {\n  ret i32 %x\n}\n";

core::JitOptions isolatedOptions(bool isolated) {
  core::JitOptions options;
  options.isolate.enabled = isolated;
  return options;
}

void BM_EngineCreateIsolated(benchmark::State &state) {
  core::hostTarget();
  for (auto _ : state) {
    auto jit = check(core::Jit::create(isolatedOptions(true)));
    benchmark::DoNotOptimize(jit.get());
  }
}
BENCHMARK(BM_EngineCreateIsolated)->Unit(benchmark::kMillisecond);

void BM_CallRoundTrip(benchmark::State &state, bool isolated) {
  auto jit = check(core::Jit::create(isolatedOptions(isolated)));
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = check(core::parseIR(kIdentityIR, "id", *context));
  check(jit->addModule(
      llvm::orc::ThreadSafeModule(std::move(module), std::move(context))));
  auto id = check(jit->lookup("id")).getAddress();
  int32_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(check(jit->callInt(id, i++)));
}
// Benchmark names are `fib/O2`, not `fib / O2`:
// clang-format off
BENCHMARK_CAPTURE(BM_CallRoundTrip, in_process, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_CallRoundTrip, isolated, true)
    ->Unit(benchmark::kMicrosecond);
// clang-format on

/// Parse + optimise + codegen + link until `main` is callable.
void BM_JitToCallable(benchmark::State &state, std::string name,
                      OptLevel level) {
  core::JitOptions options;
  options.level = level;
  auto jit = check(core::Jit::create(options));
  for (auto _ : state) {
    auto rt = jit->createTracker();
    check(jit->addModule(parse(name), rt));
    auto entry = check(jit->lookup(entryOf(name)));
    benchmark::DoNotOptimize(entry);
    check(jit->remove(rt));
  }
}
// Benchmark names are `fib/O2`, not `fib / O2`:
// clang-format off
BENCHMARK_CAPTURE(BM_JitToCallable, fib/O0, "fib", OptLevel::O0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitToCallable, fib/O1, "fib", OptLevel::O1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitToCallable, fib/O2, "fib", OptLevel::O2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitToCallable, fib/O3, "fib", OptLevel::O3)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitToCallable, medium/O0, "medium", OptLevel::O0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitToCallable, medium/O1, "medium", OptLevel::O1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitToCallable, medium/O2, "medium", OptLevel::O2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitToCallable, medium/O3, "medium", OptLevel::O3)
    ->Unit(benchmark::kMillisecond);
// clang-format on

/// The same with a warm in-memory compile cache: no optimise, no codegen.
void BM_JitCachedToCallable(benchmark::State &state, std::string name) {
  core::JitOptions options;
  options.cache = std::make_shared<core::CompileCache>();
  auto jit = check(core::Jit::create(options));
  for (auto _ : state) {
    auto rt = jit->createTracker();
    check(jit->addModule(parse(name), rt));
    benchmark::DoNotOptimize(check(jit->lookup(entryOf(name))));
    check(jit->remove(rt));
  }
  state.counters["compilations"] = double(jit->stats().compilations);
}
// Benchmark names are `fib/O2`, not `fib / O2`:
// clang-format off
BENCHMARK_CAPTURE(BM_JitCachedToCallable, fib/O2, "fib")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitCachedToCallable, medium/O2, "medium")
    ->Unit(benchmark::kMillisecond);
// clang-format on

/// Separate phases for one module: parse, optimise, codegen.
void BM_Phase(benchmark::State &state, std::string name, int phase) {
  auto tm = check(core::createTargetMachine(core::hostTarget(), OptLevel::O2));
  core::PipelineOptions options;
  for (auto _ : state) {
    state.PauseTiming();
    llvm::LLVMContext context;
    state.ResumeTiming();
    auto module = check(core::parseIR(irText(name), name, context));
    if (phase == 0)
      continue;
    if (phase == 2)
      state.PauseTiming();
    check(core::optimizeModule(*module, *tm, options));
    if (phase == 1)
      continue;
    state.ResumeTiming();
    benchmark::DoNotOptimize(
        check(core::emitToString(*module, *tm, core::EmitKind::Object)));
  }
}
// (phase timings include a fresh parse; the parse row shows its share)
// Benchmark names are `fib/O2`, not `fib / O2`:
// clang-format off
BENCHMARK_CAPTURE(BM_Phase, fib/parse, "fib", 0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, fib/parse+optimize_O2, "fib", 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, fib/parse+codegen_O2, "fib", 2)
    ->Unit(benchmark::kMillisecond);
// clang-format on

/// AOT: optimise + object + link an executable with the system compiler.
void BM_AotObjectAndLink(benchmark::State &state, std::string name) {
  auto tm = check(core::createTargetMachine(core::hostTarget(), OptLevel::O2));
  std::string dir = std::string(std::getenv("KILN_BENCH_IR_DIR")
                                    ? std::getenv("KILN_BENCH_IR_DIR")
                                    : "/tmp");
  std::string object = dir + "/bench-aot.o", exe = dir + "/bench-aot";
  core::PipelineOptions options;
  for (auto _ : state) {
    llvm::LLVMContext context;
    auto module = check(core::parseIR(irText(name), name, context));
    check(core::optimizeModule(*module, *tm, options));
    check(core::emitToFile(*module, *tm, core::EmitKind::Object, object));
    check(core::linkObjects({object}, exe));
  }
  llvm::sys::fs::remove(object);
  llvm::sys::fs::remove(exe);
}
// Benchmark names are `fib/O2`, not `fib / O2`:
// clang-format off
BENCHMARK_CAPTURE(BM_AotObjectAndLink, fib_timed/O2, "fib_timed")
    ->Unit(benchmark::kMillisecond);
// clang-format on

} // namespace

BENCHMARK_MAIN();
