/* fast_tensor.c: kiln._kiln_fast's tensor calls — Runner (one bound call),
 * a kernel's replayed plain call and a BoundCall.
 *
 * Why: python/kiln/_callcache.py turns a repeated plain call into a guarded
 * bound call, and a BoundCall is one already; what is left is the call into
 * libkiln, which ctypes makes cost as much as a small kernel. Here it is a C
 * call between releasing and taking back the GIL.
 */
#include "kiln_fast.h"

#include <stddef.h>

typedef int (*RunFn)(kiln_tensor_call *, kiln_scalar *);

/* ---- Runner: one bound tensor call (kiln_tensor_call_run) ---------------- */

/// A bound call with its run function; `keep` owns the call handle (a _Ptr)
/// and the result's kiln_scalar (a ctypes Scalar), so the call stays valid
/// while any Runner reference (one is held during each run) lives.
typedef struct {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  RunFn run;
  kiln_tensor_call *call;
  kiln_scalar *scalar; /* NULL for an elementwise kernel */
  int dtype;           /* the result's dtype, or -1: the one libkiln writes */
  PyObject *out;       /* what a successful run returns, or NULL (elementwise) */
  PyObject *keep;
} Runner;

static int runnerRun(Runner *r) {
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = r->run(r->call, r->scalar);
  Py_END_ALLOW_THREADS
  return rc;
}

/* A reduction's result as kiln/tensor.py's _scalar_value makes it. */
static PyObject *scalarValue(const kiln_scalar *s, int dtype) {
  if (dtype < 0)
    dtype = (int)s->dtype;
  if (dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64)
    return PyFloat_FromDouble(s->f);
  if (dtype == KILN_DTYPE_BOOL)
    return PyBool_FromLong(s->i != 0);
  return PyLong_FromLongLong(s->i);
}

/* After a run that returned 0: the scalar, else `out` (the caller's, else
 * the Runner's). */
static PyObject *runnerResult(Runner *r, PyObject *out) {
  if (r->scalar)
    return scalarValue(r->scalar, r->dtype);
  if (!out)
    out = r->out ? r->out : Py_None;
  return Py_NewRef(out);
}

/* runner() -> kiln_tensor_call_run's code (BoundCall.run, Entry.run). */
static PyObject *runnerCall(PyObject *self, PyObject *const *args, size_t nargsf,
                            PyObject *kwnames) {
  if (PyVectorcall_NARGS(nargsf) || kwnames) {
    PyErr_SetString(PyExc_TypeError, "run() takes no arguments");
    return NULL;
  }
  return PyLong_FromLong(runnerRun((Runner *)self));
}

/* Runner(run, call, scalar, dtype, out, keep): addresses as ints; scalar 0
 * for an elementwise kernel. */
static PyObject *runnerNew(PyTypeObject *type, PyObject *args, PyObject *kw) {
  void *run, *call, *scalar;
  int dtype;
  PyObject *out, *keep;
  if (!PyArg_ParseTuple(args, "O&O&O&iOO:Runner", toPointer, &run, toPointer, &call,
                        toPointer, &scalar, &dtype, &out, &keep))
    return NULL;
  if (!run || !call) {
    PyErr_SetString(PyExc_ValueError, "Runner: NULL run function or call");
    return NULL;
  }
  Runner *r = (Runner *)type->tp_alloc(type, 0);
  if (!r)
    return NULL;
  r->vectorcall = runnerCall;
  r->run = (RunFn)run;
  r->call = call;
  r->scalar = scalar;
  r->dtype = dtype;
  r->out = out == Py_None ? NULL : Py_NewRef(out);
  r->keep = Py_NewRef(keep);
  return (PyObject *)r;
}

static int runnerTraverse(Runner *r, visitproc visit, void *arg) {
  Py_VISIT(r->out);
  Py_VISIT(r->keep);
  return 0;
}

static int runnerClear(Runner *r) {
  Py_CLEAR(r->out);
  Py_CLEAR(r->keep);
  return 0;
}

static void runnerDealloc(Runner *r) {
  PyObject_GC_UnTrack(r);
  runnerClear(r);
  Py_TYPE(r)->tp_free((PyObject *)r);
}

PyTypeObject RunnerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kiln._kiln_fast.Runner",
    .tp_basicsize = sizeof(Runner),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "A bound tensor call; calling it runs it (GIL released) and "
              "returns kiln_tensor_call_run's code.",
    .tp_new = runnerNew,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(Runner, vectorcall),
    .tp_traverse = (traverseproc)runnerTraverse,
    .tp_clear = (inquiry)runnerClear,
    .tp_dealloc = (destructor)runnerDealloc,
};

/* Runs `run` when it is a Runner: its result, or NOT_TAKEN (not a Runner,
 * or a non-zero code: stale, busy or failed, which the Python method
 * handles). */
static PyObject *replay(PyObject *run, PyObject *out) {
  if (!run || !Py_IS_TYPE(run, &RunnerType))
    return NOT_TAKEN;
  Runner *r = (Runner *)run;
  return runnerRun(r) ? NOT_TAKEN : runnerResult(r, out);
}

/* ---- Kernel.__call__: a cached plain call -------------------------------- */

/* out= and threads= from a vectorcall's keywords; 0 for any other keyword. */
static int keywords(PyObject *const *values, PyObject *kwnames, PyObject **out,
                    PyObject **threads) {
  Py_ssize_t n = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject *name = PyTuple_GET_ITEM(kwnames, i);
    if (PyUnicode_Compare(name, strOut) == 0)
      *out = values[i];
    else if (PyUnicode_Compare(name, strThreads) == 0)
      *threads = values[i];
    else
      return 0;
  }
  return 1;
}

/* (threads, id(out), *map(id, args)): _callcache's key. */
static PyObject *callKey(PyObject *const *args, Py_ssize_t n, PyObject *out,
                         PyObject *threads) {
  PyObject *key = PyTuple_New(n + 2);
  if (!key)
    return NULL;
  PyTuple_SET_ITEM(key, 0, Py_NewRef(threads));
  for (Py_ssize_t i = -1; i < n; ++i) {
    PyObject *id = PyLong_FromVoidPtr(i < 0 ? out : args[i]);
    if (!id) {
      Py_DECREF(key);
      return NULL;
    }
    PyTuple_SET_ITEM(key, i + 2, id);
  }
  return key;
}

/* Whether the memo's key is the key of these objects. */
static int sameObjects(const KeyMemo *m, PyObject *const *args, Py_ssize_t n,
                       PyObject *out, PyObject *threads) {
  if (!m->key || m->n != n || PyTuple_GET_ITEM(m->key, 0) != threads || m->ids[0] != out)
    return 0;
  for (Py_ssize_t i = 0; i < n; ++i)
    if (m->ids[i + 1] != args[i])
      return 0;
  return 1;
}

/* A dict's version (every change bumps it); 3.12 deprecates the field, so
 * newer Pythons go without the lookup memo. */
static int dictVersion(PyObject *dict, uint64_t *version) {
#if PY_VERSION_HEX < 0x030C0000
  *version = ((PyDictObject *)dict)->ma_version_tag;
  return 1;
#else
  (void)dict;
  *version = 0;
  return 0;
#endif
}

/* callKey's tuple, reused from the memo while the objects are the same. */
static PyObject *memoKey(KeyMemo *m, PyObject *const *args, Py_ssize_t n, PyObject *out,
                         PyObject *threads) {
  if (sameObjects(m, args, n, out, threads))
    return Py_NewRef(m->key);
  PyObject *key = callKey(args, n, out, threads);
  if (key && n <= KEY_MEMO_ARGS) {
    Py_XSETREF(m->key, Py_NewRef(key));
    Py_CLEAR(m->run); /* found for another key */
    m->n = n;
    m->ids[0] = out;
    for (Py_ssize_t i = 0; i < n; ++i)
      m->ids[i + 1] = args[i];
  }
  return key;
}

/* The Runner for these objects in `calls` (a new reference), from the memo
 * when nothing changed, else by building the key and looking it up; NULL
 * (no exception set) when there is none. */
static PyObject *findRunner(KeyMemo *m, PyObject *calls, PyObject *const *args,
                            Py_ssize_t n, PyObject *out, PyObject *threads) {
  uint64_t version;
  int versioned = dictVersion(calls, &version);
  if (versioned && m->run && m->dict == calls && m->version == version &&
      sameObjects(m, args, n, out, threads))
    return Py_NewRef(m->run);
  PyObject *key = memoKey(m, args, n, out, threads);
  PyObject *entry = key ? PyDict_GetItemWithError(calls, key) : NULL;
  PyObject *run = entry ? attr(entry, strRun) : NULL;
  PyErr_Clear();
  if (run && Py_IS_TYPE(run, &RunnerType) && versioned && key == m->key) {
    Py_XSETREF(m->run, Py_NewRef(run)); /* attr() ran no code that changes calls */
    m->dict = calls;
    m->version = version;
  }
  Py_XDECREF(key);
  return run;
}

/* k(*args, out=None, threads=0) when self._calls holds an entry for these
 * argument ids whose guarded run succeeds. */
PyObject *kernelFast(KeyMemo *memo, PyObject *const *args, Py_ssize_t n,
                     PyObject *kwnames) {
  PyObject *out = Py_None, *threads = zero;
  if (!keywords(args + n, kwnames, &out, &threads))
    return NOT_TAKEN;
  PyObject *calls = attr(args[0], strCalls);
  if (!calls || !PyDict_Check(calls)) {
    Py_XDECREF(calls);
    return NOT_TAKEN;
  }
  PyObject *run = findRunner(memo, calls, args + 1, n - 1, out, threads);
  Py_DECREF(calls);
  PyObject *result = replay(run, out);
  Py_XDECREF(run);
  return result;
}

/* BoundCall.__call__: self._runner, set while the BoundCall is open. */
PyObject *boundFast(PyObject *self) {
  PyObject *run = attr(self, strRunner);
  PyObject *result = replay(run, NULL);
  Py_XDECREF(run);
  return result;
}

