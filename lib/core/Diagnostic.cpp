// Diagnostic: KilnError, and the bridge between llvm::Error and Diagnostics.
#include "kiln/core/Diagnostic.h"

namespace kiln::core {

char KilnError::ID = 0;

void KilnError::log(llvm::raw_ostream &os) const { os << render(); }

std::error_code KilnError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::Error makeError(std::string message) {
  return makeError(errorDiagnostic(std::move(message)));
}

llvm::Error makeError(Diagnostic diag) {
  return llvm::make_error<KilnError>(std::move(diag));
}

llvm::Error toError(Diagnostics diags) {
  llvm::Error all = llvm::Error::success();
  for (Diagnostic &d : diags)
    all = llvm::joinErrors(std::move(all), makeError(std::move(d)));
  return all;
}

Diagnostics toDiagnostics(llvm::Error err) {
  Diagnostics out;
  llvm::handleAllErrors(
      std::move(err),
      [&](const KilnError &e) { out.push_back(e.diagnostic()); },
      [&](const llvm::ErrorInfoBase &e) {
        out.push_back(errorDiagnostic(e.message()));
      });
  return out;
}

std::string renderError(llvm::Error err) {
  return kiln::render(toDiagnostics(std::move(err)));
}

} // namespace kiln::core
