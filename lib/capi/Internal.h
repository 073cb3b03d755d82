// Internal.h: what every file of the C API layer shares (not installed).
//
// The C API (include/kiln/kiln.h) is a thin conversion layer: each entry
// point checks its arguments, calls the C++ API inside a catch-all barrier
// (guard) and turns kiln::Diagnostics into a kiln_error. The handle structs
// are defined here; each holds shared_ptrs to what it depends on, so a child
// keeps its parents alive (instance -> factory -> engine).
#pragma once

#include "kiln/kiln.h"
#include "kiln/support/Diagnostic.h"
#include "kiln/support/Expected.h"
#include "kiln/support/OptLevel.h"

#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace kiln::capi {

struct EngineState; // Engine.h: the engine's lazily created parts

/// An error with one unlocated diagnostic. Never throws (on out of memory it
/// returns a static error).
kiln_error *makeError(kiln_error_code code, std::string message) noexcept;
/// An error holding `diags` (at least one); its code comes from the first
/// diagnostic's ErrorKind unless `code` is given (non-zero).
kiln_error *fromDiagnostics(Diagnostics diags,
                            kiln_error_code code = kiln_error_code(0)) noexcept;
/// The code the C API uses for a diagnostic kind.
kiln_error_code codeOf(ErrorKind kind);

/// Null when `status` succeeded, else its diagnostics as an error.
template <typename T> kiln_error *errorOf(Expected<T> &result) noexcept {
  return result ? nullptr : fromDiagnostics(result.takeDiagnostics());
}

/// The entry point guard() is running on this thread, for the messages of
/// KILN_REQUIRE (inside guard's lambda, __func__ is "operator()").
inline thread_local const char *currentEntry = nullptr;

/// Runs `body` (returning kiln_error *), turning any exception into a
/// KILN_ERROR_INTERNAL (or out-of-memory) error: nothing crosses extern "C".
template <typename F>
kiln_error *guard(const char *function, F &&body) noexcept {
  struct Entry { // restores the outer entry when an entry point nests
    const char *outer = currentEntry;
    explicit Entry(const char *name) { currentEntry = name; }
    ~Entry() { currentEntry = outer; }
  } entry(function);
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return makeError(KILN_ERROR_OTHER,
                     std::string(function) + ": out of memory");
  } catch (const std::exception &e) {
    return makeError(KILN_ERROR_INTERNAL,
                     std::string(function) + ": internal error: " + e.what());
  } catch (...) {
    return makeError(KILN_ERROR_INTERNAL,
                     std::string(function) + ": internal error");
  }
}

/// "kiln_x: 'arg' is NULL" as an InvalidArgument error.
kiln_error *nullArgument(const char *function, const char *argument) noexcept;

} // namespace kiln::capi

/// The error object behind the opaque kiln_error.
struct kiln_error {
  kiln_error_code code = KILN_ERROR_OTHER;
  kiln::Diagnostics diags;
  std::string rendered; ///< kiln::render(diags), made once
};

struct kiln_buffer {
  std::string bytes; ///< NUL-terminated by std::string
};

/// The caller's reference to an engine; children hold `state` directly.
struct kiln_engine {
  std::shared_ptr<kiln::capi::EngineState> state;
};

/// Null-checks a handle argument at the top of an entry point.
#define KILN_REQUIRE(arg)                                                      \
  do {                                                                         \
    if (!(arg))                                                                \
      return ::kiln::capi::nullArgument(                                       \
          ::kiln::capi::currentEntry ? ::kiln::capi::currentEntry : __func__,  \
          #arg);                                                               \
  } while (0)
