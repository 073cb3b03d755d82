/* core.h: the C API over Kiln's core — LLVM IR in, native code out.
 *
 * Add LLVM IR (text or bitcode) to an engine as a unit, look up its symbols
 * and call them as C function pointers; let the code call host functions;
 * remove a unit to free its code; emit object code, assembly, bitcode or IR
 * for the engine's target; link objects into an executable or a shared
 * library. Included by kiln.h; the rules there apply.
 */
#ifndef KILN_C_CORE_H
#define KILN_C_CORE_H

#include "kiln/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One module of LLVM IR added to an engine. Its code lives until the unit
 *  is freed (kiln_unit_free removes it). */
typedef struct kiln_unit kiln_unit;

/** Verifies `size` bytes of LLVM IR — text or bitcode, told apart by the
 *  bitcode magic — names the module `name` (for diagnostics; may be NULL),
 *  optimises it at the engine's level and adds it. It is compiled on the
 *  first lookup of one of its symbols. A parse error is located
 *  (KILN_ERROR_PARSE, file `name`); a module that fails to verify, or calls
 *  another architecture's intrinsics, is KILN_ERROR_INVALID_ARGUMENT; a
 *  symbol defined twice is KILN_ERROR_LINK.
 *  *out: caller owns; free with kiln_unit_free. */
KILN_API kiln_error *kiln_unit_add_ir(kiln_engine *engine, const char *name,
                                      const char *data, size_t size,
                                      kiln_unit **out);
/** Removes the unit's code and data from the engine and frees its memory
 *  (NULL is fine). Function pointers looked up from it must not be called
 *  afterwards. Consumes unit. */
KILN_API void kiln_unit_free(kiln_unit *unit);

/** The address of `name` (a function or a global) defined by any unit of the
 *  engine, compiling its unit first if needed; unknown names are
 *  KILN_ERROR_LINK, errors LLVM reports while generating the code (inline
 *  assembly that does not assemble) KILN_ERROR_INVALID_ARGUMENT. The code
 *  stays valid while its unit is alive. */
KILN_API kiln_error *kiln_engine_lookup(kiln_engine *engine, const char *name,
                                        void **address);
/** kiln_engine_lookup, restricted to the symbols `unit` defines. */
KILN_API kiln_error *kiln_unit_lookup(kiln_unit *unit, const char *name,
                                      void **address);

/** Makes `address` (a host function or data) visible to code added later
 *  under `name`, as if it were defined in the process. Defining a name twice
 *  is KILN_ERROR_LINK. */
KILN_API kiln_error *kiln_engine_define_symbol(kiln_engine *engine,
                                               const char *name, void *address);
/** Makes a host function with user data callable from JIT code: code that
 *  calls `name` with the LLVM function type `signature` (e.g.
 *  "double (double, i64)") reaches `function`, which receives `user_data`
 *  first and then the same arguments: double f(void *user_data, double,
 *  int64_t). `user_data` is borrowed: it must outlive the engine's use of it.
 *  A signature that does not parse, is variadic, or passes or returns
 *  anything but integers, floating point, pointers and vectors of them is
 *  KILN_ERROR_INVALID_ARGUMENT. */
KILN_API kiln_error *kiln_engine_define_function(kiln_engine *engine,
                                                 const char *name,
                                                 const char *signature,
                                                 void *function,
                                                 void *user_data);

typedef enum kiln_emit_kind KILN_ENUM_INT {
  KILN_EMIT_OBJECT = 0,   /* a relocatable object file for the target */
  KILN_EMIT_ASSEMBLY = 1, /* the target's assembly, text */
  KILN_EMIT_BITCODE = 2,  /* LLVM bitcode (optimised) */
  KILN_EMIT_IR = 3        /* LLVM IR text (optimised) */
} kiln_emit_kind;

/** Optimises `size` bytes of LLVM IR (text or bitcode) at the engine's level
 *  and emits `kind` for the engine's target (which may be another machine).
 *  Adds nothing to the engine. *out: caller owns; free with
 *  kiln_buffer_free. */
KILN_API kiln_error *kiln_engine_emit(kiln_engine *engine, const char *name,
                                      const char *data, size_t size,
                                      kiln_emit_kind kind, kiln_buffer **out);

/** Links `count` object files into `output`, an executable or (shared != 0)
 *  a shared library, with the system's C compiler as the linker driver and
 *  Kiln's runtime archive. A regular output file is replaced atomically:
 *  nothing is left behind on error. */
KILN_API kiln_error *kiln_link(const char *const *objects, size_t count,
                               const char *output, int shared);

#ifdef __cplusplus
}
#endif

#endif /* KILN_C_CORE_H */
