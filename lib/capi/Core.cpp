// Core.cpp: the C API over the core JIT — units, lookups, host symbols.
//
// A kiln_unit is one module added to the engine's core::Jit under its own
// ResourceTracker, so freeing the unit removes its code and returns its
// memory. IR is parsed and verified before the JIT sees it (IRInput.h):
// LLVM must never abort on a caller's bytes. Host functions with user data
// reach JIT code through a generated trampoline module.
#include "Engine.h"
#include "IRInput.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Jit.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <initializer_list>
#include <set>

/// One module in the engine's JIT; holds the engine alive.
struct kiln_unit {
  std::shared_ptr<kiln::capi::EngineState> state;
  kiln::core::Jit *jit = nullptr; ///< owned by state
  kiln::core::ResourceTrackerSP tracker;
  std::set<std::string> symbols; ///< the names the module defines
};

namespace kiln::capi {
namespace {

std::set<std::string> definedNames(const llvm::Module &module) {
  std::set<std::string> names;
  for (const llvm::GlobalValue &g : module.global_values())
    if (!g.isDeclaration() && !g.hasLocalLinkage())
      names.insert(g.getName().str());
  return names;
}

/// Adds a verified module to `jit` under `tracker` (null: the engine's own
/// default tracker). IR for another data layout is an invalid argument;
/// ORC's refusals (a name defined twice) are link errors.
kiln_error *addModule(core::Jit &jit, std::unique_ptr<llvm::Module> module,
                      std::unique_ptr<llvm::LLVMContext> context,
                      core::ResourceTrackerSP tracker) {
  // Owned together at once: the module must go before its context on
  // every path (parameters are destroyed in no fixed order).
  llvm::orc::ThreadSafeModule tsm(std::move(module), std::move(context));
  const llvm::Module &m = *tsm.getModuleUnlocked();
  if (!m.getDataLayout().isDefault() && m.getDataLayout() != jit.dataLayout())
    return makeError(KILN_ERROR_INVALID_ARGUMENT,
                     "module '" + m.getModuleIdentifier() +
                         "' was built for another data layout (target '" +
                         m.getTargetTriple() + "')");
  if (auto err = jit.addModule(std::move(tsm), std::move(tracker)))
    return fromLLVMError(std::move(err), KILN_ERROR_LINK);
  return nullptr;
}

/// Looks `name` up, compiling its unit if needed; errors LLVM reported
/// while generating code (inline assembly that does not assemble) fail the
/// lookup.
kiln_error *lookupIn(EngineState &state, core::Jit &jit, const char *name,
                     void **address) {
  auto symbol = jit.lookup(name);
  Diagnostics codegen = state.codegenErrors->take();
  if (!codegen.empty()) {
    if (!symbol)
      llvm::consumeError(symbol.takeError());
    return fromDiagnostics(std::move(codegen), KILN_ERROR_INVALID_ARGUMENT);
  }
  if (!symbol)
    return fromLLVMError(symbol.takeError(), KILN_ERROR_LINK);
  *address = symbol->getAddress().toPtr<void *>();
  return nullptr;
}

/// A context whose code generation errors go to the engine's sink.
std::unique_ptr<llvm::LLVMContext> newContext(EngineState &state) {
  auto context = std::make_unique<llvm::LLVMContext>();
  routeDiagnostics(*context, state.codegenErrors);
  return context;
}

/// An argument an entry point requires: non-null and, for a symbol name,
/// non-empty (LLVM would make a name up for an empty one).
struct Required {
  const void *value;
  const char *name;
  bool symbol = false;
};

/// The first of `args` that is missing, as an InvalidArgument error.
kiln_error *checkArgs(std::initializer_list<Required> args) {
  const char *entry = currentEntry ? currentEntry : "kiln";
  for (const Required &arg : args) {
    if (!arg.value)
      return nullArgument(entry, arg.name);
    if (arg.symbol && !*static_cast<const char *>(arg.value))
      return makeError(KILN_ERROR_INVALID_ARGUMENT,
                       std::string(entry) + ": '" + arg.name + "' is empty");
  }
  return nullptr;
}

/// The preamble the entry points here share: the catch-all guard, then
/// `args` checked in order, then `body()`.
template <typename F>
kiln_error *entry(const char *function, std::initializer_list<Required> args,
                  F &&body) noexcept {
  return guard(function, [&]() -> kiln_error * {
    if (kiln_error *error = checkArgs(args))
      return error;
    return body();
  });
}

/// entry() for the engine's JIT: `engine` is checked first, then `args`,
/// then the JIT is fetched (it exists only for engines of this machine) and
/// handed to `body(state, jit)`.
template <typename F>
kiln_error *jitEntry(const char *function, kiln_engine *engine,
                     std::initializer_list<Required> args, F &&body) noexcept {
  return guard(function, [&]() -> kiln_error * {
    core::Jit *jit = nullptr;
    if (kiln_error *error = checkArgs({{engine, "engine"}}))
      return error;
    if (kiln_error *error = checkArgs(args))
      return error;
    if (kiln_error *error = engine->state->jit(jit))
      return error;
    return body(*engine->state, *jit);
  });
}

} // namespace
} // namespace kiln::capi

using namespace kiln::capi;

KILN_API kiln_error *kiln_unit_add_ir(kiln_engine *engine, const char *name,
                                      const char *data, size_t size,
                                      kiln_unit **out) {
  return jitEntry(
      __func__, engine, {{data, "data"}, {out, "out"}},
      [&](EngineState &state, kiln::core::Jit &jit) -> kiln_error * {
        auto context = newContext(state);
        std::unique_ptr<llvm::Module> module;
        std::string file = name && *name ? name : "<ir>";
        if (kiln_error *error =
                parseModule(file, data, size, state.triple, *context, module))
          return error;
        auto unit = std::make_unique<kiln_unit>();
        unit->state = engine->state;
        unit->jit = &jit;
        unit->symbols = definedNames(*module);
        unit->tracker = jit.createTracker();
        if (kiln_error *error = addModule(jit, std::move(module),
                                          std::move(context), unit->tracker))
          return error;
        *out = unit.release();
        return nullptr;
      });
}

KILN_API void kiln_unit_free(kiln_unit *unit) {
  if (!unit)
    return;
  (void)guard(__func__, [&]() -> kiln_error * {
    if (auto err = unit->jit->remove(unit->tracker))
      llvm::consumeError(std::move(err)); // nothing to report to; freed anyway
    return nullptr;
  });
  delete unit;
}

KILN_API kiln_error *kiln_engine_lookup(kiln_engine *engine, const char *name,
                                        void **address) {
  return jitEntry(__func__, engine,
                  {{name, "name", true}, {address, "address"}},
                  [&](EngineState &state, kiln::core::Jit &jit) {
                    return lookupIn(state, jit, name, address);
                  });
}

KILN_API kiln_error *kiln_unit_lookup(kiln_unit *unit, const char *name,
                                      void **address) {
  return entry(
      __func__, {{unit, "unit"}, {name, "name", true}, {address, "address"}},
      [&]() -> kiln_error * {
        if (!unit->symbols.count(name))
          return makeError(KILN_ERROR_LINK,
                           "kiln_unit_lookup: the unit defines no symbol '" +
                               std::string(name) + "'");
        return lookupIn(*unit->state, *unit->jit, name, address);
      });
}

KILN_API kiln_error *kiln_engine_define_symbol(kiln_engine *engine,
                                               const char *name,
                                               void *address) {
  return jitEntry(__func__, engine,
                  {{name, "name", true}, {address, "address"}},
                  [&](EngineState &, kiln::core::Jit &jit) -> kiln_error * {
                    if (auto err = jit.defineSymbols({{name, address}}))
                      return fromLLVMError(std::move(err), KILN_ERROR_LINK);
                    return nullptr;
                  });
}

KILN_API kiln_error *kiln_engine_define_function(kiln_engine *engine,
                                                 const char *name,
                                                 const char *signature,
                                                 void *function,
                                                 void *user_data) {
  return jitEntry(
      __func__, engine,
      {{name, "name", true}, {signature, "signature"}, {function, "function"}},
      [&](EngineState &state, kiln::core::Jit &jit) -> kiln_error * {
        auto context = newContext(state);
        std::unique_ptr<llvm::Module> module;
        if (kiln_error *error = buildTrampoline(name, signature, function,
                                                user_data, *context, module))
          return error;
        return addModule(jit, std::move(module), std::move(context), nullptr);
      });
}
