/* fast_faust.c: kiln._kiln_fast's Dsp.compute.
 *
 * Why: a host calls compute() once per audio block, and at 256 frames a
 * light DSP computes in about the time a ctypes call takes. Two cases run
 * here: the arrays faust.py cached (its pointer arrays, made on the first
 * call), and any other (channels, frames) NumPy array or list of channel
 * buffers — a new slice per block, say — read through the buffer protocol
 * with faust.py's checks; anything those checks would refuse is left to
 * faust.py, which raises its own errors.
 */
#include "kiln_fast.h"

#include <limits.h>
#include <string.h>

typedef kiln_error *(*ComputeFn)(kiln_faust_dsp *, int, float **, float **);

/* kiln_faust_dsp_compute of the library _lib.py loaded, set once by the
 * module's init(); NULL before (every compute then takes the Python path).
 * Process-wide like the library itself. */
static ComputeFn computeFn;

enum { MAX_CHANNELS = 64 };

void setCompute(void *fn) { computeFn = (ComputeFn)fn; }

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

/* A compute on buffers other than the cached ones (lists of channels, new
 * arrays): the checks of faust.py's _channels, and NOT_TAKEN for anything
 * they refuse. */
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
PyObject *computeFast(PyObject *errorFrom, PyObject *const *args) {
  PyObject *self = args[0], *countObj = args[1], *ins = args[2], *outs = args[3];
  if (!computeFn || !PyLong_CheckExact(countObj))
    return NOT_TAKEN;
  int overflow;
  long long count = PyLong_AsLongLongAndOverflow(countObj, &overflow);
  if (overflow || count < 0 || count > INT_MAX)
    return NOT_TAKEN;
  PyObject *c = attr(self, strCache);
  int cached = c && c != Py_None;
  PyObject *result = c ? computeCached(errorFrom, c, ins, outs, (int)count) : NOT_TAKEN;
  Py_XDECREF(c);
  if (result != NOT_TAKEN)
    return result;
  /* The first NumPy arrays: faust.py prepares and caches them, the cheapest
   * call when they come back. Other arrays (a new slice per block) and
   * lists of channels go through the buffer protocol here. */
  if (!cached && (ins == Py_None || typeNamed(ins, "ndarray")) && typeNamed(outs, "ndarray"))
    return NOT_TAKEN;
  return computeBuffers(errorFrom, self, ins, outs, (int)count);
}

