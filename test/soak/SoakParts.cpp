// SoakParts: one engine per front end and the compile -> call -> remove cycle
// the soak repeats on it. Every cycle compiles new code (a constant that
// changes with the cycle number), so nothing comes from a cache: core::Jit
// and the tensor engine run without the on-disk cache, relay::run with
// `cache = false`, Faust factories with `cache = false` and each deleted
// from its registry before the next.
#include "Soak.h"

#include "relay/interp/Interpreter.h" // Slot, the compiled entry's ABI
#include "relay/irgen/IRGen.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/Jit.h"
#include "kiln/faust/Faust.h"
#include "kiln/relay/Relay.h"
#include "kiln/tensor/Tensor.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <cmath>
#include <cstdio>
#include <vector>

namespace kiln::soak {

namespace {

std::string text(llvm::Error err) { return core::renderError(std::move(err)); }

/// The engine every core::Jit part shares the set-up of: O2, no cache.
std::shared_ptr<core::Jit> makeJit(std::string &error) {
  core::JitOptions options; // cache null: every module is compiled
  auto jit = core::Jit::create(options);
  if (!jit) {
    error = text(jit.takeError());
    return nullptr;
  }
  return std::shared_ptr<core::Jit>(std::move(*jit));
}

/// Adds `module` under a new tracker, looks `symbol` up, lets `call` use
/// it, then removes the tracker (unless `leak`). Returns "" or the error.
template <typename Fn, typename Call>
std::string addCallRemove(core::Jit &jit, std::unique_ptr<llvm::Module> module,
                          std::unique_ptr<llvm::LLVMContext> context,
                          const std::string &symbol, bool leak, Call call) {
  auto rt = jit.createTracker();
  if (auto err = jit.addModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context)),
          rt))
    return text(std::move(err));
  auto fn = jit.lookupAs<Fn>(symbol);
  std::string result = fn ? call(*fn) : text(fn.takeError());
  if (leak)
    return result;
  if (auto err = jit.remove(rt))
    return text(std::move(err));
  return result;
}

/// A function of `x` that calls libm through the process's symbols.
std::string irSource(int cycle) {
  std::string name = "soak_ir_" + std::to_string(cycle);
  return "declare double @sqrt(double)\n"
         "define double @" +
         name +
         "(double %x) {\n"
         "  %s = call double @sqrt(double %x)\n"
         "  %m = fmul double %s, " +
         std::to_string(cycle) +
         ".0\n"
         "  %r = fadd double %m, 1.0\n"
         "  ret double %r\n}\n";
}

Cycle makeIr(Hold &hold, std::string &error) {
  auto jit = makeJit(error);
  if (!jit)
    return {};
  hold.objects.push_back(jit);
  return [jit, leak = hold.leak](int cycle) -> std::string {
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = core::parseIR(irSource(cycle), "soak.ll", *context);
    if (!module)
      return text(module.takeError());
    std::string symbol = "soak_ir_" + std::to_string(cycle);
    return addCallRemove<double(double)>(
        *jit, std::move(*module), std::move(context), symbol, leak,
        [cycle](auto *fn) -> std::string {
          double got = fn(16.0), want = 4.0 * cycle + 1;
          return got == want ? "" : "soak_ir returned " + std::to_string(got);
        });
  };
}

/// A Relay function with a loop; f(10) = 45 * cycle.
std::string relaySource(int cycle) {
  return "fn f(n) {\n  let s = 0\n  for i in 0..n { s = s + i * " +
         std::to_string(cycle) + " }\n  return s\n}\n";
}

/// No --leak here: every module defines relay.main and relay.f.entry, so
/// one left in place makes the next a duplicate definition.
Cycle makeRelay(Hold &hold, std::string &error) {
  auto jit = makeJit(error);
  if (!jit)
    return {};
  hold.objects.push_back(jit);
  return [jit](int cycle) -> std::string {
    relay::DiagList diags;
    auto program = relay::parseProgram("soak.relay", relaySource(cycle), diags);
    if (!diags.empty() || !relay::analyze(*program, diags))
      return "soak.relay does not compile: " + diags.front().message;
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = relay::generateProgram(*program, *context);
    if (!module)
      return text(module.takeError());
    using Entry = void(const relay::Slot *, relay::Slot *);
    return addCallRemove<Entry>(
        *jit, std::move(*module), std::move(context), "relay.f.entry",
        /*leak=*/false, [cycle](Entry *fn) -> std::string {
          relay::Slot arg, ret;
          arg.number = 10;
          fn(&arg, &ret);
          return ret.number == 45.0 * cycle
                     ? ""
                     : "relay f(10) returned " + std::to_string(ret.number);
        });
  };
}

Cycle makeRelayRun(Hold &, std::string &) {
  return [](int cycle) -> std::string {
    relay::RunOptions options;
    options.mode = relay::Mode::Jit;
    options.cache = false;
    std::string source = relaySource(cycle) + "let r = f(10)\n";
    if (kiln::Status status = relay::run("soak.relay", source, options);
        !status)
      return "relay::run failed: " + kiln::render(status.diagnostics());
    return "";
  };
}

/// Alternately an elementwise kernel and a reduction (combine/finish too).
std::string tensorSource(int cycle) {
  std::string c = std::to_string(cycle);
  return cycle % 2
             ? "kernel soak(a: f32[], b: f32[]) -> f32 = sum(a * b) + " + c
             : "kernel soak(a: f32[], b: f32[]) -> f32[] = a * b + " + c;
}

std::string callTensor(const tensor::CompiledKernel &kernel, int cycle) {
  std::vector<float> a(16, 2.0f), b(16, 3.0f), out(16, 0.0f);
  using tensor::ArrayView, tensor::Arg, tensor::DType;
  std::vector<Arg> args = {
      Arg::of(ArrayView::contiguous(a.data(), DType::F32, {16})),
      Arg::of(ArrayView::contiguous(b.data(), DType::F32, {16}))};
  ArrayView o = ArrayView::contiguous(out.data(), DType::F32, {16});
  tensor::Scalar r;
  bool reduce = cycle % 2;
  if (kiln::Status ran = kernel.run(args, reduce ? nullptr : &o, &r); !ran)
    return kiln::render(ran.diagnostics());
  double got = reduce ? r.f : out[15], want = (reduce ? 96.0 : 6.0) + cycle;
  return std::fabs(got - want) <= 1e-6 * want
             ? ""
             : "kernel returned " + std::to_string(got);
}

Cycle makeTensor(Hold &hold, std::string &error) {
  tensor::EngineOptions options;
  options.cache = false; // no on-disk objects: every kernel is compiled
  options.threads = 1;
  auto created = tensor::Engine::create(options);
  if (!created) {
    error = kiln::render(created.diagnostics());
    return {};
  }
  std::shared_ptr<tensor::Engine> engine = std::move(*created);
  hold.objects.push_back(engine);
  return [engine, &hold](int cycle) -> std::string {
    auto r = tensor::compile(*engine, tensorSource(cycle));
    if (!r)
      return kiln::render(r.diagnostics());
    if (hold.leak)
      hold.objects.push_back(r->kernels.front());
    return callTensor(*r->kernels.front(), cycle); // r drops the kernel
  };
}

/// A one-pole low-pass with a gain that changes with the cycle.
std::string faustSource(int cycle) {
  return "declare name \"soak\";\nprocess = _ * " + std::to_string(cycle + 1) +
         " : + ~ *(0.5);\n";
}

std::string runInstance(faust::Factory &factory) {
  std::string error;
  auto dsp = factory.createInstance(&error);
  if (!dsp)
    return error;
  dsp->init(48000);
  std::vector<FAUSTFLOAT> in(64, 1.0f), out(64, 0.0f);
  FAUSTFLOAT *ins[] = {in.data()}, *outs[] = {out.data()};
  dsp->compute(64, ins, outs);
  return std::isfinite(out[63]) && out[63] > 0 ? "" : "faust output is wrong";
}

Cycle makeFaust(Hold &hold, std::string &) {
  auto registry = std::make_shared<faust::Registry>();
  hold.objects.push_back(registry);
  return [registry, leak = hold.leak](int cycle) -> std::string {
    faust::FactoryOptions options; // cache false: faust and LLVM every time
    std::string error;
    auto factory = registry->createDSPFactoryFromString(
        "soak.dsp", faustSource(cycle), options, error);
    if (!factory)
      return error;
    std::string result = runInstance(*factory);
    if (leak) // the registry keeps it
      return result;
    if (!registry->deleteDSPFactory(factory))
      return "the registry did not hold the factory";
    return result;
  };
}

} // namespace

Part irPart() {
  return {"ir", "LLVM IR module (sqrt call) on one core::Jit, O2, no cache",
          makeIr};
}
Part relayPart() {
  return {"relay",
          "Relay program (parse, sema, irgen) on one core::Jit, O2, no cache",
          makeRelay};
}
Part relayRunPart() {
  return {"relay-run", "relay::run, JIT mode, cache off (an engine per run)",
          makeRelayRun};
}
Part tensorPart() {
  return {"tensor", "tensor kernel on one tensor::Engine, O3, cache off",
          makeTensor};
}
Part faustPart() {
  return {"faust",
          "Faust factory + instance + compute from one Registry, cache off",
          makeFaust};
}

} // namespace kiln::soak
