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
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <structmember.h>

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

/* ---- When to release the GIL ---------------------------------------------
 *
 * Releasing and retaking the GIL costs about 31 ns, 5 % of 256 frames of a
 * light oscillator. Like NumPy, which keeps the GIL for loops under 500
 * elements, a compute that is predicted to take under HOLD_NS keeps it:
 * another thread waits at most that long (CPython's own switch interval is
 * 5 ms). The prediction is the instance's last measured time per frame
 * times `count`; an instance is measured (with the GIL released) on its
 * first compute and on every SAMPLE_EVERY-th after, so a DSP that gets
 * heavier is seen within that many blocks, and a long block (more frames)
 * always releases. The table is touched with the GIL held; an entry is
 * keyed by the instance's address and a weak reference to its Dsp object:
 * the address alone outlives the instance (a new instance at a freed one's
 * address held the GIL for up to SAMPLE_EVERY blocks on the old, lighter
 * DSP's estimate), the weak reference dies with the Dsp. */
enum { HOLD_NS = 2000, SAMPLE_EVERY = 256, COST_SLOTS = 64 };

typedef struct {
  const void *dsp;
  PyObject *owner; /* a weak reference to the Dsp object; NULL when unset */
  unsigned calls;
  double nsPerFrame;
} Cost;

static Cost costs[COST_SLOTS];

static Cost *costOf(const void *dsp) {
  return &costs[((uintptr_t)dsp >> 4) % COST_SLOTS];
}

/* Whether entry c is the estimate of instance dsp of Dsp object self. */
static int costIsFor(const Cost *c, const void *dsp, PyObject *self) {
  return c->dsp == dsp && c->owner && PyWeakref_GET_OBJECT(c->owner) == self;
}

/* Makes c the estimate of dsp / self (a weak reference to self), or of
 * nothing when self takes no weak reference (every compute then releases). */
static void costClaim(Cost *c, const void *dsp, PyObject *self) {
  PyObject *owner = PyWeakref_NewRef(self, NULL);
  if (!owner)
    PyErr_Clear();
  Py_XSETREF(c->owner, owner);
  c->dsp = owner ? dsp : NULL;
  c->calls = 0;
}

static double nowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static PyObject *computeRun(PyObject *errorFrom, PyObject *self, void *dsp, int count,
                            float **ins, float **outs) {
  kiln_error *err;
  Cost *c = costOf(dsp);
  if (costIsFor(c, dsp, self) && ++c->calls % SAMPLE_EVERY &&
      c->nsPerFrame * count < HOLD_NS) {
    err = computeFn(dsp, count, ins, outs); /* short: keeps the GIL */
  } else {
    double t0 = nowNs(), ns;
    Py_BEGIN_ALLOW_THREADS
    err = computeFn(dsp, count, ins, outs);
    Py_END_ALLOW_THREADS
    ns = nowNs() - t0; /* includes the wait for the GIL: errs towards releasing */
    if (!err && count > 0) {
      if (!costIsFor(c, dsp, self))
        costClaim(c, dsp, self);
      c->nsPerFrame = ns / count;
    }
  }
  if (err)
    return raiseError(errorFrom, err);
  Py_RETURN_NONE;
}

/* faust.py's _NATIVE ("@qPPP"): the cached call's arguments, packed once. */
typedef struct {
  long long frames;
  void *dsp, *ins, *outs;
} Prepared;

/* self._cache, faust.py's last prepared call: (inputs, outputs, ins, outs,
 * frames, handle argument, handle, address of ins, address of outs,
 * Prepared as bytes). */
static PyObject *computeCached(PyObject *errorFrom, PyObject *self, PyObject *c,
                               PyObject *ins, PyObject *outs, int count) {
  if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) < 10 || PyTuple_GET_ITEM(c, 0) != ins ||
      PyTuple_GET_ITEM(c, 1) != outs)
    return NOT_TAKEN;
  PyObject *packed = PyTuple_GET_ITEM(c, 9);
  if (!PyBytes_CheckExact(packed) || PyBytes_GET_SIZE(packed) != sizeof(Prepared))
    return NOT_TAKEN;
  Prepared p;
  memcpy(&p, PyBytes_AS_STRING(packed), sizeof p);
  if (count > p.frames || !p.dsp)
    return NOT_TAKEN;
  return computeRun(errorFrom, self, p.dsp, count, p.ins, p.outs);
}

/* faust.py's Dsp and the offset of its `_cache` slot (set by dspClass()):
 * for an instance of exactly that class, self._cache is read from the slot
 * instead of through getattr. NULL before. */
static PyTypeObject *dspType;
static Py_ssize_t cacheOffset;

PyObject *dspClass(PyObject *module, PyObject *type) {
  PyObject *d = PyType_Check(type) ? PyDict_GetItemWithError(((PyTypeObject *)type)->tp_dict,
                                                              strCache)
                                   : NULL;
  if (!d || !Py_IS_TYPE(d, &PyMemberDescr_Type) ||
      ((PyMemberDescrObject *)d)->d_member->type != T_OBJECT_EX) {
    if (!PyErr_Occurred())
      PyErr_SetString(PyExc_TypeError, "dsp_class: a class with a `_cache` slot");
    return NULL;
  }
  Py_XSETREF(dspType, (PyTypeObject *)Py_NewRef(type));
  cacheOffset = ((PyMemberDescrObject *)d)->d_member->offset;
  Py_RETURN_NONE;
}

/* self._cache: a new reference, or NULL (no exception) when unset. */
static PyObject *cacheOf(PyObject *self) {
  if (Py_TYPE(self) == dspType)
    return Py_XNewRef(*(PyObject **)((char *)self + cacheOffset));
  return attr(self, strCache);
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
    result = computeRun(errorFrom, self, dsp, count, inP, outP);
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
  PyObject *c = cacheOf(self);
  int cached = c && c != Py_None;
  PyObject *result = c ? computeCached(errorFrom, self, c, ins, outs, (int)count) : NOT_TAKEN;
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

