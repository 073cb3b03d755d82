/* dlopen_test.c: libkiln.so loaded as Python's ctypes loads it.
 *
 * This program does not link libkiln.so, nor libm: it dlopen()s the library
 * with RTLD_LOCAL, so neither the library's symbols nor its dependencies
 * are in the process's global scope. JIT code must still find the Kiln
 * runtime (core's Jit defines it from kiln_rt_symbols) and libm (`sin`,
 * `pow`), which a lookup in the global scope alone would miss.
 *   dlopen_test /path/to/libkiln.so [--libm-loaded]
 * --libm-loaded: sanitized builds, whose runtime brings libm in itself (the
 * libm half of the check then proves nothing, and the test says so).
 */
#define _POSIX_C_SOURCE 200809L
#include "kiln/kiln.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define FAIL(...)                                                              \
  do {                                                                         \
    fprintf(stderr, __VA_ARGS__);                                              \
    return 1;                                                                  \
  } while (0)

typedef kiln_error *(*create_fn)(uint32_t, const kiln_engine_options *,
                                 kiln_engine **);
typedef kiln_error *(*add_fn)(kiln_engine *, const char *, const char *, size_t,
                              kiln_unit **);
typedef kiln_error *(*lookup_fn)(kiln_engine *, const char *, void **);
typedef const char *(*rendered_fn)(const kiln_error *);
typedef void (*free_fn)(void *);

static const char *const kIR =
    "declare double @sin(double)\n"
    "declare double @pow(double, double)\n"
    "define double @f(double %x) {\n"
    "  %s = call double @sin(double %x)\n"
    "  %p = call double @pow(double %s, double 2.0)\n"
    "  ret double %p\n"
    "}\n";

int main(int argc, char **argv) {
  void *lib, *symbol = NULL;
  kiln_engine *engine = NULL;
  kiln_unit *unit = NULL;
  kiln_error *error;
  double (*f)(double);
  create_fn create;
  add_fn add;
  lookup_fn lookup;
  rendered_fn rendered;
  free_fn free_unit, free_engine;
  int libm_loaded = argc == 3 && strcmp(argv[2], "--libm-loaded") == 0;
  if (argc != 2 && !libm_loaded)
    FAIL("usage: dlopen_test LIBKILN [--libm-loaded]\n");
  if (libm_loaded)
    printf("note: libm is in the process already (sanitizer runtime): only "
           "the runtime and libkiln halves are checked\n");
  else if (dlsym(RTLD_DEFAULT, "sin"))
    FAIL("this test must not link libm: 'sin' is already in the process\n");
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    FAIL("dlopen: %s\n", dlerror());
  *(void **)&create = dlsym(lib, "kiln_engine_create");
  *(void **)&add = dlsym(lib, "kiln_unit_add_ir");
  *(void **)&lookup = dlsym(lib, "kiln_engine_lookup");
  *(void **)&rendered = dlsym(lib, "kiln_error_rendered");
  *(void **)&free_unit = dlsym(lib, "kiln_unit_free");
  *(void **)&free_engine = dlsym(lib, "kiln_engine_free");
  if (!create || !add || !lookup || !rendered || !free_unit || !free_engine)
    FAIL("libkiln.so lacks a C API entry point\n");
  if ((!libm_loaded && dlsym(RTLD_DEFAULT, "sin")) ||
      dlsym(RTLD_DEFAULT, "kiln_engine_create"))
    FAIL("RTLD_LOCAL put libkiln or libm in the global scope\n");
  if ((error = create(KILN_VERSION_NUMBER, NULL, &engine)) ||
      (error = add(engine, "f.ll", kIR, strlen(kIR), &unit)) ||
      (error = lookup(engine, "f", &symbol)))
    FAIL("%s\n", rendered(error));
  *(void **)&f = symbol;
  if (f(0.5) < 0.2298 || f(0.5) > 0.2299) /* sin(0.5)^2 = 0.229849 */
    FAIL("f(0.5) = %g, expected 0.229849\n", f(0.5));
  printf("f(0.5) = %.6f through dlopen(RTLD_LOCAL)\n", f(0.5));
  free_unit(unit);
  free_engine(engine);
  return dlclose(lib);
}
