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
/* Writes `size` bytes of print output: every print function above (and
 * kiln_rt_print_array) goes through here. */
void kiln_rt_print_bytes(const char *data, size_t size);

/* Where print output goes, per thread: output(context, data, size) for every
 * piece (a line may come in several pieces), or stdout while output is NULL,
 * the default. A host sets it on the thread that runs a program and restores
 * the previous one (kiln_rt_get_output) afterwards; `output` must not unwind
 * through the caller (no longjmp, no C++ exception). AOT executables never
 * set it. */
typedef void (*kiln_rt_output_fn)(void *context, const char *data, size_t size);
void kiln_rt_set_output(kiln_rt_output_fn output, void *context);
/* This thread's output (NULL: stdout) and, in *context, its context. */
kiln_rt_output_fn kiln_rt_get_output(void **context);

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
double kiln_rt_array_get(const kiln_rt_array *a, double index, const char *file,
                         int32_t line, int32_t column);
void kiln_rt_array_set(kiln_rt_array *a, double index, double v,
                       const char *file, int32_t line, int32_t column);
/* If `index` is not a valid index of `a`, writes the error message
 * ("array index 1.5 is not an integer", "array index 3 out of range (length
 * 3)") into buf and returns 1; otherwise returns 0. The one source of these
 * messages, so interpreters report exactly what compiled code does. */
int kiln_rt_index_message(const kiln_rt_array *a, double index, char *buf,
                          size_t size);
/* Traps with kiln_rt_index_message's text (the slow path of inline checks). */
void kiln_rt_index_trap(const kiln_rt_array *a, double index, const char *file,
                        int32_t line, int32_t column);
/* Prints "[1, 2.5]" with kiln_rt_format_f64 for the elements. */
void kiln_rt_print_array(const kiln_rt_array *a);

/* Arrays are freed in bulk: a host takes a mark before running a program and
 * releases everything allocated on this thread since then afterwards. */
size_t kiln_rt_arena_mark(void);
void kiln_rt_arena_release(size_t mark);

/* ---- Guards against runaway programs. ---------------------------------- */

/* The call depth limit and the interpreter's count of active calls.
 * Compiled code does not store a count: each generated user function gets
 * its remaining budget (kiln_rt_max_depth minus its depth) as a hidden
 * argument in a register and passes one less to its callees; code entered
 * from a host derives the budget from these two once (kiln_rt_depth is the
 * depth of whoever calls it). When a call would exceed kiln_rt_max_depth,
 * code calls kiln_rt_stack_overflow, which traps with "stack overflow: call
 * depth exceeded N". kiln_rt_call_guarded restores the depth it found when
 * a trap unwinds to it. */
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
 * `seconds`; returns 0 on success. Limits above KILN_RT_TIMEOUT_MAX (inf,
 * 1e19) mean no limit: no watchdog starts, and 0 is returned. Zero,
 * negative and nan limits return 1. Stop it when the program ends. */
#define KILN_RT_TIMEOUT_MAX 1e9 /* seconds, about 31 years */
int kiln_rt_watchdog_start(double seconds);
void kiln_rt_watchdog_stop(void);
/* Reads a time limit in seconds ("2", "0.5", "1e3", "inf"): returns 0 and
 * sets *seconds, or returns 1 for text that is not a positive number
 * (garbage, trailing characters, "0", negatives, "nan"). */
int kiln_rt_parse_timeout(const char *text, double *seconds);

/* ---- Native stack for the depth limit. --------------------------------- */

/* The native stack a program needs when up to `max_depth` Relay calls may be
 * active at once (a fixed allowance per call that covers the interpreter's
 * frames, plus a base). The thread that runs the program must have this
 * much, or runaway recursion ends in SIGSEGV before the depth limit. */
size_t kiln_rt_stack_for_depth(int64_t max_depth);
/* The stack to reserve (address space; pages are committed as they are
 * touched) for a program with `max_depth`: eight times
 * kiln_rt_stack_for_depth and at least 1 GiB, for calls with unusually
 * large frames, within kiln_rt_stack_limit; never less than
 * kiln_rt_stack_for_depth. */
size_t kiln_rt_stack_reserve(int64_t max_depth);
/* The most stack a host reserves for one program here: half the physical
 * memory (or of RLIMIT_AS), at most 64 GiB. */
size_t kiln_rt_stack_limit(void);
/* Calls with large frames. The depth limit alone cannot protect a program
 * whose functions have thousands of variables: at -O0 each one is a stack
 * slot, and 9,000 calls of a 16,000-variable function need 1.2 GB, more
 * than the reserve. So a user function whose frame may exceed what the
 * reserve allows per call checks the native stack left at its entry, once
 * its prologue has made the frame and before anything is stored in it: it
 * traps through kiln_rt_stack_exhausted when (sp - kiln_rt_stack_low),
 * unsigned, is below kiln_rt_stack_window plus KILN_RT_STACK_PER_CALL
 * bytes for each call its budget still allows (room for the calls with
 * small frames, which do not check). The window is room for the host's
 * and the runtime's frames, and because the caller's own check left at
 * least that much, a frame smaller than the window is still in mapped
 * memory when the check runs. kiln_rt_stack_mark() sets the two for the
 * calling thread's stack (its low end; window = 16 MiB, or an eighth of a
 * smaller stack) and kiln_rt_stack_unmark() clears them. Both 0
 * (unmarked) never trap; nor does code on a thread other than the marked
 * one, whose sp lies outside the marked stack (so the check is no help
 * there, and no harm). Marked by the runner thread Relay code runs on and
 * by AOT executables' program thread. */
#define KILN_RT_STACK_PER_CALL 1024
extern uintptr_t kiln_rt_stack_low;
extern uintptr_t kiln_rt_stack_window;
void kiln_rt_stack_mark(void);
void kiln_rt_stack_unmark(void);
/* Traps with "stack overflow: call depth D needs more native stack than the
 * N MiB reserved (calls with large frames)"; budget: the caller's remaining
 * call budget (the depth is kiln_rt_max_depth - budget). */
void kiln_rt_stack_exhausted(int32_t budget, const char *file, int32_t line,
                             int32_t column);

/* If kiln_rt_stack_for_depth(max_depth) exceeds kiln_rt_stack_limit(),
 * writes the one-line reason ("--max-depth N needs about X MiB of stack,
 * more than the Y MiB this machine can reserve; use --max-depth M or
 * less") into buf and returns 1; otherwise returns 0. */
int kiln_rt_depth_message(int64_t max_depth, char *buf, size_t size);

/* The body of an AOT executable's main: sets the depth limit (0: the
 * default 10000), starts the watchdog for `timeout_seconds` (0: the
 * KILN_TIMEOUT environment variable, if set), runs program() on a thread
 * whose stack holds the depth limit, flushes stdout and returns the exit
 * status: 0, 1 for a limit no stack can hold or unwritable output (a
 * runtime error exits 1 from kiln_rt_trap), 2 for a KILN_TIMEOUT that is
 * not a positive number of seconds. Each error is one line on stderr. */
int kiln_rt_main(void (*program)(void), int32_t max_depth,
                 double timeout_seconds);

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
