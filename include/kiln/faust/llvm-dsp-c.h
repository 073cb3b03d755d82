/* llvm-dsp-c.h: libfaust's LLVM C API, implemented by libkiln.so.
 *
 * A C host written against libfaust's `faust/dsp/llvm-dsp-c.h` builds
 * against Kiln by including this header instead and linking libkiln.so
 * (`-lkiln`) instead of libfaust (`-lfaust`): the names, argument types and
 * argument order are those of libfaust's documented signatures; UIGlue,
 * MetaGlue and FAUSTFLOAT come from Faust's own `faust/gui/CInterface.h`.
 * This header is Kiln's, written from libfaust's documentation; Kiln's
 * native C API is kiln/kiln.h (docs/c-api.md, "Faust").
 *
 * How Kiln's implementation differs (docs/c-api.md lists it all):
 *  - Every function is safe to call from several threads at once (so
 *    startMTDSPFactories only returns true); a DSP instance is still used by
 *    one thread at a time.
 *  - Factories are built by Debian's `faust -lang llvm` in a subprocess and
 *    compiled by Kiln's LLVM 19 pipeline; machine code is Kiln's container
 *    (base64 in the string forms), not libfaust's.
 *  - readCDSPFactoryFromMachine takes (code, error_msg, target) as
 *    documented (libfaust 2.54 reads its arguments as (code, target, error)).
 *  - A pointer that is NULL, or a factory that was already deleted, makes a
 *    call return NULL/false/0 (with error_msg set) instead of crashing.
 *  - deleteCDSPFactory never frees instances: each instance keeps its
 *    factory's code alive until deleteCDSPInstance.
 *  - Not provided: createCDSPFactoryFromSignals/FromBoxes (they need
 *    libfaust's compiler in the process), setCMemoryManager and
 *    registerCForeignFunction.
 *
 * Strings returned as `char *` and arrays returned as `const char **` are
 * allocated with malloc: free them (and each array element) with
 * freeCMemory. `error_msg` must point at 4096 chars (libfaust's contract);
 * messages longer than 4095 bytes are truncated, always NUL-terminated.
 */
#ifndef KILN_FAUST_LLVM_DSP_C_H
#define KILN_FAUST_LLVM_DSP_C_H

#include <stdbool.h>

#include <faust/gui/CInterface.h>

#if defined(_WIN32)
#define KILN_LIBFAUST_API
#else
#define KILN_LIBFAUST_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handles (libfaust spells them as empty structs). */
typedef struct llvm_dsp_factory llvm_dsp_factory;
typedef struct llvm_dsp llvm_dsp;

/* ---- Library ----------------------------------------------------------- */

/** The Faust version Kiln's Faust support was built with, e.g. "2.54.9".
 *  Static. */
KILN_LIBFAUST_API const char *getCLibFaustVersion(void);
/** The host as "triple:cpu". Free with freeCMemory. */
KILN_LIBFAUST_API char *getCDSPMachineTarget(void);
/** Frees what the functions here return (NULL is fine). */
KILN_LIBFAUST_API void freeCMemory(void *ptr);
/** Kiln is always thread-safe: returns true. */
KILN_LIBFAUST_API bool startMTDSPFactories(void);
/** Does nothing (see startMTDSPFactories). */
KILN_LIBFAUST_API void stopMTDSPFactories(void);

/* ---- Factories --------------------------------------------------------- */

/** Compiles the .dsp `filename` with Faust arguments argv[0..argc) for
 *  `target` ("triple[:cpu]", "" or NULL = this machine) at `opt_level` (-1 =
 *  best, 0..4). The same code, arguments, target and level give the same
 *  factory, reference counted: release each with deleteCDSPFactory. NULL on
 *  failure, with the reason ("file:line:col: error: ...") in error_msg. */
KILN_LIBFAUST_API llvm_dsp_factory *
createCDSPFactoryFromFile(const char *filename, int argc, const char *argv[],
                          const char *target, char *error_msg, int opt_level);
/** The same from source text; `name_app` names the program (and the DSP,
 *  unless it declares a name). */
KILN_LIBFAUST_API llvm_dsp_factory *
createCDSPFactoryFromString(const char *name_app, const char *dsp_content,
                            int argc, const char *argv[], const char *target,
                            char *error_msg, int opt_level);
/** The cached factory with this SHA key, its count incremented (release it
 *  with deleteCDSPFactory), or NULL. */
KILN_LIBFAUST_API llvm_dsp_factory *
getCDSPFactoryFromSHAKey(const char *sha_key);
/** Decrements the factory's count; true when it was the last reference and
 *  the factory left the cache (false too for an unknown pointer). */
KILN_LIBFAUST_API bool deleteCDSPFactory(llvm_dsp_factory *factory);
/** Empties the cache: every factory pointer becomes invalid (instances stay
 *  usable). */
KILN_LIBFAUST_API void deleteAllCDSPFactories(void);
/** The SHA keys of the cached factories, a NULL-terminated array. Free the
 *  elements and the array with freeCMemory. */
KILN_LIBFAUST_API const char **getAllCDSPFactories(void);

/** Queries; each result is freed with freeCMemory (arrays: each element,
 *  then the array). NULL for an invalid factory. */
KILN_LIBFAUST_API char *getCName(llvm_dsp_factory *factory);
KILN_LIBFAUST_API char *getCSHAKey(llvm_dsp_factory *factory);
KILN_LIBFAUST_API char *getCDSPCode(llvm_dsp_factory *factory);
KILN_LIBFAUST_API char *getCDSPFactoryCompileOptions(llvm_dsp_factory *factory);
KILN_LIBFAUST_API char *getCTarget(llvm_dsp_factory *factory);
KILN_LIBFAUST_API const char **
getCDSPFactoryLibraryList(llvm_dsp_factory *factory);
KILN_LIBFAUST_API const char **
getCDSPFactoryIncludePathnames(llvm_dsp_factory *factory);
KILN_LIBFAUST_API const char **getCWarningMessages(llvm_dsp_factory *factory);

/* ---- Serialization ----------------------------------------------------- */

/** Bitcode: the unoptimised Faust module, base64-encoded in the string
 *  forms; optimised for `target` at `opt_level` when read. */
KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromBitcode(const char *bit_code, const char *target,
                           char *error_msg, int opt_level);
KILN_LIBFAUST_API char *writeCDSPFactoryToBitcode(llvm_dsp_factory *factory);
KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromBitcodeFile(const char *bit_code_path, const char *target,
                               char *error_msg, int opt_level);
KILN_LIBFAUST_API bool writeCDSPFactoryToBitcodeFile(llvm_dsp_factory *factory,
                                                     const char *bit_code_path);

/** Textual LLVM IR of the same module. */
KILN_LIBFAUST_API llvm_dsp_factory *readCDSPFactoryFromIR(const char *ir_code,
                                                          const char *target,
                                                          char *error_msg,
                                                          int opt_level);
KILN_LIBFAUST_API char *writeCDSPFactoryToIR(llvm_dsp_factory *factory);
KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromIRFile(const char *ir_code_path, const char *target,
                          char *error_msg, int opt_level);
KILN_LIBFAUST_API bool writeCDSPFactoryToIRFile(llvm_dsp_factory *factory,
                                                const char *ir_code_path);

/** Kiln's machine code (base64 in the string forms): loads with no
 *  compilation; it must be for this machine. `target` is accepted for
 *  libfaust's signature; the code names its own target. Note the documented
 *  order of readCDSPFactoryFromMachine: (code, error_msg, target), while the
 *  File form takes (path, target, error_msg). */
KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromMachine(const char *machine_code, char *error_msg,
                           const char *target);
KILN_LIBFAUST_API char *writeCDSPFactoryToMachine(llvm_dsp_factory *factory,
                                                  const char *target);
KILN_LIBFAUST_API llvm_dsp_factory *
readCDSPFactoryFromMachineFile(const char *machine_code_path,
                               const char *target, char *error_msg);
KILN_LIBFAUST_API bool
writeCDSPFactoryToMachineFile(llvm_dsp_factory *factory,
                              const char *machine_code_path,
                              const char *target);
/** A relocatable object file for `target` ("" = the factory's) to link into
 *  other programs (libfaust exports this name without declaring it in C). */
KILN_LIBFAUST_API bool
writeCDSPFactoryToObjectcodeFile(llvm_dsp_factory *factory,
                                 const char *object_code_path,
                                 const char *target);

/* ---- Instances (one thread at a time each) ----------------------------- */

/** A new instance, not initialised; NULL when the factory is invalid or was
 *  built for another machine. Free with deleteCDSPInstance. */
KILN_LIBFAUST_API llvm_dsp *createCDSPInstance(llvm_dsp_factory *factory);
/** NULL is fine. */
KILN_LIBFAUST_API void deleteCDSPInstance(llvm_dsp *dsp);
/** A fresh instance of the same factory (free with deleteCDSPInstance). */
KILN_LIBFAUST_API llvm_dsp *cloneCDSPInstance(llvm_dsp *dsp);

KILN_LIBFAUST_API int getNumInputsCDSPInstance(llvm_dsp *dsp);
KILN_LIBFAUST_API int getNumOutputsCDSPInstance(llvm_dsp *dsp);
KILN_LIBFAUST_API int getSampleRateCDSPInstance(llvm_dsp *dsp);
KILN_LIBFAUST_API void initCDSPInstance(llvm_dsp *dsp, int sample_rate);
KILN_LIBFAUST_API void instanceInitCDSPInstance(llvm_dsp *dsp, int sample_rate);
KILN_LIBFAUST_API void instanceConstantsCDSPInstance(llvm_dsp *dsp,
                                                     int sample_rate);
KILN_LIBFAUST_API void instanceResetUserInterfaceCDSPInstance(llvm_dsp *dsp);
KILN_LIBFAUST_API void instanceClearCDSPInstance(llvm_dsp *dsp);
/** Replays the DSP's UI into `glue` (NULL callbacks are skipped); the zones
 *  stay valid until the instance is deleted. */
KILN_LIBFAUST_API void buildUserInterfaceCDSPInstance(llvm_dsp *dsp,
                                                      UIGlue *glue);
/** Calls meta->declare for each metadata key/value. */
KILN_LIBFAUST_API void metadataCDSPInstance(llvm_dsp *dsp, MetaGlue *meta);
/** Computes `count` frames from input[c][0..count) into output[c]; a NULL
 *  buffer array or channel, or count < 0, computes nothing. */
KILN_LIBFAUST_API void computeCDSPInstance(llvm_dsp *dsp, int count,
                                           FAUSTFLOAT **input,
                                           FAUSTFLOAT **output);

#ifdef __cplusplus
}
#endif

#endif /* KILN_FAUST_LLVM_DSP_C_H */
