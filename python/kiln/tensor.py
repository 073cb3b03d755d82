"""kiln.tensor: fused tensor kernels called on NumPy arrays without copying.

    import numpy as np, kiln.tensor
    prog = kiln.tensor.compile(
        "kernel axpy(a: f32[], b: f32[], s: f32) -> f32[] = a * s + b")
    out = prog.axpy(a, b, 2.0)            # allocates the result
    prog.axpy(a, b, 2.0, out=c)           # writes into c, no copy; called
                                          # again on the same arrays, it replays
                                          # a guarded bound call (_callcache)
    call = prog.axpy.bind(a, b, 2.0, out=c)
    call()                                # the cheap path for loops

Kernels read and write the caller's memory in place: strides (byte strides
/ itemsize; other strides raise) and NumPy broadcasting are honoured, so
slices, transposes and broadcast views work as they are. A wrong dtype,
shape or argument count raises before anything is written. array.array and
memoryview buffers work the same without NumPy. Kernels and programs may be
shared by threads (calls release the GIL); a bound call is used by one
thread at a time and keeps its arrays alive.
"""
import ctypes
import functools

from . import _buffers, _callcache, _fastpath, _ints, _lib, _pack
from ._buffers import NAMES
from ._engine import Handle, _Ptr, check, error_from, pick
from ._errors import BY_CODE, InvalidArgument, KilnError


class Program(Handle):
    """Compiled tensor source: its kernels by name (prog.name or prog["name"]).
    Kernels taken from it keep working after the program is closed."""

    _free = "kiln_tensor_program_free"

    def __init__(self, source, file="<string>", opt_level=2, engine=None):
        self.engine = pick(engine, opt_level)
        data = source.encode() if isinstance(source, str) else bytes(source)
        out = ctypes.c_void_p()
        L = _lib.lib()
        check(L.kiln_tensor_compile(self.engine.handle, _lib.enc(file), data, len(data),
                                    ctypes.byref(out)))
        self._adopt(out, self.engine)
        self.kernels = {}
        for i in range(L.kiln_tensor_kernel_count(self.handle)):
            k = ctypes.c_void_p()
            check(L.kiln_tensor_kernel_at(self.handle, i, ctypes.byref(k)))
            kernel = Kernel(k, self)
            self.kernels[kernel.name] = kernel

    def __getitem__(self, name):
        self.handle  # noqa: B018
        try:
            return self.kernels[name]
        except KeyError:
            raise InvalidArgument(f"no kernel named {name!r} (kernels: "
                                  f"{', '.join(self.kernels)})") from None

    def __getattr__(self, name):
        if name.startswith("_") or "kernels" not in self.__dict__:
            raise AttributeError(name)
        return self[name]

class Kernel(Handle):
    """One kernel: call it with its parameters in order, `out=` for an
    elementwise result (allocated when omitted), `threads=` (0 = the
    engine's pool, 1 = this thread only)."""

    _free = "kiln_tensor_kernel_free"

    def __init__(self, ptr, program):
        self._adopt(ptr, program.engine)
        self._calls = _callcache.CallCache()  # repeated plain calls (see _callcache)
        self._bindable = True
        L = _lib.lib()
        h = self.handle
        self.name = _lib.dec(L.kiln_tensor_kernel_name(h))
        self.params = []
        for i in range(L.kiln_tensor_kernel_param_count(h)):
            name, dtype, is_array = ctypes.c_char_p(), ctypes.c_int(), ctypes.c_int()
            check(L.kiln_tensor_kernel_param(h, i, ctypes.byref(name), ctypes.byref(dtype),
                                             ctypes.byref(is_array)))
            self.params.append((_lib.dec(name.value), dtype.value, bool(is_array.value)))
        dtype, is_array = ctypes.c_int(), ctypes.c_int()
        L.kiln_tensor_kernel_result(h, ctypes.byref(dtype), ctypes.byref(is_array))
        self.result = (dtype.value, bool(is_array.value))
        self._array_params = [p[2] for p in self.params]

    def __repr__(self):
        ps = ", ".join(f"{n}: {NAMES[d]}{'[]' if a else ''}" for n, d, a in self.params)
        d, a = self.result
        return f"<kiln.tensor.Kernel {self.name}({ps}) -> {NAMES[d]}{'[]' if a else ''}>"

    def _args(self, args):
        """(kiln_tensor_arg array, objects to keep alive)."""
        params = self.params
        if len(args) != len(params):
            raise InvalidArgument(f"{self.name}() takes {len(params)} argument(s) "
                                  f"({', '.join(p[0] for p in params)}), {len(args)} given")
        arr = (_lib.TensorArg * (len(args) or 1))()
        keep = []
        for i, value in enumerate(args):
            pname, dtype, is_array = params[i]
            keep.append(_pack.arg(arr, i, value, dtype, is_array, (i, pname, self.name)))
        return arr, keep

    def _out(self, arr, count, out):
        """(kiln_array for the result, the Python result object, keep-alive)."""
        dtype = self.result[0]
        if out is None:
            rank, shape = ctypes.c_int32(), (ctypes.c_int64 * _lib.MAX_RANK)()
            check(_lib.lib().kiln_tensor_result_shape(self.handle, arr, count,
                                                      ctypes.byref(rank), shape))
            out = _buffers.allocate(dtype, tuple(shape[:rank.value]))
        c_out = _lib.Array()
        keep = _pack.array(c_out, 0, out, dtype, f"out of {self.name}", writable=True)
        return c_out, out, keep

    def _call(self, *args, out=None, threads=0):
        """k(*args, out=None, threads=0); with the compiled fast path
        (_fastpath) a replay runs in C and this runs for everything else."""
        key = (threads, id(out), *map(id, args))
        e = self._calls.get(key)
        if e is not None:  # the same ids: replay the guarded bound call
            rc = e.run()
            if not rc:
                return out if e.scalar is None else e.value()
            self._not_replayed(key, e, rc)
        if out is None and self.result[1]:
            return self._run(args, out, threads)  # a new result each call: nothing to cache
        if self._bindable:
            where = self._calls.note_miss(key, (*args, out), self._array_params)
            if where is not None:
                e = self._cache_bound(key, where, args, out, threads)
                if e is None:
                    result = self._run(args, out, threads)  # raises for a bad call
                    self._bindable = False  # a good call that cannot be cached
                    return result
                if not e.run():
                    return out if e.scalar is None else e.value()
        return self._run(args, out, threads)

    __call__ = _fastpath.method(_fastpath.KERNEL_CALL, _call)

    def _cache_bound(self, key, where, args, out, threads):
        """Binds the call, guards and caches it (_callcache): the Entry, or
        None when kiln_tensor_bind refuses the call (a bad call) or an array
        cannot be guarded (an unknown NumPy layout, an old library)."""
        threads = _ints.integer(threads, _ints.UINT32, "threads")
        arr, keep = self._args(args)
        n = len(args)
        c_out = None
        if self.result[1]:
            c_out, _, v = self._out(arr, n, out)
        elif out is not None:
            return None  # _run raises the error
        bound = ctypes.c_void_p()
        err = _lib.lib().kiln_tensor_bind(self.handle, arr, n,
                                          ctypes.byref(c_out) if c_out else None, threads,
                                          ctypes.byref(bound))
        if err:
            error_from(err)  # frees it; _run reports the call's own error
            return None
        ptr = _Ptr(bound.value)
        ptr.free = "kiln_tensor_call_free"
        scalar = None if self.result[1] else _lib.Scalar()
        entry = _callcache.make_entry(where, (*args, out), ptr, keep, scalar,
                                      self.result[0])
        if entry is not None:
            if scalar is not None:  # the result's field, read without a dtype test
                field = "f" if self.result[0] in (_buffers.F32, _buffers.F64) else "i"
                get = functools.partial(getattr, scalar, field)
                entry.value = ((lambda: bool(get())) if self.result[0] == _buffers.BOOL
                               else get)
            self._calls.insert(key, entry)
        return entry

    def _not_replayed(self, key, entry, rc):
        """A cached call that did not run: stale (an array changed; the entry
        is dropped), busy (another thread runs it; take the general path) or
        failed (out of memory: raised; nothing was written)."""
        if rc == _callcache.STALE:
            self._calls.went_stale(key, entry)
        elif rc != _callcache.BUSY:
            cls = BY_CODE.get(rc, KilnError)
            raise cls(f"{self.name} could not run (kiln_tensor_call_run returned {rc})",
                      code=rc)

    def _run(self, args, out, threads):
        """The general path: packs and checks every argument."""
        threads = _ints.integer(threads, _ints.UINT32, "threads")
        arr, keep = self._args(args)
        n = len(args)
        if self.result[1]:
            c_out, result, v = self._out(arr, n, out)
            check(_lib.lib().kiln_tensor_run(self.handle, arr, n, ctypes.byref(c_out), None,
                                             threads))
            return result
        if out is not None:
            raise InvalidArgument(f"{self.name} returns a scalar: out= does not apply")
        scalar = _lib.Scalar()
        check(_lib.lib().kiln_tensor_run(self.handle, arr, n, None, ctypes.byref(scalar),
                                         threads))
        return _scalar_value(scalar)

    def close(self):
        self._calls.clear()
        super().close()

    def bind(self, *args, out=None, threads=0):
        """Checks the call once and returns a BoundCall that runs it again
        with no checks: the arrays' contents may change, not the arrays.
        An elementwise kernel's output is allocated here when out= is omitted
        (BoundCall.out)."""
        return BoundCall(self, args, out, threads)


class BoundCall(Handle):
    """A checked call, run by calling it: returns `out` (elementwise) or the
    scalar (a reduction). One thread at a time. `.run` is the prepared
    call itself — a C Runner with the compiled fast path (_fastpath), else
    a ctypes call (no closed check; returns 0, or a kiln_error_code when
    the call could not run; a reduction's result is then `.value`) — for
    the tightest loops."""

    _free = "kiln_tensor_call_free"

    def __init__(self, kernel, args, out, threads):
        threads = _ints.integer(threads, _ints.UINT32, "threads")
        arr, keep = kernel._args(args)
        n = len(args)
        c_out, self.out = None, None
        if kernel.result[1]:
            c_out, self.out, v = kernel._out(arr, n, out)
            keep.append(v)
        elif out is not None:
            raise InvalidArgument(f"{kernel.name} returns a scalar: out= does not apply")
        bound = ctypes.c_void_p()
        check(_lib.lib().kiln_tensor_bind(kernel.handle, arr, n,
                                          ctypes.byref(c_out) if c_out else None, threads,
                                          ctypes.byref(bound)))
        self._adopt(bound, kernel, keep, args)
        self._scalar = _lib.Scalar()
        # A ctypes function without argtypes, called with ready-made
        # arguments: the cheapest call ctypes offers.
        fn = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.cast(_lib.lib().kiln_tensor_call_run,
                                                        ctypes.c_void_p).value)
        self._handle_arg = ctypes.c_void_p(self._ptr)
        self._scalar_arg = ctypes.byref(self._scalar)
        self._fn = fn
        self._is_array = bool(kernel.result[1])
        self.run = functools.partial(fn, self._handle_arg,
                                     None if self._is_array else self._scalar_arg)
        # The compiled fast path (_fastpath): .run and __call__ in C.
        self._runner = _fastpath.runner(self._ptr, None if self._is_array else self._scalar,
                                        -1, self.out, self._ptr)
        if self._runner is not None:
            self.run = self._runner

    @property
    def value(self):
        """A reduction's result from the last run (None for elementwise)."""
        return None if self._is_array else _scalar_value(self._scalar)

    _runner = None

    def _call(self):
        alive = self._ptr  # held until the call returns (see _engine._Ptr)
        if not alive:
            self.handle  # noqa: B018 — raises ClosedError
        if self._is_array:
            if self._fn(self._handle_arg, None):
                self._failed()
            return self.out
        if self._fn(self._handle_arg, self._scalar_arg):
            self._failed()
        return _scalar_value(self._scalar)

    __call__ = _fastpath.method(_fastpath.BOUND_CALL, _call)

    def _failed(self):
        """kiln_tensor_call_run returned a code: nothing was written."""
        rc = self._fn(self._handle_arg, None)
        cls = BY_CODE.get(rc, KilnError)
        raise cls(f"the bound call of {self._parents[0].name} could not run "
                  f"(kiln_tensor_call_run returned {rc})", code=rc or None)

    def close(self):
        self.run = _closed_run
        self._runner = None
        super().close()


def _closed_run():
    from ._errors import ClosedError
    raise ClosedError("this BoundCall is closed")


def _scalar_value(s):
    if s.dtype in (_buffers.F32, _buffers.F64):
        return s.f
    return bool(s.i) if s.dtype == _buffers.BOOL else s.i


def compile(source, file="<string>", opt_level=2, engine=None):  # noqa: A001
    """Parses, checks and JIT-compiles every kernel of tensor source (see
    docs/tensor.md); errors are CompileError located in `file`."""
    return Program(source, file, opt_level, engine)
