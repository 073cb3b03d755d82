"""_callcache: a kernel's plain calls as cheap as bound ones when the same
arrays come back.

Why: `k(a, b, out=o)` packs a ctypes view of every argument and has libkiln
check them on each call (3-6 µs), which loses to NumPy at a thousand
elements; yet most loops pass the same arrays again and again. A CallCache
remembers, per kernel, a bound C call (kiln_tensor_bind) for each set of
arguments seen twice in a row, and replays it while nothing has changed.

How "nothing has changed" is known, at almost no cost per call: the key is
the ids of (threads, out, *args), and the bound call is guarded
(kiln_tensor_call_guard) with what it depends on, which libkiln compares
before running: for each NumPy array its type pointer, then its header
fields (data pointer, rank, dims and strides pointers, base, dtype
descriptor, flags: NumPy's public PyArrayObject_fields, checked against
__array_interface__ and .dtype when the entry is made, so a layout this
module does not know is never cached), then its dims and strides values.
Each guard is read only when those before it matched, and a key matches
only when the arguments now passed have those ids, so every read is of a
live object of the right type. Any change (`a.shape =`, `a.dtype =`,
`a.strides =`, resize, setflags, another array at a dead one's id with
other memory) makes libkiln answer KILN_TENSOR_CALL_STALE: the entry is
dropped and the general path runs, exactly as without the cache; an array
with the same memory and layout may reuse it (that is all the bound call
depends on). The cache holds no reference to the arrays (so a.resize()
still works and memory is freed as before); it holds the scalars, whose ids
are in the key: the same live object is the same value, -0.0 and NaN too.
Only exact numpy.ndarray arrays and Python or NumPy scalars are cached; a
0-d array for a scalar parameter, array.array and memoryview (which can be
resized under a view) never are.

Threads: a guarded call runs on one thread at a time; libkiln answers
KILN_TENSOR_CALL_BUSY to another thread's run, which then takes the general
path instead of waiting. At most MAX_ENTRIES per kernel, the oldest dropped
first.
"""
import ctypes
import functools
import sys

from . import _fastpath, _lib
from ._engine import check
from ._errors import KilnError

MAX_ENTRIES = 8
STALE, BUSY = -1, -2  # KILN_TENSOR_CALL_STALE, KILN_TENSOR_CALL_BUSY
_RUN = ctypes.CFUNCTYPE(ctypes.c_int)  # kiln_tensor_call_run, called with ready-made args


class _Head(ctypes.Structure):
    """NumPy's PyArrayObject_fields after PyObject_HEAD (ndarraytypes.h)."""
    _fields_ = [("data", ctypes.c_void_p), ("nd", ctypes.c_int),
                ("dimensions", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("base", ctypes.c_void_p), ("descr", ctypes.c_void_p), ("flags", ctypes.c_int)]


_HEAD_AT = object.__basicsize__  # past ob_refcnt and ob_type
_HEAD_SIZE = _Head.flags.offset + ctypes.sizeof(ctypes.c_int)


def _guards(x):
    """[(address, size)] describing ndarray x, in the order to compare them:
    its type, its header fields, then its dims and strides; None when the
    header does not read as NumPy says."""
    at = id(x) + _HEAD_AT
    h = _Head.from_address(at)
    ai = x.__array_interface__
    if h.data != ai["data"][0] or h.nd != len(ai["shape"]) or h.descr != id(x.dtype):
        return None
    word = ctypes.sizeof(ctypes.c_void_p)
    out = [(at - word, word), (at, _HEAD_SIZE)]  # ob_type, then the fields
    if h.nd:  # NumPy allocates dims and strides as one block of 2 * nd
        step = ctypes.sizeof(ctypes.c_ssize_t)
        if h.strides != h.dimensions + h.nd * step:
            return None
        out.append((h.dimensions, 2 * h.nd * step))
    return out


def classify(allargs, array_params):
    """(positions of ndarrays, of scalars) in (*args, out), or None when the
    call cannot be cached (see the module)."""
    np = sys.modules.get("numpy")
    if np is None:
        return None
    ndarray, generic = np.ndarray, np.generic
    arrays, scalars = [], []
    for i, v in enumerate(allargs):
        t = type(v)
        if t is ndarray and (i >= len(array_params) or array_params[i]):
            arrays.append(i)
        elif t in (float, int, bool) or (isinstance(v, generic) and t is not ndarray):
            scalars.append(i)
        elif not (v is None and i == len(allargs) - 1):  # out=None: a reduction
            return None
    return (arrays, scalars) if arrays else None


class Entry:
    """One guarded bound call: `run()` returns kiln_tensor_call_run's code,
    `value()` a reduction's result after it."""

    __slots__ = ("run", "value", "ptr", "scalar", "keep")


def make_entry(positions, allargs, bound_ptr, keep, scalar, dtype=-1):
    """The Entry for a call just bound (bound_ptr: a _Ptr owning the
    kiln_tensor_call; dtype: the kernel's result dtype), guarded; None when
    an array cannot be guarded."""
    L = _lib.lib()
    try:
        L.kiln_tensor_call_guard  # noqa: B018 — a library older than 0.2 lacks it
    except KilnError:
        return None
    arrays, scalars = positions
    for i in arrays:
        guards = _guards(allargs[i])
        if guards is None:
            return None
        for address, size in guards:
            check(L.kiln_tensor_call_guard(int(bound_ptr), address, size))
    e = Entry()
    e.ptr, e.scalar = bound_ptr, scalar
    # rank-0 boxes of Python numbers, and the scalars whose ids are the key
    e.keep = [k for k in keep if isinstance(k, ctypes._SimpleCData)] + [
        allargs[i] for i in scalars]
    # The compiled fast path's Runner (the Kernel replays it in C), else
    # the prepared ctypes call; both return kiln_tensor_call_run's code.
    e.run = _fastpath.runner(bound_ptr, scalar, dtype, None, bound_ptr)
    if e.run is None:
        fn = _RUN(ctypes.cast(L.kiln_tensor_call_run, ctypes.c_void_p).value)
        e.run = functools.partial(fn, ctypes.c_void_p(int(bound_ptr)),
                                  ctypes.byref(scalar) if scalar is not None else None)
    return e


class CallCache(dict):
    """key -> Entry, and when to make one: after `needed` consecutive misses
    with the same key (1 at first; doubled, up to MAX_NEEDED and for the
    kernel's life, each time an entry goes stale, as in a loop over fresh
    slices, where binding only costs)."""

    __slots__ = ("pending", "seen", "needed")
    MAX_NEEDED = 64

    def __init__(self):
        super().__init__()
        self.pending, self.seen, self.needed = None, 0, 1

    def note_miss(self, key, allargs, array_params):
        """Counts a call that goes through the general path; returns the
        positions (arrays, scalars) to bind when it is time to."""
        if key != self.pending:
            self.pending, self.seen = key, 0
            return None
        self.seen += 1
        if self.seen < self.needed:
            return None
        self.pending = None
        return classify(allargs, array_params)

    def went_stale(self, key, entry):
        """Drops an entry whose guards failed; binding backs off (see the
        class)."""
        if self.get(key) is entry:
            self.pop(key, None)
        self.needed = min(2 * self.needed, self.MAX_NEEDED)

    def insert(self, key, entry):
        if len(self) >= MAX_ENTRIES:
            try:
                self.pop(next(iter(self)), None)
            except (StopIteration, RuntimeError):  # emptied or changed by another thread
                pass
        self[key] = entry
