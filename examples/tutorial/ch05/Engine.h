// Engine: an Ember program compiled in memory by Kiln's JIT.
//
// This is where the language becomes fast: the checked AST goes through
// IRGen into a module, the module into kiln::core::Jit (ORC's LLJIT with the
// optimiser in front), and we get back native function pointers to call.
#pragma once

#include "Ast.h"

#include "kiln/core/Jit.h"
#include "kiln/support/Expected.h"

#include <memory>
#include <string>

namespace ember {

// [tutorial:engine-class]
class Engine {
public:
  /// Compiles `program` (checked) at options.level; host functions are
  /// made visible to it. Compilation happens on the first lookup.
  static kiln::Expected<std::unique_ptr<Engine>>
  create(const Program &program, const kiln::core::JitOptions &options = {});

  /// The native address of Ember function `name`.
  kiln::Expected<void *> address(const std::string &name);

private:
  explicit Engine(std::unique_ptr<kiln::core::Jit> jit) : J(std::move(jit)) {}
  std::unique_ptr<kiln::core::Jit> J;
};
// [/tutorial]

/// Runs `main()` of `program` with the JIT; its return value.
kiln::Expected<double> runMain(const Program &program,
                               const kiln::core::JitOptions &options = {});

} // namespace ember
