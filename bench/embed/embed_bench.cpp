// embed_bench: what a call costs through the C API (libkiln.so) against the
// same code called from C++ directly, for a trivial function of each kind:
// an LLVM IR function (looked up with kiln_engine_lookup vs core::Jit), a
// tensor kernel at n = 16 (kiln_tensor_run and a bound call vs
// CompiledKernel::run) and a Relay function (kiln_relay_call vs
// CompiledProgram::call). The C side goes through the shared library as a
// host would; the C++ side links Kiln's static libraries. scripts/bench
// embed reports the medians (issue 14's target: at most 5 ns more per call
// for the bound call and the looked-up pointer).
#include "kiln/kiln.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/Jit.h"
#include "kiln/relay/CompiledProgram.h"
#include "kiln/tensor/Tensor.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

const char IR[] = "define i64 @inc(i64 %x) {\n"
                  "  %r = add i64 %x, 1\n"
                  "  ret i64 %r\n"
                  "}\n";
const char Kernel[] =
    "kernel triad(a: f32[], b: f32[], s: f32) -> f32[] = a + s * b\n";
const char Relay[] = "fn add(a: number, b: number) -> number {\n"
                     "    return a + b\n"
                     "}\n";
constexpr int64_t N = 16;

[[noreturn]] void die(const std::string &what) {
  std::fprintf(stderr, "embed_bench: %s\n", what.c_str());
  std::exit(1);
}

void ok(kiln_error *error) {
  if (error)
    die(kiln_error_rendered(error));
}

/// One engine through the C API at O3 (the tensor engine's default).
kiln_engine *cEngine() {
  static kiln_engine *engine = [] {
    kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
    options.opt_level = 3;
    kiln_engine *e = nullptr;
    ok(kiln_engine_new(&options, &e));
    return e;
  }();
  return engine;
}

using IncFn = int64_t (*)(int64_t);

/// Calls `fn` once per iteration, feeding each result into the next call.
void callLoop(benchmark::State &state, IncFn fn) {
  int64_t x = 0;
  for (auto _ : state) {
    x = fn(x);
    benchmark::DoNotOptimize(x);
  }
  if (x != int64_t(state.iterations()))
    die("inc gave a wrong result");
}

void BM_Ir_CApiLookup(benchmark::State &state) {
  static IncFn fn = [] {
    kiln_unit *unit = nullptr; // kept for the process
    ok(kiln_unit_add_ir(cEngine(), "inc.ll", IR, std::strlen(IR), &unit));
    void *address = nullptr;
    ok(kiln_engine_lookup(cEngine(), "inc", &address));
    return reinterpret_cast<IncFn>(address);
  }();
  callLoop(state, fn);
}

void BM_Ir_CxxJit(benchmark::State &state) {
  static std::unique_ptr<kiln::core::Jit> jit;
  static IncFn fn = [] {
    kiln::core::JitOptions options;
    options.level = kiln::OptLevel::O3;
    auto made = kiln::core::Jit::create(options);
    if (!made)
      die(kiln::core::renderError(made.takeError()));
    jit = std::move(*made);
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = kiln::core::parseIR(IR, "inc.ll", *context);
    if (!module)
      die(kiln::core::renderError(module.takeError()));
    if (auto err = jit->addModule(llvm::orc::ThreadSafeModule(
            std::move(*module), std::move(context))))
      die(kiln::core::renderError(std::move(err)));
    auto found = jit->lookupAs<int64_t(int64_t)>("inc");
    if (!found)
      die(kiln::core::renderError(found.takeError()));
    return *found;
  }();
  callLoop(state, fn);
}

/// The arrays of one triad call, n = 16.
struct TriadData {
  std::vector<float> a = std::vector<float>(N, 1.5f);
  std::vector<float> b = std::vector<float>(N, 2.0f);
  std::vector<float> out = std::vector<float>(N, 0.0f);
  void check() const {
    for (float v : out)
      if (v != 1.5f + 0.5f * 2.0f)
        die("triad gave a wrong result");
  }
};

kiln_tensor_arg cArray(std::vector<float> &v) {
  kiln_tensor_arg arg{};
  arg.is_array = 1;
  arg.array.data = v.data();
  arg.array.dtype = KILN_DTYPE_F32;
  arg.array.rank = 1;
  arg.array.shape[0] = N;
  arg.array.strides[0] = 1;
  return arg;
}

kiln_tensor_kernel *cTriad() {
  static kiln_tensor_kernel *kernel = [] {
    kiln_tensor_program *program = nullptr;
    ok(kiln_tensor_compile(cEngine(), "triad.tk", Kernel, std::strlen(Kernel),
                           &program));
    kiln_tensor_kernel *k = nullptr;
    ok(kiln_tensor_kernel_get(program, "triad", &k));
    kiln_tensor_program_free(program); // the kernel keeps its code
    return k;
  }();
  return kernel;
}

/// A triad call's arguments as the C API takes them.
struct CTriadCall : TriadData {
  kiln_tensor_arg args[3] = {cArray(a), cArray(b), {}};
  kiln_tensor_arg outArg = cArray(out);
  CTriadCall() {
    args[2].scalar.dtype = KILN_DTYPE_F32;
    args[2].scalar.f = 0.5;
  }
};

void BM_Tensor_CApiRun(benchmark::State &state) {
  CTriadCall c;
  for (auto _ : state) {
    kiln_error *error =
        kiln_tensor_run(cTriad(), c.args, 3, &c.outArg.array, nullptr, 0);
    benchmark::DoNotOptimize(error);
  }
  c.check();
}

void BM_Tensor_CApiBound(benchmark::State &state) {
  CTriadCall c;
  kiln_tensor_call *bound = nullptr;
  ok(kiln_tensor_bind(cTriad(), c.args, 3, &c.outArg.array, 0, &bound));
  for (auto _ : state)
    benchmark::DoNotOptimize(kiln_tensor_call_run(bound, nullptr));
  kiln_tensor_call_free(bound);
  c.check();
}

/// The C++ engine and kernel, as the C API makes them (O3, no disk cache).
std::shared_ptr<kiln::tensor::CompiledKernel> cxxTriad() {
  using namespace kiln::tensor;
  static std::unique_ptr<Engine> engine;
  static std::shared_ptr<CompiledKernel> kernel = [] {
    EngineOptions options;
    options.cache = false;
    auto made = Engine::create(options);
    if (!made)
      die(kiln::render(made.diagnostics()));
    engine = std::move(*made);
    auto compiled = compile(*engine, Kernel);
    if (!compiled)
      die(kiln::render(compiled.diagnostics()));
    return compiled->kernels.front();
  }();
  return kernel;
}

std::vector<kiln::tensor::Arg> cxxArgs(TriadData &d) {
  using namespace kiln::tensor;
  return {Arg::of(ArrayView::contiguous(d.a.data(), DType::F32, {N})),
          Arg::of(ArrayView::contiguous(d.b.data(), DType::F32, {N})),
          Arg::of(Scalar::f32(0.5f))};
}

void BM_Tensor_CxxRun(benchmark::State &state) {
  using namespace kiln::tensor;
  TriadData d;
  std::vector<Arg> args = cxxArgs(d);
  ArrayView out = ArrayView::contiguous(d.out.data(), DType::F32, {N});
  const CompiledKernel &k = *cxxTriad();
  for (auto _ : state) {
    kiln::Status ran = k.run(args.data(), args.size(), &out, nullptr);
    benchmark::DoNotOptimize(ran);
  }
  d.check();
}

void BM_Tensor_CxxBound(benchmark::State &state) {
  using namespace kiln::tensor;
  TriadData d;
  std::vector<Arg> args = cxxArgs(d);
  ArrayView out = ArrayView::contiguous(d.out.data(), DType::F32, {N});
  auto bound = cxxTriad()->bind(args.data(), args.size(), &out);
  if (!bound)
    die(kiln::render(bound.diagnostics()));
  for (auto _ : state) {
    kiln::Status ran = bound->run();
    benchmark::DoNotOptimize(ran);
  }
  d.check();
}

/// Relay in jit mode at O2 through the C API, no disk cache.
kiln_relay_program *cRelay() {
  static kiln_relay_program *program = [] {
    kiln_engine_options engineOptions = KILN_ENGINE_OPTIONS_INIT;
    kiln_engine *engine = nullptr;
    ok(kiln_engine_new(&engineOptions, &engine));
    kiln_relay_options options = KILN_RELAY_OPTIONS_INIT;
    options.mode = KILN_RELAY_JIT;
    kiln_relay_program *p = nullptr;
    ok(kiln_relay_compile(engine, "add.relay", Relay, std::strlen(Relay),
                          &options, &p));
    kiln_engine_free(engine); // the program keeps it
    return p;
  }();
  return program;
}

void BM_Relay_CApiCall(benchmark::State &state) {
  kiln_value args[2] = {{KILN_VALUE_NUMBER, 1, 0, nullptr, 0},
                        {KILN_VALUE_NUMBER, 2, 0, nullptr, 0}};
  kiln_value result{};
  for (auto _ : state) {
    ok(kiln_relay_call(cRelay(), "add", args, 2, &result));
    benchmark::DoNotOptimize(result.number);
  }
  if (result.number != 3)
    die("add gave a wrong result");
}

void BM_Relay_CxxCall(benchmark::State &state) {
  kiln::relay::RunOptions options;
  options.mode = kiln::relay::Mode::Jit;
  options.cache = false;
  auto program =
      kiln::relay::CompiledProgram::compile("add.relay", Relay, options);
  if (!program)
    die(kiln::render(program.diagnostics()));
  std::vector<kiln::relay::Value> args = {1.0, 2.0};
  double sum = 0;
  for (auto _ : state) {
    auto result = program->call("add", args);
    sum = result->number();
    benchmark::DoNotOptimize(sum);
  }
  if (sum != 3)
    die("add gave a wrong result");
}

} // namespace

// clang-format off
BENCHMARK(BM_Ir_CApiLookup);
BENCHMARK(BM_Ir_CxxJit);
BENCHMARK(BM_Tensor_CApiRun);
BENCHMARK(BM_Tensor_CApiBound);
BENCHMARK(BM_Tensor_CxxRun);
BENCHMARK(BM_Tensor_CxxBound);
BENCHMARK(BM_Relay_CApiCall)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Relay_CxxCall)->Unit(benchmark::kMicrosecond);
// clang-format on

BENCHMARK_MAIN();
