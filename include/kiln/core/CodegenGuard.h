// CodegenGuard: refusing IR that would stop LLVM's code generator.
//
// IR that parses and verifies can still end the process inside LLVM's
// back end: a call to another architecture's intrinsic makes instruction
// selection abort ("Cannot select"), and an error LLVM reports while
// generating code (inline assembly that does not assemble) is printed
// before exit(1) unless the module's LLVMContext has a diagnostic handler.
// Every path that compiles a caller's IR (kiln run/compile, the C API)
// checks the module with checkModuleForTarget and collects its context's
// errors with collectCodegenErrors, so both become ordinary errors.
#pragma once

#include "kiln/support/Diagnostic.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <mutex>
#include <string>

namespace llvm {
struct DiagnosticHandler;
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln::core {

/// An error naming the first intrinsic of another architecture than
/// `triple`'s that `module` declares (with a function that calls it), or
/// debug information the verifier accepts but code generation crashes on
/// (a subprogram definition without a type), or a global whose size wraps
/// LLVM's arithmetic (more than 2^57 bytes), or success. Call it before
/// generating code for `triple`.
llvm::Error checkModuleForTarget(const llvm::Module &module,
                                 const std::string &triple);

/// The errors LLVM reported through a context while generating code.
/// Thread-safe: ORC may compile on another thread than the caller's.
class CodegenErrors {
public:
  void add(Diagnostic diag);
  /// Whether errors are waiting (the compile step refuses to cache then).
  bool pending() const;
  /// The errors collected so far; the collection is then empty.
  Diagnostics take();
  /// take() as one llvm::Error: success when nothing was collected.
  llvm::Error takeError();

private:
  mutable std::mutex Mutex;
  Diagnostics Errors;
};

/// Sends `context`'s diagnostics to `errors`, which the context keeps
/// alive: errors are kept, one line each, named after the module's file;
/// warnings and remarks are dropped (a library does not write to stderr).
void collectCodegenErrors(llvm::LLVMContext &context,
                          std::shared_ptr<CodegenErrors> errors);

/// Collects a context's code generation errors for one compile step (the
/// JIT's compile function). ORC may compile a clone of a module in a fresh
/// context (an isolated JIT does), which lacks the handler its owner set:
/// then this installs its own until destroyed. Not copyable.
class ScopedCodegenErrors {
public:
  explicit ScopedCodegenErrors(llvm::LLVMContext &context);
  ~ScopedCodegenErrors();
  ScopedCodegenErrors(const ScopedCodegenErrors &) = delete;
  ScopedCodegenErrors &operator=(const ScopedCodegenErrors &) = delete;
  /// Success when the code generated meanwhile is usable. Else the errors
  /// collected here, or (with the owner's handler) a short error that
  /// leaves the owner's errors for the owner to report.
  llvm::Error takeError(const std::string &moduleName);

private:
  llvm::LLVMContext &Context;
  std::shared_ptr<CodegenErrors> Own; ///< null: the owner collects
  std::unique_ptr<llvm::DiagnosticHandler> Previous;
};

} // namespace kiln::core
