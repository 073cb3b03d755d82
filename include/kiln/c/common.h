/* common.h: the C API's shared pieces — versions, errors, buffers, engines.
 *
 * Included by kiln.h (include that one). See kiln.h for the error, ownership
 * and thread-safety rules that every function here follows.
 */
#ifndef KILN_C_COMMON_H
#define KILN_C_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define KILN_API
#else
#define KILN_API __attribute__((visibility("default")))
#endif

/* ---- Versions ---------------------------------------------------------- */

#define KILN_VERSION_MAJOR 0
#define KILN_VERSION_MINOR 2
#define KILN_VERSION_PATCH 0
#define KILN_VERSION_STRING "0.2.0"
/** The version as one number: major * 10000 + minor * 100 + patch. */
#define KILN_VERSION_NUMBER                                                    \
  (KILN_VERSION_MAJOR * 10000 + KILN_VERSION_MINOR * 100 + KILN_VERSION_PATCH)

/** The library's version, e.g. "0.2.0". Borrowed; static. */
KILN_API const char *kiln_version(void);
/** The library's KILN_VERSION_NUMBER. */
KILN_API uint32_t kiln_version_number(void);

/** Every enum of this API is an int. C++ sees them with `int` as their
 *  fixed underlying type, so any int a C caller passes is a value it may
 *  read (and check): for an enum without one, a value outside its range
 *  would be undefined behaviour. */
#ifdef __cplusplus
#define KILN_ENUM_INT : int
#else
#define KILN_ENUM_INT
#endif

/* ---- Errors ------------------------------------------------------------ */

typedef enum kiln_error_code KILN_ENUM_INT {
  KILN_ERROR_OTHER = 1,
  KILN_ERROR_PARSE = 2,            /* source text does not parse */
  KILN_ERROR_TYPE = 3,             /* parses, but is not well-typed */
  KILN_ERROR_IO = 4,               /* a file cannot be read or written */
  KILN_ERROR_INVALID_ARGUMENT = 5, /* misuse: NULL, bad size, type, name */
  KILN_ERROR_LINK = 6,             /* a symbol or the system linker failed */
  KILN_ERROR_RUNTIME = 7,          /* a trap in running code */
  KILN_ERROR_TIMEOUT = 8,          /* the run's time limit ran out */
  KILN_ERROR_VERSION = 9,          /* header and library disagree */
  KILN_ERROR_TARGET = 10,          /* unknown triple or CPU, or not the host */
  KILN_ERROR_INTERNAL = 11         /* a bug in Kiln: please report it */
} kiln_error_code;

typedef struct kiln_error kiln_error;

/** Frees `error` (NULL is fine). Consumes error. */
KILN_API void kiln_error_free(kiln_error *error);
/** The error's code. */
KILN_API kiln_error_code kiln_error_get_code(const kiln_error *error);
/** A stable lower-case name for a code: "parse", "type", "io", ... Static. */
KILN_API const char *kiln_error_code_name(kiln_error_code code);
/** The first diagnostic's message, without location ("unknown name 'x'").
 *  Borrowed; valid until error is freed. */
KILN_API const char *kiln_error_message(const kiln_error *error);
/** Every diagnostic as Kiln's tool prints it ("f.relay:3:5: error: ...",
 *  source line, caret), one after another. Borrowed; valid until error is
 *  freed. */
KILN_API const char *kiln_error_rendered(const kiln_error *error);
/** How many diagnostics the error holds (at least 1). */
KILN_API size_t kiln_error_count(const kiln_error *error);
/** Diagnostic `index` (0 <= index < count): its message, file ("" when it has
 *  none), line and column (1-based; 0 when it has no location). Strings are
 *  borrowed; valid until error is freed. An index out of range gives ""/0. */
KILN_API const char *kiln_error_message_at(const kiln_error *error,
                                           size_t index);
KILN_API const char *kiln_error_file_at(const kiln_error *error, size_t index);
KILN_API uint32_t kiln_error_line_at(const kiln_error *error, size_t index);
KILN_API uint32_t kiln_error_column_at(const kiln_error *error, size_t index);

/* ---- Buffers ----------------------------------------------------------- */

/** Bytes Kiln made: object code, assembly, bitcode, IR text. */
typedef struct kiln_buffer kiln_buffer;
/** The bytes. Borrowed; valid until buffer is freed. Text buffers are also
 *  NUL-terminated (the NUL is not counted in kiln_buffer_size). */
KILN_API const char *kiln_buffer_data(const kiln_buffer *buffer);
KILN_API size_t kiln_buffer_size(const kiln_buffer *buffer);
/** Frees `buffer` (NULL is fine). Consumes buffer. */
KILN_API void kiln_buffer_free(kiln_buffer *buffer);

/* ---- Engines ----------------------------------------------------------- */

/** The root object: a JIT, a compile cache, a tensor thread pool and a Faust
 *  factory registry, created lazily as they are needed. */
typedef struct kiln_engine kiln_engine;

typedef struct kiln_engine_options {
  /** Optimisation level 0..3 for everything compiled (default 2). */
  int opt_level;
  /** LLVM triple, optionally with ":cpu" (e.g. "aarch64-linux-gnu:cortex-a72");
   *  NULL or "" = the host. Code for another machine can be emitted but not
   *  run: adding a unit or compiling a program for it is KILN_ERROR_TARGET. */
  const char *target;
  /** Threads of the tensor pool; 0 = the hardware's. */
  uint32_t threads;
  /** Use the on-disk compile cache ($KILN_CACHE_DIR), 0 or 1 (default 0). */
  int cache;
} kiln_engine_options;

#define KILN_ENGINE_OPTIONS_INIT                                               \
  { 2, NULL, 0, 0 }

/** Creates an engine; `options` NULL = KILN_ENGINE_OPTIONS_INIT. Pass
 *  KILN_VERSION_NUMBER as `header_version` (kiln_engine_new does): a library
 *  of another major version, or older than the header, is KILN_ERROR_VERSION.
 *  *out: caller owns; free with kiln_engine_free. */
KILN_API kiln_error *kiln_engine_create(uint32_t header_version,
                                        const kiln_engine_options *options,
                                        kiln_engine **out);
#define kiln_engine_new(options, out)                                          \
  kiln_engine_create(KILN_VERSION_NUMBER, (options), (out))
/** Drops the caller's reference (NULL is fine); the engine is destroyed when
 *  nothing made from it is alive. Consumes engine. */
KILN_API void kiln_engine_free(kiln_engine *engine);
/** "triple:cpu" the engine compiles for. Borrowed; valid until engine is
 *  freed. */
KILN_API const char *kiln_engine_target(const kiln_engine *engine);

#ifdef __cplusplus
}
#endif

#endif /* KILN_C_COMMON_H */
