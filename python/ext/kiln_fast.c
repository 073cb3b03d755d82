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
 * libkiln releases the GIL but a Faust compute predicted under 2 µs
 * (fast_faust.c). Optional: python/kiln/_fastpath.py loads it when
 * it lies next to libkiln.so and KILN_PYTHON_NO_EXTENSION is unset.
 */

#include "kiln_fast.h"

#include <stddef.h>
#include <structmember.h>

enum { KERNEL_CALL = 0, BOUND_CALL = 1, DSP_COMPUTE = 2 };

PyObject *strCalls, *strRun, *strRunner, *strCache, *strPtr, *strInputs, *strOutputs,
    *strOut, *strThreads, *zero;
char notTakenMarker;

PyObject *attr(PyObject *obj, PyObject *name) {
  PyObject *v = PyObject_GetAttr(obj, name);
  if (!v)
    PyErr_Clear();
  return v;
}

int toPointer(PyObject *obj, void **out) {
  *out = PyLong_AsVoidPtr(obj);
  return !(*out == NULL && PyErr_Occurred());
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
  KeyMemo memo;     /* KERNEL_CALL */
} Method;

static PyObject *methodCall(PyObject *self, PyObject *const *args, size_t nargsf,
                            PyObject *kwnames) {
  Method *m = (Method *)self;
  Py_ssize_t n = PyVectorcall_NARGS(nargsf);
  PyObject *result = NOT_TAKEN;
  if (m->kind == KERNEL_CALL && n >= 1)
    result = kernelFast(&m->memo, args, n, kwnames);
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
  Py_VISIT(m->memo.key);
  Py_VISIT(m->memo.run);
  return 0;
}

static int methodClear(Method *m) {
  Py_CLEAR(m->slow);
  Py_CLEAR(m->helper);
  Py_CLEAR(m->memo.key);
  Py_CLEAR(m->memo.run);
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
  setCompute(p);
  Py_RETURN_NONE;
}

static PyMethodDef moduleMethods[] = {
    {"init", moduleInit, METH_O,
     "init(address of kiln_faust_dsp_compute): called by _lib.py once it "
     "has loaded and checked libkiln."},
    {"dsp_class", dspClass, METH_O,
     "dsp_class(kiln.faust.Dsp): the class whose `_cache` slot Dsp.compute reads "
     "without getattr."},
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
