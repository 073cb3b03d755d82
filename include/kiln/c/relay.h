/* relay.h: the C API over Relay — compile a program, call its functions.
 *
 * A Relay program is compiled once (interpreted, JIT-compiled or tiered, as
 * kiln_relay_options.mode says); its top-level code can then be run and any
 * of its functions called by name with numbers, booleans and arrays of
 * doubles. `print` output goes to a callback or to stdout. Included by
 * kiln.h; the rules there apply (Relay calls are serialised process-wide).
 */
#ifndef KILN_C_RELAY_H
#define KILN_C_RELAY_H

#include "kiln/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_relay_program kiln_relay_program;

typedef enum kiln_relay_mode KILN_ENUM_INT {
  KILN_RELAY_AUTO = 0,   /* interpreter first, hot code to native (default) */
  KILN_RELAY_INTERP = 1, /* the interpreter only */
  KILN_RELAY_JIT = 2     /* the whole program compiled before it runs */
} kiln_relay_mode;

/** Receives `print` output piece by piece (not NUL-terminated); on the
 *  thread that runs the program, while the process-wide Relay lock is held:
 *  kiln_relay_run or kiln_relay_call made from it (which would wait forever)
 *  return KILN_ERROR_INVALID_ARGUMENT instead. */
typedef void (*kiln_print_fn)(void *user_data, const char *text,
                              size_t length);

typedef struct kiln_relay_options {
  kiln_relay_mode mode;
  /** Per run or call, seconds; 0 = no limit (KILN_ERROR_TIMEOUT when hit). */
  double timeout_seconds;
  /** Calls active at once before "stack overflow" (KILN_ERROR_RUNTIME). */
  int32_t max_depth;
  /** NULL = stdout. `print_user_data` is borrowed: it must outlive the
   *  program. */
  kiln_print_fn print;
  void *print_user_data;
} kiln_relay_options;

#define KILN_RELAY_OPTIONS_INIT {KILN_RELAY_AUTO, 0.0, 10000, NULL, NULL}

/** Parses, checks and (mode JIT) compiles `size` bytes of Relay source named
 *  `file` in diagnostics, at the engine's opt level; `options` NULL =
 *  KILN_RELAY_OPTIONS_INIT. Every syntax and type error comes back located.
 *  *out: caller owns; free with kiln_relay_program_free. */
KILN_API kiln_error *kiln_relay_compile(kiln_engine *engine, const char *file,
                                        const char *source, size_t size,
                                        const kiln_relay_options *options,
                                        kiln_relay_program **out);
/** NULL is fine. Consumes program. */
KILN_API void kiln_relay_program_free(kiln_relay_program *program);

/** Runs the program's top-level code (afresh on every call). A trap is
 *  KILN_ERROR_RUNTIME, located; a timeout KILN_ERROR_TIMEOUT. Runs and calls
 *  of every program in the process take one lock, one at a time (Relay's
 *  runtime keeps its call depth and timeout flag process-wide). */
KILN_API kiln_error *kiln_relay_run(kiln_relay_program *program);

typedef enum kiln_value_type KILN_ENUM_INT {
  KILN_VALUE_VOID = 0,
  KILN_VALUE_NUMBER = 1,
  KILN_VALUE_BOOL = 2,
  KILN_VALUE_ARRAY = 3
} kiln_value_type;

/** A Relay value. As an argument, `array` is borrowed for the call (Relay
 *  copies it). As a result, an array is allocated by Kiln: release it with
 *  kiln_value_clear. */
typedef struct kiln_value {
  kiln_value_type type;
  double number;  /* KILN_VALUE_NUMBER */
  int boolean;    /* KILN_VALUE_BOOL: 0 or 1 */
  double *array;  /* KILN_VALUE_ARRAY: `length` doubles */
  size_t length;
} kiln_value;

/** Calls the function `name` with `count` arguments. An unknown name, a wrong
 *  count or a wrong type is KILN_ERROR_INVALID_ARGUMENT; a trap
 *  KILN_ERROR_RUNTIME. *result (may be NULL to ignore it): caller owns; an
 *  array result is released with kiln_value_clear. */
KILN_API kiln_error *kiln_relay_call(kiln_relay_program *program,
                                     const char *name, const kiln_value *args,
                                     size_t count, kiln_value *result);
/** Frees a result's array and makes it KILN_VALUE_VOID (NULL is fine). */
KILN_API void kiln_value_clear(kiln_value *value);

/** The program's functions, in source order (not the top-level code). */
KILN_API size_t kiln_relay_function_count(const kiln_relay_program *program);
/** Function `index`'s name, parameter count, parameter types and result
 *  type; an index out of range is KILN_ERROR_INVALID_ARGUMENT. *name:
 *  borrowed; valid until program is freed. `param_types` may be NULL, else it
 *  receives min(capacity, params) types. */
KILN_API kiln_error *kiln_relay_function_info(
    const kiln_relay_program *program, size_t index, const char **name,
    size_t *params, kiln_value_type *param_types, size_t capacity,
    kiln_value_type *result);

#ifdef __cplusplus
}
#endif

#endif /* KILN_C_RELAY_H */
