/* faust.h: the C API over Kiln's Faust adapter — factories and instances.
 *
 * A factory is one Faust program compiled by Debian's `faust -lang llvm` and
 * Kiln's pipeline (docs/faust.md); it creates instances that compute audio
 * on caller buffers. Factories are cached by the engine's registry (same
 * code, arguments, target and level: the same factory). For hosts written
 * against libfaust's own C API, kiln/faust/llvm-dsp-c.h offers its names.
 * Samples are `float` (FAUSTFLOAT). Included by kiln.h; the rules there
 * apply: a factory may be shared by threads, an instance is used by one
 * thread at a time.
 */
#ifndef KILN_C_FAUST_H
#define KILN_C_FAUST_H

#include "kiln/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_faust_factory kiln_faust_factory;
typedef struct kiln_faust_dsp kiln_faust_dsp;

/** Compiles Faust source `code` named `name` (which also names the DSP
 *  unless it declares one) with faust compiler arguments argv[0..argc) (e.g.
 *  "-vec", "-I", "dir"), for `target` ("triple[:cpu]", NULL/"" = the
 *  engine's) at libfaust's `opt_level` (-1 = best, 0..4; see docs/faust.md).
 *  Faust's errors are located (KILN_ERROR_PARSE or _TYPE). *out: caller owns;
 *  free with kiln_faust_factory_free (instances keep it alive). */
KILN_API kiln_error *kiln_faust_factory_from_string(
    kiln_engine *engine, const char *name, const char *code, int argc,
    const char *const *argv, const char *target, int opt_level,
    kiln_faust_factory **out);
/** The same from a .dsp file. */
KILN_API kiln_error *kiln_faust_factory_from_file(
    kiln_engine *engine, const char *path, int argc, const char *const *argv,
    const char *target, int opt_level, kiln_faust_factory **out);
/** NULL is fine. Consumes factory. */
KILN_API void kiln_faust_factory_free(kiln_faust_factory *factory);

/** Borrowed; valid until factory is freed: the DSP's name, the SHA key the
 *  registry caches it under, and "triple:cpu" it is compiled for. */
KILN_API const char *kiln_faust_factory_name(const kiln_faust_factory *factory);
KILN_API const char *kiln_faust_factory_sha_key(
    const kiln_faust_factory *factory);
KILN_API const char *kiln_faust_factory_target(
    const kiln_faust_factory *factory);
/** The host as Kiln compiles for it, "triple:cpu" (libfaust's
 *  getDSPMachineTarget). Borrowed; static. */
KILN_API const char *kiln_faust_machine_target(void);

typedef enum kiln_faust_format KILN_ENUM_INT {
  KILN_FAUST_BITCODE = 0, /* the unoptimised Faust module */
  KILN_FAUST_IR = 1,      /* the same as LLVM IR text */
  KILN_FAUST_MACHINE = 2, /* Kiln's machine code: loads with no compiling */
  KILN_FAUST_OBJECT = 3   /* a relocatable object to link into programs */
} kiln_faust_format;

/** Serialises the factory; `target` (NULL/"" = the factory's) is used by
 *  MACHINE and OBJECT. *out: caller owns; free with kiln_buffer_free. */
KILN_API kiln_error *kiln_faust_factory_write(const kiln_faust_factory *factory,
                                              kiln_faust_format format,
                                              const char *target,
                                              kiln_buffer **out);
/** A factory from BITCODE, IR or MACHINE bytes written by
 *  kiln_faust_factory_write (OBJECT cannot be read back). `target` and
 *  `opt_level` apply to BITCODE and IR; MACHINE must be for this host.
 *  *out: caller owns; free with kiln_faust_factory_free. */
KILN_API kiln_error *kiln_faust_factory_read(
    kiln_engine *engine, kiln_faust_format format, const char *data,
    size_t size, const char *target, int opt_level, kiln_faust_factory **out);

/** A new instance, not yet initialised (call kiln_faust_dsp_init). A factory
 *  built for another machine is KILN_ERROR_TARGET. *out: caller owns; free
 *  with kiln_faust_dsp_free. */
KILN_API kiln_error *kiln_faust_dsp_create(kiln_faust_factory *factory,
                                           kiln_faust_dsp **out);
/** NULL is fine. Consumes dsp. */
KILN_API void kiln_faust_dsp_free(kiln_faust_dsp *dsp);
KILN_API int kiln_faust_dsp_inputs(const kiln_faust_dsp *dsp);
KILN_API int kiln_faust_dsp_outputs(const kiln_faust_dsp *dsp);
/** Initialises everything for `sample_rate` (libfaust's init; a rate <= 0
 *  is KILN_ERROR_INVALID_ARGUMENT). */
KILN_API kiln_error *kiln_faust_dsp_init(kiln_faust_dsp *dsp, int sample_rate);
/** Computes `count` frames: inputs[c][0..count) for each input channel c,
 *  outputs likewise (caller-owned; a NULL array or channel while the DSP has
 *  channels, count < 0, or an instance never initialised is
 *  KILN_ERROR_INVALID_ARGUMENT, and so is a compute while another thread
 *  computes with the same instance: it is refused, nothing is written). */
KILN_API kiln_error *kiln_faust_dsp_compute(kiln_faust_dsp *dsp, int count,
                                            float **inputs, float **outputs);
/** Parameters by path ("/synth/freq"): an unknown path is
 *  KILN_ERROR_INVALID_ARGUMENT. */
KILN_API kiln_error *kiln_faust_dsp_set_param(kiln_faust_dsp *dsp,
                                              const char *path, float value);
KILN_API kiln_error *kiln_faust_dsp_get_param(const kiln_faust_dsp *dsp,
                                              const char *path, float *value);
/** The parameters' paths in UI order; *path borrowed, valid until dsp is
 *  freed. */
KILN_API size_t kiln_faust_dsp_param_count(const kiln_faust_dsp *dsp);
KILN_API kiln_error *kiln_faust_dsp_param_path(const kiln_faust_dsp *dsp,
                                               size_t index,
                                               const char **path);
/** Calls `declare` for each metadata key/value of the DSP (strings borrowed
 *  for the call). */
typedef void (*kiln_meta_fn)(void *user_data, const char *key,
                             const char *value);
KILN_API kiln_error *kiln_faust_dsp_metadata(const kiln_faust_dsp *dsp,
                                             kiln_meta_fn declare,
                                             void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* KILN_C_FAUST_H */
