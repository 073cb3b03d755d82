"""kiln.ir: LLVM IR in, native functions out — llvmlite's path without its
global lock or MCJIT.

    import ctypes, kiln.ir
    m = kiln.ir.compile(IR_TEXT, opt_level=2)
    fib = m.function("fib", ctypes.c_int64, [ctypes.c_int64])
    fib(30)                                      # 832040
    asm = kiln.ir.emit(IR_TEXT, "asm")           # str; "obj" and "bc" give bytes

A Module is one kiln_unit: its code lives until the module is closed (or
collected); a Function keeps its module alive and refuses to run once the
module is closed. Calls go through ctypes.CDLL-style function pointers,
which release the GIL, so threads can call compiled code at once.
"""
import ctypes

from . import _ints, _lib
from ._engine import Handle, check, pick, take_buffer
from ._errors import InvalidArgument

KINDS = {"obj": 0, "object": 0, "asm": 1, "assembly": 1, "bc": 2, "bitcode": 2,
         "ll": 3, "ir": 3}


def _source(ir):
    if isinstance(ir, str):
        return ir.encode()
    if isinstance(ir, (bytes, bytearray, memoryview)):
        return bytes(ir)
    raise InvalidArgument(f"IR must be str (text) or bytes (text or bitcode), not {type(ir).__name__}")


class Function:
    """A compiled function with a declared C signature; call it like a
    Python function. `.address` is the code's address, `.cfunc` the bare
    ctypes function (no closed-module check) for hot loops."""

    def __init__(self, module, name, address, restype, argtypes):
        self.module, self.name, self.address = module, name, address
        self.argtypes = tuple(argtypes)
        self.cfunc = ctypes.CFUNCTYPE(restype, *self.argtypes)(address)
        # (index, bounds) of the integer parameters: ctypes would wrap a value
        # that does not fit (2**64 as an int64 is 0)
        self._ints = [(i, b) for i, t in enumerate(self.argtypes)
                      if (b := _ints.bounds_of(t)) is not None]
        self._reals = [i for i, t in enumerate(self.argtypes)
                       if t in (ctypes.c_double, ctypes.c_float)]

    def __call__(self, *args):
        alive = self.module.handle  # ClosedError once gone; keeps the code during the call
        if len(args) != len(self.argtypes):
            raise InvalidArgument(f"{self.name}() takes {len(self.argtypes)} argument(s), "
                                  f"{len(args)} given")
        for i, (lo, hi) in self._ints:
            if isinstance(args[i], int) and not lo <= args[i] <= hi:
                raise InvalidArgument(f"argument {i + 1} of {self.name}: "
                                      f"{_ints.show(args[i])} is out of range for "
                                      f"{self.argtypes[i].__name__} ({lo}..{hi})")
        for i in self._reals:
            if isinstance(args[i], int):
                _ints.real(args[i], f"argument {i + 1} of {self.name}")
        result = self.cfunc(*args)
        del alive
        return result

    def __repr__(self):
        return f"<kiln.ir.Function {self.name} at {self.address:#x}>"


class Module(Handle):
    """One LLVM module added to an engine (compiled on first lookup)."""

    _free = "kiln_unit_free"

    def __init__(self, ir, name="module", opt_level=2, engine=None):
        self.engine = pick(engine, opt_level)
        data = _source(ir)
        out = ctypes.c_void_p()
        check(_lib.lib().kiln_unit_add_ir(self.engine.handle, _lib.enc(name), data,
                                          len(data), ctypes.byref(out)))
        self._adopt(out, self.engine)
        self.name = name

    def address(self, name):
        """The address of `name` (function or global) defined by this module;
        LinkError when it defines no such symbol."""
        addr = ctypes.c_void_p()
        check(_lib.lib().kiln_unit_lookup(self.handle, _lib.enc(name), ctypes.byref(addr)))
        return addr.value

    def function(self, name, restype=None, argtypes=()):
        """`name` as a callable with the C signature restype(argtypes...) in
        ctypes types (restype None = void). The caller vouches for the
        signature, as with ctypes."""
        return Function(self, name, self.address(name), restype, argtypes)

    get_function = function


def compile(ir, name="module", opt_level=2, engine=None):  # noqa: A001 — llvmlite's word
    """Verifies, optimises (at opt_level, or the engine's level when an
    engine is given) and adds LLVM IR text or bitcode; returns a Module.
    A parse error is a CompileError located in `name`."""
    return Module(ir, name, opt_level, engine)


def emit(ir, kind="asm", opt_level=2, target=None, name="module", engine=None):
    """Optimises IR and emits `kind` ("asm", "obj", "bc" or "ll") for the
    engine's target (this machine, or `target` "triple[:cpu]"): str for
    text kinds, bytes for the others. Adds nothing to the engine."""
    if kind not in KINDS:
        raise InvalidArgument(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    e = pick(engine, opt_level, target)
    data = _source(ir)
    out = ctypes.c_void_p()
    check(_lib.lib().kiln_engine_emit(e.handle, _lib.enc(name), data, len(data), KINDS[kind],
                                      ctypes.byref(out)))
    raw = take_buffer(out)
    return raw.decode() if KINDS[kind] in (1, 3) else raw


def link(objects, output, shared=False):
    """Links object files (paths) into an executable or a shared library with
    the system compiler and Kiln's runtime; the output is replaced atomically."""
    paths = [_lib.enc(str(p)) for p in objects]
    arr = (ctypes.c_char_p * max(len(paths), 1))(*paths)
    check(_lib.lib().kiln_link(arr, len(paths), _lib.enc(str(output)), int(bool(shared))))


def define_symbol(name, target, engine=None, opt_level=2):
    """Makes `target` (an int address or a ctypes function, e.g. a
    CFUNCTYPE-wrapped Python function) visible to IR added later as `name`.
    The engine keeps a reference to `target` so it stays alive."""
    e = pick(engine, opt_level)
    address = target if isinstance(target, int) else ctypes.cast(target, ctypes.c_void_p).value
    if not address:
        raise InvalidArgument("define_symbol: the address is NULL")
    check(_lib.lib().kiln_engine_define_symbol(e.handle, _lib.enc(name), address))
    e.__dict__.setdefault("_symbols", []).append(target)
