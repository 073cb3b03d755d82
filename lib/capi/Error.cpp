// Error.cpp: kiln_error objects and the library's version (C API).
//
// Every failure of the C API ends up here: diagnostics from the C++ API
// become a kiln_error that carries a code, the diagnostics as fields and the
// text Kiln's tool would print, rendered once. Making an error never throws:
// when even that runs out of memory a static error is returned, which
// kiln_error_free recognises and leaves alone.
#include "Internal.h"

#include <new>

namespace kiln::capi {
namespace {

/// Returned when an error cannot be allocated; never freed.
kiln_error *outOfMemory() noexcept {
  static kiln_error *error = [] {
    auto *e = new kiln_error;
    e->code = KILN_ERROR_OTHER;
    e->diags.push_back(errorDiagnostic("out of memory"));
    e->rendered = "error: out of memory";
    return e;
  }();
  return error;
}

const Diagnostic *diagnosticAt(const kiln_error *error, size_t index) {
  if (!error || index >= error->diags.size())
    return nullptr;
  return &error->diags[index];
}

} // namespace

kiln_error_code codeOf(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::Parse: return KILN_ERROR_PARSE;
  case ErrorKind::Type: return KILN_ERROR_TYPE;
  case ErrorKind::IO: return KILN_ERROR_IO;
  case ErrorKind::InvalidArgument: return KILN_ERROR_INVALID_ARGUMENT;
  case ErrorKind::Link: return KILN_ERROR_LINK;
  case ErrorKind::Runtime: return KILN_ERROR_RUNTIME;
  case ErrorKind::Timeout: return KILN_ERROR_TIMEOUT;
  case ErrorKind::Other: break;
  }
  return KILN_ERROR_OTHER;
}

kiln_error *fromDiagnostics(Diagnostics diags, kiln_error_code code) noexcept {
  try {
    if (diags.empty())
      diags.push_back(errorDiagnostic("unknown error"));
    auto *error = new kiln_error;
    error->code = code ? code : codeOf(diags.front().kind);
    error->rendered = render(diags);
    error->diags = std::move(diags);
    return error;
  } catch (...) {
    return outOfMemory();
  }
}

kiln_error *makeError(kiln_error_code code, std::string message) noexcept {
  try {
    Diagnostic diag = errorDiagnostic(std::move(message));
    return fromDiagnostics({std::move(diag)}, code);
  } catch (...) {
    return outOfMemory();
  }
}

kiln_error *nullArgument(const char *function, const char *argument) noexcept {
  try {
    return makeError(KILN_ERROR_INVALID_ARGUMENT,
                     std::string(function) + ": '" + argument + "' is NULL");
  } catch (...) {
    return outOfMemory();
  }
}

} // namespace kiln::capi

using namespace kiln::capi;

KILN_API const char *kiln_version(void) { return KILN_VERSION_STRING; }
KILN_API uint32_t kiln_version_number(void) { return KILN_VERSION_NUMBER; }

KILN_API void kiln_error_free(kiln_error *error) {
  if (error && error != outOfMemory())
    delete error;
}

KILN_API kiln_error_code kiln_error_get_code(const kiln_error *error) {
  return error ? error->code : KILN_ERROR_INVALID_ARGUMENT;
}

KILN_API const char *kiln_error_code_name(kiln_error_code code) {
  switch (code) {
  case KILN_ERROR_OTHER: return "other";
  case KILN_ERROR_PARSE: return "parse";
  case KILN_ERROR_TYPE: return "type";
  case KILN_ERROR_IO: return "io";
  case KILN_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case KILN_ERROR_LINK: return "link";
  case KILN_ERROR_RUNTIME: return "runtime";
  case KILN_ERROR_TIMEOUT: return "timeout";
  case KILN_ERROR_VERSION: return "version";
  case KILN_ERROR_TARGET: return "target";
  case KILN_ERROR_INTERNAL: return "internal";
  }
  return "unknown";
}

KILN_API const char *kiln_error_message(const kiln_error *error) {
  return kiln_error_message_at(error, 0);
}

KILN_API const char *kiln_error_rendered(const kiln_error *error) {
  return error ? error->rendered.c_str() : "";
}

KILN_API size_t kiln_error_count(const kiln_error *error) {
  return error ? error->diags.size() : 0;
}

KILN_API const char *kiln_error_message_at(const kiln_error *error,
                                           size_t index) {
  const kiln::Diagnostic *diag = diagnosticAt(error, index);
  return diag ? diag->message.c_str() : "";
}

KILN_API const char *kiln_error_file_at(const kiln_error *error, size_t index) {
  const kiln::Diagnostic *diag = diagnosticAt(error, index);
  return diag ? diag->file.c_str() : "";
}

KILN_API uint32_t kiln_error_line_at(const kiln_error *error, size_t index) {
  const kiln::Diagnostic *diag = diagnosticAt(error, index);
  return diag ? diag->loc.line : 0;
}

KILN_API uint32_t kiln_error_column_at(const kiln_error *error, size_t index) {
  const kiln::Diagnostic *diag = diagnosticAt(error, index);
  return diag ? diag->loc.col : 0;
}
