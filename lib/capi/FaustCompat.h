// FaustCompat.h: the state behind the libfaust drop-in (llvm-dsp-c.h).
//
// libfaust's C API is global: factories live in one process-wide cache and
// are reference counted by create/delete pairs. Kiln keeps everything else
// in context objects; this is the one justified process-wide exception in
// the C layer (docs/ARCHITECTURE.md): a Registry plus the table of live
// factory handles, both behind a mutex, so every call is thread-safe and a
// deleted or foreign factory pointer is recognised instead of dereferenced.
#pragma once

#include "kiln/faust/Faust.h"
#include "kiln/faust/llvm-dsp-c.h"

#include <memory>
#include <string>
#include <vector>

/// libfaust's factory handle: one per cached Factory, counted like libfaust's.
struct llvm_dsp_factory {
  std::shared_ptr<kiln::faust::Factory> factory;
  int refs = 1;
};

/// libfaust's instance handle; the Dsp keeps its Factory alive.
struct llvm_dsp {
  std::unique_ptr<kiln::faust::Dsp> dsp;
};

namespace kiln::capi::compat {

/// The process-wide registry (created on first use, never destroyed, so
/// instances outliving static destructors stay valid).
faust::Registry &registry();
/// The handle for `factory`, its count incremented (a new one at count 1).
llvm_dsp_factory *adopt(std::shared_ptr<faust::Factory> factory);
/// The factory behind a live handle; null for NULL, deleted or foreign ones.
std::shared_ptr<faust::Factory> lookup(llvm_dsp_factory *handle);
/// Decrements; true when the handle died (and left the registry).
bool release(llvm_dsp_factory *handle);
/// Drops every handle and empties the registry.
void releaseAll();

/// Writes `message` into libfaust's 4096-char `error_msg` (may be NULL),
/// truncated and always NUL-terminated.
void writeError(char *errorMsg, const std::string &message) noexcept;
/// malloc'd copies for the caller to freeCMemory (NULL when out of memory).
char *copyString(const std::string &text) noexcept;
const char **copyList(const std::vector<std::string> &items) noexcept;

/// Runs `body`, returning `fallback` if it throws: nothing crosses
/// extern "C" (libfaust's API has no error object to carry it).
template <typename T, typename F> T shield(T fallback, F &&body) noexcept {
  try {
    return body();
  } catch (...) {
    return fallback;
  }
}

} // namespace kiln::capi::compat
