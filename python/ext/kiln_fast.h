/* kiln_fast.h: what the files of kiln._kiln_fast share (python/ext).
 *
 * The module (kiln_fast.c) wraps Python methods in descriptors whose hot case
 * runs here: tensor calls in fast_tensor.c, Faust computes in fast_faust.c.
 * Each fast path returns a result, NULL with an exception set, or NOT_TAKEN,
 * after which the Python method runs with the same arguments. Everything is
 * called with the GIL held; the fast paths release it around libkiln.
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
PyObject *kernelFast(PyObject *const *args, Py_ssize_t n, PyObject *kwnames);
PyObject *boundFast(PyObject *self);

/* fast_faust.c: Dsp.compute; setCompute gives it kiln_faust_dsp_compute. */
void setCompute(void *fn);
PyObject *computeFast(PyObject *errorFrom, PyObject *const *args);

#endif
