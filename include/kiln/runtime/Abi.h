/* Abi.h: the C ABI between Kiln-generated code and the Kiln runtime.
 *
 * Generated code (JIT or AOT) calls these functions; the JIT resolves them
 * from the host process, AOT executables link libkiln_rt.a. The runtime uses
 * only libc and libm. Plain C99 so any frontend or embedder can include it. */
#ifndef KILN_RUNTIME_ABI_H
#define KILN_RUNTIME_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Printing: one formatting rule for every execution mode. ---------- */

/* Writes `v` into `buf` (at most `size` bytes, NUL-terminated) and returns
 * the length: integral values without a decimal point ("42", "-0" as "-0"),
 * others as the shortest "%.*g" text that reads back to the same double;
 * "nan", "inf", "-inf". 32 bytes always suffice. */
int kiln_rt_format_f64(char *buf, size_t size, double v);
void kiln_rt_print_f64(double v);
void kiln_rt_print_i64(int64_t v);
void kiln_rt_print_bool(int32_t v); /* "true" / "false" */
void kiln_rt_print_str(const char *s);
void kiln_rt_print_space(void);
void kiln_rt_print_newline(void);

/* ---- Traps: runtime errors with a message and source location. -------- */

typedef struct kiln_rt_trap_info {
  char message[256];
  char file[256];
  int32_t line;
  int32_t column;
} kiln_rt_trap_info;

/* Reports a runtime error. Inside kiln_rt_call_guarded on the same thread it
 * unwinds to that call; otherwise (an AOT executable) it prints
 * "file:line:col: runtime error: message" to stderr and exits with status 1.
 * `file` may be NULL and line/column 0 when unknown. Never returns. */
void kiln_rt_trap(const char *message, const char *file, int32_t line,
                  int32_t column);

/* Calls fn(ctx). Returns 0 if it returned normally, 1 if it trapped, in
 * which case *info (if not NULL) describes the trap. Nests; per thread.
 * Generated code must hold no resources that need cleanup across a trap. */
int kiln_rt_call_guarded(void (*fn)(void *), void *ctx,
                         kiln_rt_trap_info *info);

/* ---- Arrays of doubles, shared by interpreted and compiled code. ------ */

typedef struct kiln_rt_array {
  double *data;
  int64_t length;
  int64_t capacity;
} kiln_rt_array;

/* A new array of `length` zeros; traps if memory runs out. The array
 * belongs to the calling thread's arena (see kiln_rt_arena_release). */
kiln_rt_array *kiln_rt_array_new(int64_t length);
void kiln_rt_array_free(kiln_rt_array *a);
void kiln_rt_array_push(kiln_rt_array *a, double v);
/* Bounds- and integrality-checked element access (traps with the location). */
double kiln_rt_array_get(const kiln_rt_array *a, double index,
                         const char *file, int32_t line, int32_t column);
void kiln_rt_array_set(kiln_rt_array *a, double index, double v,
                       const char *file, int32_t line, int32_t column);
/* If `index` is not a valid index of `a`, writes the error message
 * ("array index 1.5 is not an integer", "array index 3 out of range (length
 * 3)") into buf and returns 1; otherwise returns 0. The one source of these
 * messages, so interpreters report exactly what compiled code does. */
int kiln_rt_index_message(const kiln_rt_array *a, double index, char *buf,
                          size_t size);
/* Traps with kiln_rt_index_message's text (the slow path of inline checks). */
void kiln_rt_index_trap(const kiln_rt_array *a, double index,
                        const char *file, int32_t line, int32_t column);
/* Prints "[1, 2.5]" with kiln_rt_format_f64 for the elements. */
void kiln_rt_print_array(const kiln_rt_array *a);

/* Arrays are freed in bulk: a host takes a mark before running a program and
 * releases everything allocated on this thread since then afterwards. */
size_t kiln_rt_arena_mark(void);
void kiln_rt_arena_release(size_t mark);

/* ---- Guards against runaway programs. ---------------------------------- */

/* Call depth shared by all execution tiers of one program (the generated
 * code increments it on entry and decrements it on return). When it would
 * exceed kiln_rt_max_depth, code calls kiln_rt_stack_overflow, which traps
 * with "stack overflow: call depth exceeded N". kiln_rt_call_guarded
 * restores the depth it found when a trap unwinds to it. */
extern int32_t kiln_rt_depth;
extern int32_t kiln_rt_max_depth;
void kiln_rt_stack_overflow(const char *file, int32_t line, int32_t column);

/* Set (to non-zero) by the watchdog when the time limit passes; generated
 * code polls it at function entries and loop back-edges and then calls
 * kiln_rt_timeout_trap ("timeout: program ran longer than S seconds"). */
extern volatile int32_t kiln_rt_interrupted;
void kiln_rt_timeout_trap(void);
/* The message kiln_rt_timeout_trap reports, for interpreters. */
void kiln_rt_timeout_message(char *buf, size_t size);
/* Starts (or restarts) a watchdog thread that sets kiln_rt_interrupted after
 * `seconds`; returns 0 on success. Stop it when the program ends. */
int kiln_rt_watchdog_start(double seconds);
void kiln_rt_watchdog_stop(void);

/* ---- The symbol table the JIT defines in every engine. ---------------- */

typedef struct kiln_rt_symbol {
  const char *name;
  void *address;
} kiln_rt_symbol;

const kiln_rt_symbol *kiln_rt_symbols(size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_ABI_H */
