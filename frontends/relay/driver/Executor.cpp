// Executor: the interpreter and the whole-program JIT behind
// CompiledProgram (the router is in Router.cpp).
#include "Executor.h"

#include "DriverSupport.h"
#include "relay/irgen/IRGen.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Jit.h"
#include "kiln/core/Timing.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

namespace kiln::relay {

namespace {

class Interpreted : public Executor {
public:
  Interpreted(const Program &program, const RunOptions &options)
      : P(program), O(options), Interp(program) {}

  Status run(RunStats *) override {
    core::ScopedPhase phase(O.timings, "run");
    RuntimeError error;
    if (Interp.run(error))
      return {};
    return runtimeDiagnostic(P.file, error);
  }

  Status call(int index, const Slot *args, Slot *ret) override {
    RuntimeError error;
    if (Interp.call(index, args, ret, error))
      return {};
    return runtimeDiagnostic(P.file, error);
  }

private:
  const Program &P;
  RunOptions O;
  Interpreter Interp;
};

/// The whole program in one module, compiled when made.
class Compiled : public Executor {
public:
  Compiled(const Program &program, const RunOptions &options)
      : P(program), O(options), Entries(program.functions.size(), nullptr) {}

  llvm::Error compile();
  Status run(RunStats *stats) override;
  Status call(int index, const Slot *args, Slot *ret) override;

private:
  const Program &P;
  RunOptions O;
  std::unique_ptr<core::Jit> J;
  void (*Main)() = nullptr;
  std::vector<NativeEntry> Entries; ///< looked up at the first call
};

llvm::Error Compiled::compile() {
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  {
    core::ScopedPhase phase(O.timings, "irgen");
    IRGenOptions irgen;
    irgen.guards = O.guards;
    irgen.debugInfo = O.debugInfo;
    auto generated = generateProgram(P, *context, irgen);
    if (!generated)
      return generated.takeError();
    module = std::move(*generated);
  }
  core::JitOptions options = jitOptionsFor(O);
  options.gdbRegistration = O.debugInfo; // gdb reads the DWARF from there
  auto jit = core::Jit::create(options);
  if (!jit)
    return jit.takeError();
  J = std::move(*jit);
  if (auto err = J->addModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    return err;
  auto main = J->lookupAs<void()>("relay.main");
  if (!main)
    return main.takeError();
  Main = *main;
  return llvm::Error::success();
}

Status Compiled::run(RunStats *stats) {
  if (stats) {
    stats->compilations = J->stats().compilations;
    stats->cacheHits = J->stats().cacheHits;
  }
  core::ScopedPhase phase(O.timings, "run");
  kiln_rt_trap_info info;
  if (callGuarded([&] { Main(); }, info))
    return {};
  return trapDiagnostic(P.file, info);
}

Status Compiled::call(int index, const Slot *args, Slot *ret) {
  if (!Entries[index]) {
    auto entry = J->lookupAs<void(const Slot *, Slot *)>(
        "relay." + P.functions[index]->name + ".entry");
    if (!entry)
      return core::toDiagnostics(entry.takeError());
    Entries[index] = *entry;
  }
  kiln_rt_trap_info info;
  if (callGuarded([&] { Entries[index](args, ret); }, info))
    return {};
  return trapDiagnostic(P.file, info);
}

} // namespace

core::JitOptions jitOptionsFor(const RunOptions &options) {
  core::JitOptions jit;
  jit.level = options.level;
  jit.timings = options.timings;
  if (options.cache)
    jit.cache = std::make_shared<core::CompileCache>(
        core::CompileCache::defaultDirectory());
  return jit;
}

std::unique_ptr<Executor> makeInterpreted(const Program &program,
                                          const RunOptions &options) {
  return std::make_unique<Interpreted>(program, options);
}

Expected<std::unique_ptr<Executor>> makeCompiled(const Program &program,
                                                 const RunOptions &options) {
  auto compiled = std::make_unique<Compiled>(program, options);
  if (auto err = compiled->compile())
    return core::toDiagnostics(std::move(err));
  return std::unique_ptr<Executor>(std::move(compiled));
}

} // namespace kiln::relay
