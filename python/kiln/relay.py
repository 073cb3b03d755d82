"""kiln.relay: compile a Relay program, call its functions from Python.

    import kiln.relay
    prog = kiln.relay.compile("fn fib(n) { if n < 2 { return n } "
                              "return fib(n-1) + fib(n-2) }", mode="jit")
    prog.call("fib", 30)            # 832040.0
    prog.fib(30)                    # the same
    lines = []
    prog = kiln.relay.compile('print("hi")', print=lines.append)
    prog.run()                      # lines == ["hi\\n"]

Arguments are numbers (float/int), bools and arrays (lists, tuples,
array.array, memoryview or NumPy arrays of numbers; Relay copies them).
Results come back as float, bool, None, or an array (a float64 NumPy array
when NumPy is present, else a list). `print` output goes to the `print`
callable (default: sys.stdout.write), on the calling thread; it must not call
Relay (that raises InvalidArgument: the library holds its process-wide Relay
lock meanwhile). Relay calls are serialised process-wide by the library (the
GIL is released while one waits).
Traps raise RuntimeTrap and timeouts TimeoutError, located in the source.
"""
import codecs
import ctypes
import sys
import threading

from . import _ints, _lib
from ._engine import Handle, check, pick
from ._errors import InvalidArgument

MODES = {"auto": 0, "interp": 1, "jit": 2}
VOID, NUMBER, BOOL, ARRAY = 0, 1, 2, 3
TYPE_NAMES = {VOID: "void", NUMBER: "number", BOOL: "bool", ARRAY: "array"}


class Program(Handle):
    """A compiled Relay program. mode: "auto" (interpreter, hot code
    compiled), "interp" or "jit" (compiled before it runs). timeout: seconds
    per run or call (0 = none). max_depth: calls active at once before a
    stack-overflow trap."""

    _free = "kiln_relay_program_free"

    def __init__(self, source, file="<string>", mode="auto", timeout=0.0, max_depth=10000,
                 print=None, opt_level=2, engine=None):  # noqa: A002 — Relay's word
        if mode not in MODES:
            raise InvalidArgument(f"mode must be one of {sorted(MODES)}, not {mode!r}")
        self.engine = pick(engine, opt_level)
        self._sink = print
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._failure = None
        self._callback = _lib.PRINT_FN(self._on_print)  # must outlive the program
        opts = _lib.RelayOptions(MODES[mode], _ints.real(timeout, "timeout"),
                                 _ints.integer(max_depth, _ints.INT32, "max_depth"),
                                 self._callback, None)
        data = source.encode() if isinstance(source, str) else bytes(source)
        out = ctypes.c_void_p()
        check(_lib.lib().kiln_relay_compile(self.engine.handle, _lib.enc(file), data, len(data),
                                            ctypes.byref(opts), ctypes.byref(out)))
        self._adopt(out, self.engine)
        self.functions = self._functions()

    def _on_print(self, _user, text, length):
        _inside.active = True  # the library holds the Relay lock meanwhile
        try:
            piece = self._decoder.decode(ctypes.string_at(text, length))
            if piece:
                (self._sink or sys.stdout.write)(piece)
        except BaseException as e:  # re-raised when the call returns
            self._failure = self._failure or e
        finally:
            _inside.active = False

    def _reraise(self):
        e, self._failure = self._failure, None
        if e is not None:
            raise e

    def _functions(self):
        """{name: (parameter types, result type)}, names of TYPE_NAMES."""
        L, out = _lib.lib(), {}
        for i in range(L.kiln_relay_function_count(self.handle)):
            name, params, result = ctypes.c_char_p(), ctypes.c_size_t(), ctypes.c_int()
            types = (ctypes.c_int * 64)()
            check(L.kiln_relay_function_info(self.handle, i, ctypes.byref(name),
                                             ctypes.byref(params), types, 64,
                                             ctypes.byref(result)))
            ptypes = tuple(TYPE_NAMES.get(t, "?") for t in types[:min(params.value, 64)])
            out[_lib.dec(name.value)] = (ptypes, TYPE_NAMES.get(result.value, "?"))
        return out

    def run(self):
        """Runs the top-level code (afresh each time)."""
        _not_inside_print()
        err = _lib.lib().kiln_relay_run(self.handle)
        self._reraise()
        check(err)

    def call(self, name, *args):
        """Calls function `name`; see the module doc for argument types."""
        h = self.handle
        _not_inside_print()
        values = (_lib.Value * max(len(args), 1))()
        keep = [_to_value(values[i], a, name, i) for i, a in enumerate(args)]
        result = _lib.Value()
        err = _lib.lib().kiln_relay_call(h, _lib.enc(name), values, len(args),
                                         ctypes.byref(result))
        del keep
        self._reraise()
        check(err)
        return _from_value(result)

    def __getattr__(self, name):
        fns = self.__dict__.get("functions") or {}
        if name not in fns:
            raise AttributeError(name)
        return lambda *args: self.call(name, *args)


_inside = threading.local()  # .active: this thread is in a print callback


def _not_inside_print():
    """A print callback runs under the library's process-wide Relay lock:
    calling Relay from it would wait forever, so it raises instead."""
    if getattr(_inside, "active", False):
        raise InvalidArgument("a Relay print callback cannot run or call Relay code "
                              "(the Relay lock is held while it runs)")


def _to_value(slot, a, fname, index):
    """Fills a kiln_value; returns what must stay alive during the call."""
    if isinstance(a, bool) or type(a).__name__ == "bool_":
        slot.type, slot.boolean = BOOL, int(bool(a))
        return None
    if isinstance(a, (int, float)) or (hasattr(a, "__float__") and getattr(a, "shape", ()) == ()
                                       and not isinstance(a, (str, bytes))):
        slot.type, slot.number = NUMBER, _ints.real(a, f"argument {index + 1} of {fname}")
        return None
    try:
        items = _doubles(a)
    except InvalidArgument:  # a number beyond a double, named
        raise
    except (TypeError, ValueError):
        raise InvalidArgument(f"argument {index + 1} of {fname}: expected a number, bool or "
                              f"a sequence of numbers, got {type(a).__name__}") from None
    slot.type, slot.length = ARRAY, len(items)
    slot.array = ctypes.cast(items, ctypes.POINTER(ctypes.c_double))
    return items


def _doubles(a):
    """A ctypes double array with the values of a sequence or buffer of
    numbers; TypeError for text, and for items or dtypes that are not
    numbers (float() would take "1.5", and NumPy makes None a NaN)."""
    if isinstance(a, (str, bytes, bytearray)):
        raise TypeError("text is not a sequence of numbers")
    ai = getattr(a, "__array_interface__", None)
    if ai is not None:
        import numpy
        if numpy.dtype(ai["typestr"]).kind not in "biuf":
            raise TypeError(f"dtype {ai['typestr']!r} is not numeric")
        flat = numpy.ascontiguousarray(a, dtype=numpy.float64).reshape(-1)
        return (ctypes.c_double * len(flat)).from_buffer_copy(flat)
    if isinstance(a, memoryview):
        a = a.tolist()
    seq = []
    for x in a:
        if not _is_number(x):
            raise TypeError(f"item {x!r} is not a number")
        seq.append(_ints.real(x, "an item"))
    return (ctypes.c_double * len(seq))(*seq)


def _is_number(x):
    """True for ints, floats, bools and NumPy scalars; False for text."""
    return hasattr(x, "__float__") and not isinstance(x, (str, bytes))


def _from_value(v):
    try:
        if v.type == NUMBER:
            return v.number
        if v.type == BOOL:
            return bool(v.boolean)
        if v.type == ARRAY:
            raw = ctypes.string_at(v.array, v.length * 8) if v.length else b""
            try:
                import numpy
                return numpy.frombuffer(raw, dtype=numpy.float64).copy()
            except ImportError:
                import array
                return array.array("d", raw).tolist()
        return None
    finally:
        _lib.lib().kiln_value_clear(ctypes.byref(v))


def compile(source, file="<string>", mode="auto", timeout=0.0, max_depth=10000, print=None,
            opt_level=2, engine=None):  # noqa: A001, A002
    """Parses, checks and (mode "jit") compiles Relay source; see Program.
    Syntax and type errors raise CompileError located in `file`."""
    return Program(source, file, mode, timeout, max_depth, print, opt_level, engine)


def compile_file(path, **kw):
    """compile() of a .relay file (named by its path in errors)."""
    with open(path, encoding="utf-8") as f:
        return compile(f.read(), file=str(path), **kw)
