// Engine: IR generation, then Kiln's JIT, then a function pointer.
#include "Engine.h"
#include "Host.h"
#include "IRGen.h"

#include "kiln/core/Diagnostic.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/Module.h"

#include <algorithm>

namespace ember {

// [tutorial:engine-create]
kiln::Expected<std::unique_ptr<Engine>>
Engine::create(const Program &program, const kiln::core::JitOptions &options) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("ember", *context);
  if (llvm::Error err = generateIR(program, *module))
    return kiln::core::toDiagnostics(std::move(err));
  auto jit = kiln::core::Jit::create(options);
  if (!jit)
    return kiln::core::toDiagnostics(jit.takeError());
  std::vector<std::pair<std::string, void *>> symbols;
  for (const HostFunction &fn : hostFunctions())
    symbols.emplace_back(fn.name, fn.address);
  if (llvm::Error err = (*jit)->defineSymbols(symbols))
    return kiln::core::toDiagnostics(std::move(err));
  llvm::orc::ThreadSafeModule tsm(std::move(module), std::move(context));
  if (llvm::Error err = (*jit)->addModule(std::move(tsm)))
    return kiln::core::toDiagnostics(std::move(err));
  return std::unique_ptr<Engine>(new Engine(std::move(*jit)));
}
// [/tutorial]

kiln::Expected<void *> Engine::address(const std::string &name) {
  auto symbol = J->lookup(name);
  if (!symbol)
    return kiln::core::toDiagnostics(symbol.takeError());
  return symbol->getAddress().toPtr<void *>();
}

// [tutorial:run-main]
kiln::Expected<double> runMain(const Program &program,
                               const kiln::core::JitOptions &options) {
  auto main = std::find_if(
      program.functions.begin(), program.functions.end(),
      [](const Function &fn) { return fn.name == "main" && !fn.isExtern; });
  if (main == program.functions.end() || !main->params.empty())
    return kiln::errorDiagnostic("the program needs a 'def main()'");
  kiln::Expected<std::unique_ptr<Engine>> engine =
      Engine::create(program, options);
  if (!engine)
    return engine.takeDiagnostics();
  kiln::Expected<void *> address = (*engine)->address("main");
  if (!address)
    return address.takeDiagnostics();
  auto *mainFn = reinterpret_cast<double (*)()>(*address);
  return mainFn(); // native code, compiled from Ember a moment ago
}
// [/tutorial]

} // namespace ember
