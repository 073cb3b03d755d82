// DiagText: the tensor tests' view of structured results as text, so their
// assertions compare the same strings the API returned before it returned
// kiln::Expected / kiln::Status.
#pragma once

#include "kiln/support/Diagnostic.h"

#include <string>
#include <string_view>

namespace kiln::tensor::test {

/// "" for a success, else the diagnostics' messages joined by newlines (a
/// call error is one sentence: checkCall's).
template <typename Result> std::string message(const Result &result) {
  std::string text;
  for (const Diagnostic &d : result.diagnostics())
    text += (text.empty() ? "" : "\n") + d.message;
  return text;
}

/// `diags` rendered as the `kiln` tool prints them, with `file` and the
/// lines of `source` attached where they have none.
inline std::string renderDiags(Diagnostics diags, std::string_view file,
                               std::string_view source) {
  attachSource(diags, file, source);
  return render(diags);
}

} // namespace kiln::tensor::test
