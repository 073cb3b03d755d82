"""_engine: the engine, the handle base class and the error check.

Every Kiln object wraps one C handle. Handle gives them the same life cycle:
close() frees the handle early (also as a context manager), a closed object
raises ClosedError instead of passing NULL or a freed pointer to C, and the
garbage collector frees what was not closed. A child holds its parents'
Python objects (instance -> factory -> engine), and the C library keeps a
child's parents alive too, so closing a parent while children live is safe:
the children keep working, the parent object refuses further use.
"""
import ctypes
import threading

from . import _ints, _lib
from ._errors import BY_CODE, ClosedError, InvalidArgument, KilnError


def error_from(err):
    """The exception for a kiln_error pointer, which it frees."""
    L = _lib.lib()
    try:
        code = L.kiln_error_get_code(err)
        diags = []
        for i in range(L.kiln_error_count(err)):
            diags.append((_lib.dec(L.kiln_error_file_at(err, i)) or None,
                          L.kiln_error_line_at(err, i), L.kiln_error_column_at(err, i),
                          _lib.dec(L.kiln_error_message_at(err, i))))
        message = _lib.dec(L.kiln_error_message(err))
        rendered = (_lib.dec(L.kiln_error_rendered(err)) or message).rstrip("\n")
        name = _lib.dec(L.kiln_error_code_name(code))
    finally:
        L.kiln_error_free(err)
    cls = BY_CODE.get(code, KilnError)
    return cls(message, code=code, diagnostics=diags, rendered=rendered, code_name=name)


def check(err):
    """Raises the exception for a non-NULL kiln_error (and frees it)."""
    if err:
        raise error_from(err)


class _Ptr(int):
    """A C handle's address that frees the C object when the last reference
    goes. `handle` hands this object out, so a call in flight on another
    thread (ctypes releases the GIL) holds it: close() racing the call frees
    the C object after the call returns, never under it."""

    def __del__(self):
        try:
            getattr(_lib.lib(), self.free)(int(self))
        except Exception:  # interpreter shutdown: modules may be gone
            pass


class Handle:
    """A C handle with close(), a context manager and a closed check.
    Subclasses set _free (the C function's name) and call _adopt()."""

    _free = None
    _ptr = None

    def _adopt(self, ptr, *parents):
        p = ptr.value if isinstance(ptr, ctypes.c_void_p) else ptr
        if p and self._free:
            p = _Ptr(p)
            p.free = self._free
        self._ptr = p
        self._parents = parents  # Python objects this one needs alive

    @property
    def handle(self):
        """The raw C handle (an int); ClosedError once closed."""
        p = self._ptr
        if not p:
            raise ClosedError(f"this {type(self).__name__} is closed")
        return p

    @property
    def closed(self):
        return not self._ptr

    def close(self):
        """Frees the C object (now, or when calls in flight on other threads
        return); further use raises ClosedError. Idempotent."""
        self._ptr = None  # the last reference to the _Ptr frees it

    def __enter__(self):
        self.handle  # noqa: B018 — raises if closed
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: modules may be gone
            pass


class Engine(Handle):
    """A Kiln engine: JIT, compile cache, tensor thread pool, Faust registry.

    opt_level: 0..3 for everything compiled with it. target: "triple[:cpu]"
    or None for this machine (code for another target can be emitted, not
    run). threads: the tensor pool's size (0 = the hardware's). cache: use
    the on-disk compile cache ($KILN_CACHE_DIR). Safe to share by threads.
    """

    _free = "kiln_engine_free"

    def __init__(self, opt_level=2, target=None, threads=0, cache=False):
        if opt_level not in (0, 1, 2, 3):
            raise InvalidArgument(f"opt_level must be 0..3, not {opt_level!r}")
        L = _lib.lib()
        threads = _ints.integer(threads, _ints.UINT32, "threads")
        opts = _lib.EngineOptions(opt_level, _lib.enc(target or None), threads, int(bool(cache)))
        out = ctypes.c_void_p()
        check(L.kiln_engine_create(_lib.VERSION_NUMBER, ctypes.byref(opts), ctypes.byref(out)))
        self._adopt(out)
        self.opt_level = opt_level

    @property
    def target(self):
        """"triple:cpu" the engine compiles for."""
        return _lib.dec(_lib.lib().kiln_engine_target(self.handle))

    def __repr__(self):
        state = "closed" if self.closed else self.target
        return f"<kiln.Engine O{self.opt_level} {state}>"


_defaults = {}
_defaults_lock = threading.Lock()


def default_engine(opt_level=2, target=None):
    """A shared engine per (opt_level, target), made on first use; the
    module-level functions use it when no engine is given."""
    key = (opt_level, target or None)
    with _defaults_lock:
        e = _defaults.get(key)
        if e is None or e.closed:
            e = _defaults[key] = Engine(opt_level, target)
        return e


def pick(engine, opt_level, target=None):
    """The engine to use: `engine` when given, else the shared default."""
    if engine is not None:
        if not isinstance(engine, Engine):
            raise InvalidArgument(f"engine must be a kiln.Engine, not {type(engine).__name__}")
        engine.handle  # noqa: B018 — raises if closed
        return engine
    return default_engine(opt_level, target)


def take_buffer(buf):
    """bytes of a kiln_buffer pointer, which it frees."""
    L = _lib.lib()
    try:
        size = L.kiln_buffer_size(buf)
        return ctypes.string_at(L.kiln_buffer_data(buf), size) if size else b""
    finally:
        L.kiln_buffer_free(buf)
