"""_buffers: caller memory as Kiln array views, without copying.

A NumPy array is read through its __array_interface__ (so this module never
imports NumPy); any other object with the buffer protocol (array.array,
memoryview, bytearray) through PyObject_GetBuffer, which also gives strided
memoryviews. Both yield a View: the address, Kiln's dtype, the shape and the
strides in elements (byte strides / itemsize — a stride that is not a
multiple of the item size raises InvalidArgument, as does a byte order other
than the machine's). The View keeps the object (and its buffer export)
alive for as long as the View lives.
"""
import ctypes
import sys

from ._errors import InvalidArgument

BOOL, I32, I64, F32, F64 = 0, 1, 2, 3, 4
NAMES = {BOOL: "bool", I32: "int32", I64: "int64", F32: "float32", F64: "float64"}
ITEMSIZE = {BOOL: 1, I32: 4, I64: 8, F32: 4, F64: 8}
TYPECODE = {BOOL: "b", I32: "i", I64: "q", F32: "f", F64: "d"}  # array.array
CTYPE = {BOOL: ctypes.c_bool, I32: ctypes.c_int32, I64: ctypes.c_int64,
         F32: ctypes.c_float, F64: ctypes.c_double}
NATIVE = "<" if sys.byteorder == "little" else ">"


def dtype_of_typestr(t):
    """Kiln dtype of a NumPy typestr ('<f4'), or None."""
    order, kind, size = t[0], t[1], t[2:]
    if order not in (NATIVE, "|", "=") or not size.isdigit():  # '|O', '<M8[ns]'
        return None
    return {("f", 4): F32, ("f", 8): F64, ("i", 4): I32, ("i", 8): I64,
            ("b", 1): BOOL}.get((kind, int(size)))


def dtype_of_format(fmt, itemsize):
    """Kiln dtype of a struct-module format ('f', '<d', 'l'), or None."""
    if fmt and fmt[0] in "@=<>!":
        if fmt[0] in ">!" and NATIVE == "<":
            return None
        fmt = fmt[1:]
    if fmt in ("f", "d"):
        return F32 if fmt == "f" else F64
    if fmt == "?":
        return BOOL
    if fmt in ("i", "l", "q", "n"):
        return {4: I32, 8: I64}.get(itemsize)
    return None


class _PyBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p),
                ("len", ctypes.c_ssize_t), ("itemsize", ctypes.c_ssize_t),
                ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
                ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
                ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)), ("internal", ctypes.c_void_p)]


_get = ctypes.pythonapi.PyObject_GetBuffer
_get.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_get.restype = ctypes.c_int
_release = ctypes.pythonapi.PyBuffer_Release
_release.argtypes = [ctypes.POINTER(_PyBuffer)]
_release.restype = None
PyBUF_WRITABLE, PyBUF_FORMAT, PyBUF_STRIDES = 0x1, 0x4, 0x18


class View:
    """A strided view: address, dtype, shape, strides (elements), and `keep`,
    the objects that must stay alive while Kiln uses the memory."""

    __slots__ = ("address", "dtype", "shape", "strides", "keep", "_pybuf", "__weakref__")

    def __init__(self, address, dtype, shape, strides, keep, pybuf=None):
        self.address, self.dtype, self.shape, self.strides = address, dtype, shape, strides
        self.keep, self._pybuf = keep, pybuf

    def __del__(self):
        if self._pybuf is not None:
            _release(ctypes.byref(self._pybuf))
            self._pybuf = None


def _elements(byte_strides, itemsize, what):
    out = []
    for s in byte_strides:
        if s % itemsize:
            raise InvalidArgument(f"{what}: a stride of {s} bytes is not a multiple of the "
                                  f"item size {itemsize}")
        out.append(s // itemsize)
    return tuple(out)


def _contiguous(shape, itemsize):
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def view(obj, what, writable=False):
    """The View of `obj` (NumPy array or buffer-protocol object); `what`
    names it in errors ("argument 2 'b'", "out")."""
    ai = getattr(obj, "__array_interface__", None)
    if ai is not None and isinstance(ai, dict):
        return _from_interface(obj, ai, what, writable)
    return _from_buffer(obj, what, writable)


def _from_interface(obj, ai, what, writable):
    dtype = dtype_of_typestr(ai["typestr"])
    if dtype is None:
        raise InvalidArgument(f"{what}: dtype {ai['typestr']!r} is not one of Kiln's "
                              "(bool, int32, int64, float32, float64 in native byte order)")
    address, readonly = ai["data"] if isinstance(ai["data"], tuple) else (None, True)
    if address is None:
        raise InvalidArgument(f"{what}: the array exposes no data pointer")
    if writable and readonly:
        raise InvalidArgument(f"{what}: the array is read-only")
    shape = tuple(ai["shape"])
    size = ITEMSIZE[dtype]
    strides = ai.get("strides") or _contiguous(shape, size)
    return View(address, dtype, shape, _elements(strides, size, what), obj)


def _from_buffer(obj, what, writable):
    buf = _PyBuffer()
    flags = PyBUF_STRIDES | PyBUF_FORMAT | (PyBUF_WRITABLE if writable else 0)
    try:
        _get(obj, ctypes.byref(buf), flags)
    except (BufferError, TypeError) as e:
        kind = "a writable buffer" if writable else "an array or buffer"
        raise InvalidArgument(f"{what}: expected {kind}, got {type(obj).__name__} ({e})") from None
    fmt = buf.format.decode() if buf.format else "B"
    v = View(buf.buf, None, (), (), obj, buf)  # releases the buffer when dropped
    dtype = dtype_of_format(fmt, buf.itemsize)
    if dtype is None:
        raise InvalidArgument(f"{what}: buffer format {fmt!r} (item size {buf.itemsize}) is "
                              "not one of Kiln's dtypes (bool, int32, int64, float32, float64)")
    shape = tuple(buf.shape[i] for i in range(buf.ndim))
    strides = tuple(buf.strides[i] for i in range(buf.ndim))
    v.dtype, v.shape, v.strides = dtype, shape, _elements(strides, buf.itemsize, what)
    return v


def allocate(dtype, shape):
    """A new array: NumPy's when NumPy is importable, else a memoryview of
    an array.array cast to the shape."""
    try:
        import numpy
        return numpy.empty(shape, dtype=NAMES[dtype])
    except ImportError:
        import array
        n = 1
        for s in shape:
            n *= s
        mv = memoryview(array.array(TYPECODE[dtype], bytes(ITEMSIZE[dtype] * n))).cast("B")
        return mv.cast("?" if dtype == BOOL else TYPECODE[dtype], shape)
