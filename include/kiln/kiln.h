/* kiln.h: Kiln's C API — the one header C programs and other languages use.
 *
 * Plain C99 (no C++ and no LLVM types), so that C hosts, Python's ctypes and
 * other languages' foreign-function interfaces can embed Kiln. It is a thin
 * layer over the C++ API (include/kiln/{core,relay,tensor,faust}); see
 * docs/c-api.md for the model and a complete example per frontend.
 *
 * ERRORS. Every call that can fail returns a `kiln_error *`: NULL means
 * success, and results come back through out-parameters (as LLVM-C's ORC API
 * and wasmtime do). An error carries a code (kiln_error_code), one or more
 * diagnostics (message, and file/line/column when there is one) and the text
 * Kiln's tool would print. The caller owns it: free with kiln_error_free.
 * Out-parameters are left untouched on error. No C++ exception, abort() or
 * exit() crosses this API: each entry point catches everything; misuse that
 * can be detected (NULL handles, wrong counts, sizes or types, closed
 * objects) is a KILN_ERROR_INVALID_ARGUMENT error, never a crash.
 *
 * OWNERSHIP is stated on every function in fixed phrases:
 *   "caller owns; free with kiln_x_free"  — the caller must free it, once;
 *   "borrowed; valid until X is freed"     — do not free it;
 *   "consumes X, even on error"            — X must not be used afterwards.
 * Children keep their parents alive: freeing an engine while programs,
 * kernels or factories made from it are alive only drops the caller's
 * reference; the engine goes when the last of them is freed.
 *
 * THREADS.
 *   - kiln_engine: may be shared by any number of threads; compiling, adding
 *     and removing units, looking up symbols and calling are safe at once.
 *   - kiln_unit, kiln_tensor_program, kiln_tensor_kernel, kiln_faust_factory:
 *     may be shared; their calls are safe at once from several threads.
 *   - kiln_relay_program: may be shared; calls into Relay code are
 *     serialised process-wide (the runtime's depth and timeout state is
 *     global), so two threads calling Relay wait for each other.
 *   - kiln_tensor_call (a bound call) and kiln_faust_dsp (an instance): one
 *     thread at a time, as libfaust's `dsp`.
 *   - kiln_error, kiln_buffer: owned by one thread at a time.
 *
 * VERSIONS. KILN_VERSION_* describe this header; kiln_version() the library.
 * kiln_engine_create checks that the two agree (same major version, a
 * library at least as new as the header) and *returns* a KILN_ERROR_VERSION
 * error naming both when they do not. Entry points are only ever added;
 * existing ones never change meaning within a major version.
 */
#ifndef KILN_KILN_H
#define KILN_KILN_H

#include "kiln/c/common.h"
#include "kiln/c/core.h"
#include "kiln/c/relay.h"
#include "kiln/c/tensor.h"
#include "kiln/c/tensor_graph.h"
#include "kiln/c/faust.h"

#endif /* KILN_KILN_H */
