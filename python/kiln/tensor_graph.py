"""kiln.tensor_graph: tensor graphs and their gradients from Python
(docs/tensor-graphs.md), over include/kiln/c/tensor_graph.h.

    import numpy as np, kiln.tensor_graph
    g = kiln.tensor_graph.compile(open("examples/tensor/mlp/mlp.tk").read(), "grads")
    loss, dw1, db1, dw2, db2 = g(x, t, w1, b1, w2, b2)

A call returns one value per `return` name: Python floats/ints for scalars,
NumPy arrays for arrays — copies by default; with copy=False, read-only
views of memory the graph owns, valid until its next call (the cheap path in
a training loop). Inputs are read in place (strided views and broadcasting
work). Calls on one graph are serialised (a lock here, a mutex in the
library); an array passed again as the same input is not packed again.
"""
import ctypes
import threading

from . import _lib, _pack
from ._engine import Handle, check, pick
from ._errors import InvalidArgument

_H, _E = ctypes.c_void_p, ctypes.c_void_p
_lib.PROTOTYPES.update({
    "kiln_tensor_graph_compile": (_E, [_H, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                                       ctypes.c_char_p, ctypes.POINTER(_H)]),
    "kiln_tensor_graph_free": (None, [_H]),
    "kiln_tensor_graph_param_count": (ctypes.c_size_t, [_H]),
    "kiln_tensor_graph_result_count": (ctypes.c_size_t, [_H]),
    "kiln_tensor_graph_value": (_E, [_H, ctypes.c_int, ctypes.c_size_t,
                                     ctypes.POINTER(ctypes.c_char_p),
                                     ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]),
    "kiln_tensor_graph_run": (_E, [_H, ctypes.POINTER(_lib.TensorArg), ctypes.c_size_t,
                                   ctypes.POINTER(_lib.TensorArg), ctypes.c_size_t]),
})

_NUMPY_DTYPES = {0: "bool", 1: "int32", 2: "int64", 3: "float32", 4: "float64"}


class Graph(Handle):
    """A compiled graph: call it with one value per parameter."""

    _free = "kiln_tensor_graph_free"

    def __init__(self, source, name, file="<string>", opt_level=2, engine=None):
        self.engine = pick(engine, opt_level)
        data = source.encode() if isinstance(source, str) else bytes(source)
        out = ctypes.c_void_p()
        L = _lib.lib()
        check(L.kiln_tensor_graph_compile(self.engine.handle, _lib.enc(file), data, len(data),
                                          _lib.enc(name), ctypes.byref(out)))
        self._adopt(out, self.engine)
        self.name = name
        self.params = [self._value(0, i) for i in range(L.kiln_tensor_graph_param_count(out))]
        self.results = [self._value(1, i) for i in range(L.kiln_tensor_graph_result_count(out))]
        self._in = (_lib.TensorArg * max(1, len(self.params)))()
        self._out = (_lib.TensorArg * max(1, len(self.results)))()
        self._views = [(None, None)] * len(self.results)  # (key, read-only view)
        # Per input, the NumPy array packed last and its (shape, strides,
        # dtype): the same array again is not packed again. Holding it keeps
        # its memory alive and blocks ndarray.resize (which refuses arrays
        # others reference), so an unchanged key means an unchanged view.
        self._packed = [None] * len(self.params)
        self._lock = threading.Lock()  # one call at a time packs self._in

    def _value(self, result, index):
        name, dtype, is_array = ctypes.c_char_p(), ctypes.c_int(), ctypes.c_int()
        check(_lib.lib().kiln_tensor_graph_value(self.handle, result, index, ctypes.byref(name),
                                                 ctypes.byref(dtype), ctypes.byref(is_array)))
        return _lib.dec(name.value), dtype.value, bool(is_array.value)

    def __call__(self, *args, copy=True):
        if len(args) != len(self.params):
            raise InvalidArgument(f"graph {self.name!r} takes {len(self.params)} inputs "
                                  f"({', '.join(p[0] for p in self.params)}), got {len(args)}")
        with self._lock:
            keep = [self._pack(i, a) for i, a in enumerate(args)]
            check(_lib.lib().kiln_tensor_graph_run(self.handle, self._in, len(args),
                                                   self._out, len(self.results)))
            del keep
            return tuple(self._result(i, copy) for i in range(len(self.results)))

    def _pack(self, i, value):
        last = self._packed[i]
        if last is not None and last[0] is value and last[1] == (
                value.shape, value.strides, value.dtype):
            return value
        p = self.params[i]
        self._packed[i] = None
        kept = _pack.arg(self._in, i, value, p[1], p[2], f"input '{p[0]}' of graph {self.name}")
        if kept is value and type(value).__name__ == "ndarray":
            self._packed[i] = (value, (value.shape, value.strides, value.dtype))
        return kept

    def _result(self, i, copy):
        r = self._out[i]
        if not r.is_array:
            return r.scalar.f if r.scalar.dtype in (3, 4) else (
                bool(r.scalar.i) if r.scalar.dtype == 0 else r.scalar.i)
        a = r.array
        key = (a.data, a.dtype, tuple(a.shape[:a.rank]), tuple(a.strides[:a.rank]))
        cached_key, view = self._views[i]
        if cached_key != key:  # a new plan (new shapes): a new view of its memory
            view = self._view(a)
            self._views[i] = (key, view)
        return view.copy() if copy else view

    @staticmethod
    def _view(a):
        import numpy as np
        dt = np.dtype(_NUMPY_DTYPES[a.dtype])
        shape = tuple(a.shape[:a.rank])
        if not a.data or 0 in shape:
            return np.zeros(shape, dt)
        face = _Interface({"shape": shape, "typestr": dt.str, "data": (a.data, True),
                           "strides": tuple(s * dt.itemsize for s in a.strides[:a.rank]),
                           "version": 3})
        return np.asarray(face)


class _Interface:
    """Memory Kiln owns, as NumPy sees it (__array_interface__)."""

    def __init__(self, interface):
        self.__array_interface__ = interface


def compile(source, name, file="<string>", opt_level=2, engine=None):  # noqa: A001
    """The graph `name` of `source`, compiled (kiln.CompileError when the
    source has errors or no such graph)."""
    return Graph(source, name, file, opt_level, engine)
