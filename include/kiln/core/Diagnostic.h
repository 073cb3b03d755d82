// Diagnostic: how kiln::Diagnostic values travel through LLVM-style code.
//
// Inside the core, fallible functions return llvm::Error / llvm::Expected, as
// LLVM's own APIs do; a user-facing error is a KilnError that holds a
// kiln::Diagnostic (include/kiln/support/Diagnostic.h). At the boundary of a
// frontend API the error is turned back into kiln::Diagnostics with
// toDiagnostics, so no caller outside the core sees llvm::Error or text.
#pragma once

#include "kiln/support/Diagnostic.h"
#include "kiln/support/Expected.h"

#include "llvm/Support/Error.h"

#include <string>

namespace kiln::core {

using kiln::lineOf;
/// Inside the core, `Expected` is LLVM's (kiln::Expected is the public
/// result type that the frontends' APIs return).
using llvm::Expected;

/// A user error carrying one diagnostic.
class KilnError : public llvm::ErrorInfo<KilnError> {
public:
  static char ID;
  explicit KilnError(Diagnostic diag) : Diag(std::move(diag)) {}
  const Diagnostic &diagnostic() const { return Diag; }
  const std::string &text() const { return Diag.message; }
  /// `file:line:col: error: msg` + source line + caret (no trailing newline).
  std::string render() const { return kiln::render(Diag); }
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  Diagnostic Diag;
};

/// Shorthands for producing user errors.
llvm::Error makeError(std::string message);
llvm::Error makeError(Diagnostic diag);

/// All of `diags` as one llvm::Error (success when empty).
llvm::Error toError(Diagnostics diags);

/// The diagnostics inside `err` (consumed): KilnErrors as they are, any other
/// error as an unlocated diagnostic with its message. Empty for success.
Diagnostics toDiagnostics(llvm::Error err);

/// An llvm::Expected as a kiln::Expected.
template <typename T> kiln::Expected<T> toExpected(llvm::Expected<T> value) {
  if (!value)
    return toDiagnostics(value.takeError());
  return std::move(*value);
}

/// Renders any error for a terminal (consumes it): one block per diagnostic,
/// joined by newlines.
std::string renderError(llvm::Error err);

} // namespace kiln::core
