/* kiln_fast.h: what the files of kiln._kiln_fast share (python/ext).
 *
 * The module (kiln_fast.c) wraps Python methods in descriptors whose hot case
 * runs here: tensor calls in fast_tensor.c, Faust computes in fast_faust.c.
 * Each fast path returns a result, NULL with an exception set, or NOT_TAKEN,
 * after which the Python method runs with the same arguments. Everything is
 * called with the GIL held; the fast paths release it around libkiln
 * (fast_faust.c keeps it for a compute predicted under 2 µs).
 */
#ifndef KILN_PYTHON_EXT_KILN_FAST_H
#define KILN_PYTHON_EXT_KILN_FAST_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "kiln/kiln.h"

/* What a fast path returns when it does not take a call. */
extern char notTakenMarker;
#define NOT_TAKEN ((PyObject *)&notTakenMarker)

/* Interned attribute names (set by the module's init), and 0, the default
 * of a kernel's `threads`. */
extern PyObject *strCalls, *strRun, *strRunner, *strCache, *strPtr, *strInputs,
    *strOutputs, *strOut, *strThreads, *zero;

/* obj.name, or NULL with no exception set. */
PyObject *attr(PyObject *obj, PyObject *name);
/* An int as a pointer (a PyArg "O&" converter). */
int toPointer(PyObject *obj, void **out);

/* fast_tensor.c: bound tensor calls (Runner) and the two tensor paths. */
extern PyTypeObject RunnerType;

enum { KEY_MEMO_ARGS = 8 };
/// The last cache key a kernel call built, the addresses it was built from
/// (out, then the arguments) and, once looked up, the Runner it found in
/// which dict at which version: while the same objects come back and the
/// dict is unchanged (CPython bumps a dict's version on every change, and
/// versions are unique process-wide), the lookup's answer is the same, so
/// the key is neither built nor looked up. It holds ints, `threads` and a
/// Runner (no array, no Python reference to one).
typedef struct {
  PyObject *key; /* NULL until the first key */
  Py_ssize_t n;
  const void *ids[KEY_MEMO_ARGS + 1];
  PyObject *run; /* NULL until a lookup for `key` found a Runner */
  const void *dict;
  uint64_t version;
} KeyMemo;

PyObject *kernelFast(KeyMemo *memo, PyObject *const *args, Py_ssize_t n,
                     PyObject *kwnames);
PyObject *boundFast(PyObject *self);

/* fast_faust.c: Dsp.compute; setCompute gives it kiln_faust_dsp_compute. */
void setCompute(void *fn);
/* dsp_class(Dsp): the class whose `_cache` slot compute reads directly. */
PyObject *dspClass(PyObject *module, PyObject *type);
PyObject *computeFast(PyObject *errorFrom, PyObject *const *args);

#endif
