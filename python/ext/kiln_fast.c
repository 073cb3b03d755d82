/* kiln_fast.c: kiln._kiln_fast, the Python binding's optional compiled fast path.
 *
 * Why: the binding (python/kiln) is pure ctypes, and a ctypes call costs about
 * as much as a thousand-element kernel or 256 frames of a light Faust DSP.
 * This module runs the binding's three hot calls in C: a kernel's plain call
 * that replays a guarded bound call (python/kiln/_callcache.py), a BoundCall
 * (`b()`, `b.run()`), and Dsp.compute. It is pure CPython glue: it does not
 * link libkiln; the C API's addresses come from ctypes (init(), Runner()), so
 * the library is found, loaded and version-checked in one place (_lib.py).
 * Every case it does not fully recognise goes to the Python method it wraps,
 * which then raises exactly what the ctypes path raises. Every call into
 * libkiln releases the GIL. Optional: python/kiln/_fastpath.py loads it when
 * it lies next to libkiln.so and KILN_PYTHON_NO_EXTENSION is unset.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "kiln/kiln.h"

typedef int (*RunFn)(kiln_tensor_call *, kiln_scalar *);
typedef kiln_error *(*ComputeFn)(kiln_faust_dsp *, int, float **, float **);

/* kiln_faust_dsp_compute of the library _lib.py loaded, set once by init();
 * NULL before (every compute then takes the Python path). Process-wide like
 * the library itself. */
static ComputeFn computeFn;

enum { KERNEL_CALL = 0, BOUND_CALL = 1, DSP_COMPUTE = 2 };
enum { MAX_CHANNELS = 64 };

/* Interned attribute names, and 0 (the default of `threads`). */
static PyObject *strCalls, *strRun, *strRunner, *strCache, *strPtr, *strInputs,
    *strOutputs, *strOut, *strThreads, *zero;

/* What a fast path returns when it does not take a call: the Python method
 * runs instead. */
static char notTakenMarker;
#define NOT_TAKEN ((PyObject *)&notTakenMarker)

/* obj.name, or NULL with no exception set. */
static PyObject *attr(PyObject *obj, PyObject *name) {
  PyObject *v = PyObject_GetAttr(obj, name);
  if (!v)
    PyErr_Clear();
  return v;
}

static int toPointer(PyObject *obj, void **out) {
  *out = PyLong_AsVoidPtr(obj);
  return !(*out == NULL && PyErr_Occurred());
}

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

static PyTypeObject RunnerType;

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

static PyTypeObject RunnerType = {
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

/* k(*args, out=None, threads=0) when self._calls holds an entry for these
 * argument ids whose guarded run succeeds. */
static PyObject *kernelFast(PyObject *const *args, Py_ssize_t n, PyObject *kwnames) {
  PyObject *out = Py_None, *threads = zero;
  if (!keywords(args + n, kwnames, &out, &threads))
    return NOT_TAKEN;
  PyObject *calls = attr(args[0], strCalls);
  if (!calls || !PyDict_Check(calls)) {
    Py_XDECREF(calls);
    return NOT_TAKEN;
  }
  PyObject *key = callKey(args + 1, n - 1, out, threads);
  PyObject *entry = key ? PyDict_GetItemWithError(calls, key) : NULL;
  Py_XINCREF(entry);
  Py_XDECREF(key);
  Py_DECREF(calls);
  if (!entry) {
    PyErr_Clear();
    return NOT_TAKEN;
  }
  PyObject *run = attr(entry, strRun);
  PyObject *result = replay(run, out);
  Py_XDECREF(run);
  Py_DECREF(entry);
  return result;
}

/* BoundCall.__call__: self._runner, set while the BoundCall is open. */
static PyObject *boundFast(PyObject *self) {
  PyObject *run = attr(self, strRunner);
  PyObject *result = replay(run, NULL);
  Py_XDECREF(run);
  return result;
}

/* ---- Dsp.compute ---------------------------------------------------------- */

/// The float** arrays of one compute and the buffer exports that keep their
/// memory in place (released by releaseChannels).
typedef struct {
  Py_buffer views[MAX_CHANNELS];
  float *ptrs[MAX_CHANNELS];
  int held; /* views exported */
  int used; /* ptrs handed out */
} Channels;

static void releaseChannels(Channels *ch) {
  for (int i = 0; i < ch->held; ++i)
    PyBuffer_Release(&ch->views[i]);
  ch->held = 0;
}

/* type(obj).__name__ == name, as faust.py's _is_ndarray asks. */
static int typeNamed(PyObject *obj, const char *name) {
  const char *full = Py_TYPE(obj)->tp_name;
  const char *dot = strrchr(full, '.');
  return strcmp(dot ? dot + 1 : full, name) == 0;
}

/* The objects whose buffer export gives what _buffers.view gives. */
static int plainBuffer(PyObject *obj) {
  const char *t = Py_TYPE(obj)->tp_name;
  return PyMemoryView_Check(obj) || strcmp(t, "numpy.ndarray") == 0 ||
         strcmp(t, "array.array") == 0;
}

static int isFloat32(const Py_buffer *b) {
  const char *f = b->format ? b->format : "B";
  if (*f == '@' || *f == '=' || (PY_LITTLE_ENDIAN && *f == '<'))
    ++f;
  return b->itemsize == 4 && strcmp(f, "f") == 0;
}

/* Exports obj's buffer into ch (float32, `ndim` dimensions, strides that
 * are multiples of 4); 0 (nothing held, no exception) otherwise. */
static int exportBuffer(PyObject *obj, int ndim, int writable, Channels *ch) {
  Py_buffer *b = &ch->views[ch->held];
  int flags = PyBUF_STRIDES | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
  if (!plainBuffer(obj) || PyObject_GetBuffer(obj, b, flags) != 0) {
    PyErr_Clear();
    return 0;
  }
  ++ch->held;
  if (!isFloat32(b) || b->ndim != ndim)
    return 0;
  for (int d = 0; d < ndim; ++d)
    if (b->strides[d] % 4)
      return 0;
  return 1;
}

/* A (channels, frames) numpy.ndarray with contiguous frames. */
static int channels2d(PyObject *arr, Py_ssize_t expected, int count, int writable,
                      Channels *ch, float **ptrs) {
  if (!exportBuffer(arr, 2, writable, ch))
    return 0;
  Py_buffer *b = &ch->views[ch->held - 1];
  if (b->shape[0] != expected || b->shape[1] < count ||
      (b->shape[1] > 1 && b->strides[1] != 4))
    return 0;
  for (Py_ssize_t c = 0; c < expected; ++c)
    ptrs[c] = (float *)((char *)b->buf + c * b->strides[0]);
  return 1;
}

/* A list or tuple of contiguous 1-D float32 buffers, one per channel. */
static int channelList(PyObject *seq, Py_ssize_t expected, int count, int writable,
                       Channels *ch, float **ptrs) {
  if (PySequence_Fast_GET_SIZE(seq) != expected)
    return 0;
  PyObject **items = PySequence_Fast_ITEMS(seq);
  for (Py_ssize_t c = 0; c < expected; ++c) {
    if (!exportBuffer(items[c], 1, writable, ch))
      return 0;
    Py_buffer *b = &ch->views[ch->held - 1];
    if (b->shape[0] < count || (b->shape[0] > 1 && b->strides[0] != 4))
      return 0;
    ptrs[c] = b->buf;
  }
  return 1;
}

/* The float** for `arrays` with `expected` channels of >= count frames:
 * *out is NULL for a DSP without such channels (faust.py ignores `arrays`
 * then). 0 when this path does not take `arrays`. */
static int channels(PyObject *arrays, Py_ssize_t expected, int count, int writable,
                    Channels *ch, float ***out) {
  if (expected == 0) {
    *out = NULL;
    return 1;
  }
  if (expected < 0 || ch->used + expected > MAX_CHANNELS)
    return 0; /* held <= used: each export gives at least one channel */
  float **ptrs = ch->ptrs + ch->used;
  ch->used += (int)expected;
  *out = ptrs;
  if (strcmp(Py_TYPE(arrays)->tp_name, "numpy.ndarray") == 0)
    return channels2d(arrays, expected, count, writable, ch, ptrs);
  if (PyList_CheckExact(arrays) || PyTuple_CheckExact(arrays))
    return channelList(arrays, expected, count, writable, ch, ptrs);
  return 0;
}

/* Raises _engine.error_from(err) (which frees err). */
static PyObject *raiseError(PyObject *errorFrom, kiln_error *err) {
  PyObject *address = PyLong_FromVoidPtr(err);
  PyObject *exc = address ? PyObject_CallOneArg(errorFrom, address) : NULL;
  Py_XDECREF(address);
  if (exc) {
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
  }
  return NULL;
}

static PyObject *computeRun(PyObject *errorFrom, void *dsp, int count, float **ins,
                            float **outs) {
  kiln_error *err;
  Py_BEGIN_ALLOW_THREADS
  err = computeFn(dsp, count, ins, outs);
  Py_END_ALLOW_THREADS
  if (err)
    return raiseError(errorFrom, err);
  Py_RETURN_NONE;
}

/* self._cache, faust.py's last prepared call: (inputs, outputs, ins, outs,
 * frames, handle argument, handle, address of ins, address of outs). */
static PyObject *computeCached(PyObject *errorFrom, PyObject *c, PyObject *ins,
                               PyObject *outs, int count) {
  if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) < 9 || PyTuple_GET_ITEM(c, 0) != ins ||
      PyTuple_GET_ITEM(c, 1) != outs)
    return NOT_TAKEN;
  long long frames = PyLong_AsLongLong(PyTuple_GET_ITEM(c, 4));
  void *dsp = PyLong_AsVoidPtr(PyTuple_GET_ITEM(c, 6));
  void *insP = PyLong_AsVoidPtr(PyTuple_GET_ITEM(c, 7));
  void *outsP = PyLong_AsVoidPtr(PyTuple_GET_ITEM(c, 8));
  if (PyErr_Occurred()) {
    PyErr_Clear();
    return NOT_TAKEN;
  }
  if (count > frames || !dsp)
    return NOT_TAKEN;
  return computeRun(errorFrom, dsp, count, insP, outsP);
}

/* The channel counts (self._inputs, self._outputs), or 0. */
static int channelCounts(PyObject *self, Py_ssize_t *nIn, Py_ssize_t *nOut) {
  PyObject *i = attr(self, strInputs), *o = attr(self, strOutputs);
  int ok = i && o && PyLong_CheckExact(i) && PyLong_CheckExact(o);
  if (ok) {
    *nIn = PyLong_AsSsize_t(i);
    *nOut = PyLong_AsSsize_t(o);
    ok = !PyErr_Occurred();
    PyErr_Clear();
  }
  Py_XDECREF(i);
  Py_XDECREF(o);
  return ok;
}

/* A compute on buffers faust.py would not cache (lists of channels): the
 * checks of faust.py's _channels, and NOT_TAKEN for anything they refuse. */
static PyObject *computeBuffers(PyObject *errorFrom, PyObject *self, PyObject *ins,
                                PyObject *outs, int count) {
  Py_ssize_t nIn, nOut;
  if (!channelCounts(self, &nIn, &nOut))
    return NOT_TAKEN;
  PyObject *handle = attr(self, strPtr); /* held: the instance outlives the call */
  void *dsp = handle && PyLong_Check(handle) ? PyLong_AsVoidPtr(handle) : NULL;
  PyErr_Clear();
  Channels ch;
  ch.held = ch.used = 0;
  float **inP, **outP;
  PyObject *result = NOT_TAKEN;
  if (dsp && channels(ins, nIn, count, 0, &ch, &inP) &&
      channels(outs, nOut, count, 1, &ch, &outP))
    result = computeRun(errorFrom, dsp, count, inP, outP);
  releaseChannels(&ch);
  Py_XDECREF(handle);
  return result;
}

/* dsp.compute(count, inputs, outputs). */
static PyObject *computeFast(PyObject *errorFrom, PyObject *const *args) {
  PyObject *self = args[0], *countObj = args[1], *ins = args[2], *outs = args[3];
  if (!computeFn || !PyLong_CheckExact(countObj))
    return NOT_TAKEN;
  int overflow;
  long long count = PyLong_AsLongLongAndOverflow(countObj, &overflow);
  if (overflow || count < 0 || count > INT_MAX)
    return NOT_TAKEN;
  PyObject *c = attr(self, strCache);
  PyObject *result = c ? computeCached(errorFrom, c, ins, outs, (int)count) : NOT_TAKEN;
  Py_XDECREF(c);
  if (result != NOT_TAKEN)
    return result;
  /* NumPy arrays that faust.py caches: its path prepares them once. */
  if ((ins == Py_None || typeNamed(ins, "ndarray")) && typeNamed(outs, "ndarray"))
    return NOT_TAKEN;
  return computeBuffers(errorFrom, self, ins, outs, (int)count);
}

/* ---- Method: a method whose hot case runs here ---------------------------- */

/// A method descriptor (like a function in a class body) that calls a fast
/// path for `kind` and, when that does not take the call, `slow` (the Python
/// function it replaces) with the same arguments.
typedef struct {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  int kind;
  PyObject *slow;
  PyObject *helper; /* DSP_COMPUTE: _engine.error_from */
} Method;

static PyObject *methodCall(PyObject *self, PyObject *const *args, size_t nargsf,
                            PyObject *kwnames) {
  Method *m = (Method *)self;
  Py_ssize_t n = PyVectorcall_NARGS(nargsf);
  PyObject *result = NOT_TAKEN;
  if (m->kind == KERNEL_CALL && n >= 1)
    result = kernelFast(args, n, kwnames);
  else if (m->kind == BOUND_CALL && n == 1 && !kwnames)
    result = boundFast(args[0]);
  else if (m->kind == DSP_COMPUTE && n == 4 && !kwnames)
    result = computeFast(m->helper, args);
  if (result != NOT_TAKEN)
    return result;
  return PyObject_Vectorcall(m->slow, args, n, kwnames);
}

/* Method(kind, slow, helper=None) */
static PyObject *methodNew(PyTypeObject *type, PyObject *args, PyObject *kw) {
  int kind;
  PyObject *slow, *helper = Py_None;
  if (!PyArg_ParseTuple(args, "iO|O:Method", &kind, &slow, &helper))
    return NULL;
  if (kind < KERNEL_CALL || kind > DSP_COMPUTE || !PyCallable_Check(slow) ||
      (kind == DSP_COMPUTE && !PyCallable_Check(helper))) {
    PyErr_SetString(PyExc_ValueError, "Method: unknown kind, or slow/helper not callable");
    return NULL;
  }
  Method *m = (Method *)type->tp_alloc(type, 0);
  if (!m)
    return NULL;
  m->vectorcall = methodCall;
  m->kind = kind;
  m->slow = Py_NewRef(slow);
  m->helper = Py_NewRef(helper);
  return (PyObject *)m;
}

/* Bound to an instance like a function: k.__call__, dsp.compute. */
static PyObject *methodGet(PyObject *self, PyObject *obj, PyObject *type) {
  if (!obj)
    return Py_NewRef(self);
  return PyMethod_New(self, obj);
}

static PyObject *methodDoc(Method *m, void *closure) {
  return PyObject_GetAttrString(m->slow, "__doc__");
}

static PyObject *methodName(Method *m, void *closure) {
  return PyObject_GetAttrString(m->slow, "__name__");
}

static int methodTraverse(Method *m, visitproc visit, void *arg) {
  Py_VISIT(m->slow);
  Py_VISIT(m->helper);
  return 0;
}

static int methodClear(Method *m) {
  Py_CLEAR(m->slow);
  Py_CLEAR(m->helper);
  return 0;
}

static void methodDealloc(Method *m) {
  PyObject_GC_UnTrack(m);
  methodClear(m);
  Py_TYPE(m)->tp_free((PyObject *)m);
}

static PyGetSetDef methodGetSet[] = {
    {"__doc__", (getter)methodDoc, NULL, NULL, NULL},
    {"__name__", (getter)methodName, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef methodMembers[] = {
    {"__wrapped__", T_OBJECT, offsetof(Method, slow), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject MethodType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kiln._kiln_fast.Method",
    .tp_basicsize = sizeof(Method),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL |
                Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_new = methodNew,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(Method, vectorcall),
    .tp_descr_get = methodGet,
    .tp_getset = methodGetSet,
    .tp_members = methodMembers,
    .tp_traverse = (traverseproc)methodTraverse,
    .tp_clear = (inquiry)methodClear,
    .tp_dealloc = (destructor)methodDealloc,
};

/* ---- the module ----------------------------------------------------------- */

static PyObject *moduleInit(PyObject *module, PyObject *address) {
  void *p;
  if (!toPointer(address, &p))
    return NULL;
  computeFn = (ComputeFn)p;
  Py_RETURN_NONE;
}

static PyMethodDef moduleMethods[] = {
    {"init", moduleInit, METH_O,
     "init(address of kiln_faust_dsp_compute): called by _lib.py once it "
     "has loaded and checked libkiln."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduleDef = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_kiln_fast",
    .m_doc = "The kiln binding's compiled fast path (python/ext/kiln_fast.c).",
    .m_size = -1,
    .m_methods = moduleMethods,
};

static int internNames(void) {
  const char *names[] = {"_calls", "run", "_runner", "_cache", "_ptr",
                         "_inputs", "_outputs", "out", "threads"};
  PyObject **slots[] = {&strCalls, &strRun, &strRunner, &strCache, &strPtr,
                        &strInputs, &strOutputs, &strOut, &strThreads};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
    if (!(*slots[i] = PyUnicode_InternFromString(names[i])))
      return -1;
  zero = PyLong_FromLong(0);
  return zero ? 0 : -1;
}

PyMODINIT_FUNC PyInit__kiln_fast(void) {
  if (internNames() < 0 || PyType_Ready(&RunnerType) < 0 || PyType_Ready(&MethodType) < 0)
    return NULL;
  PyObject *m = PyModule_Create(&moduleDef);
  if (!m)
    return NULL;
  if (PyModule_AddObjectRef(m, "Runner", (PyObject *)&RunnerType) < 0 ||
      PyModule_AddObjectRef(m, "Method", (PyObject *)&MethodType) < 0 ||
      PyModule_AddIntConstant(m, "KERNEL_CALL", KERNEL_CALL) < 0 ||
      PyModule_AddIntConstant(m, "BOUND_CALL", BOUND_CALL) < 0 ||
      PyModule_AddIntConstant(m, "DSP_COMPUTE", DSP_COMPUTE) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
