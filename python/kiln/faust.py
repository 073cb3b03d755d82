"""kiln.faust: Faust DSPs with the names cyfaust and libfaust users know.

    import numpy as np, kiln.faust as faust
    factory = faust.create_dsp_factory_from_string(
        "osc", 'import("stdfaust.lib"); process = os.osc(440);', ["-vec"])
    dsp = factory.create_dsp_instance()
    dsp.init(48000)
    out = np.zeros((dsp.get_numoutputs(), 256), dtype=np.float32)
    dsp.compute(256, None, out)            # float32 (channels, frames)

Factories come from Faust source (string or file), compiled by Debian's
faust and Kiln's LLVM pipeline, or are read back from bitcode, IR or
machine code written by write_*. A factory may be shared by threads; an
instance (Dsp) is used by one thread at a time — a second thread entering it
at once gets InvalidArgument instead of corrupted state. compute() works on
the caller's arrays in place: NumPy float32 arrays shaped (channels, frames)
whose frames are contiguous, or a list of one float32 buffer per channel
(array.array('f'), memoryview), so NumPy is not required.
"""
import ctypes
import struct

from . import _buffers, _fastpath, _ints, _lib
from ._engine import Handle, check, error_from, pick, take_buffer
from ._errors import InvalidArgument

BITCODE, IR, MACHINE, OBJECT = 0, 1, 2, 3


def _argv(args):
    args = [_lib.enc(a) for a in (args or [])]
    return len(args), (ctypes.c_char_p * max(len(args), 1))(*args)


class DspFactory(Handle):
    """A compiled Faust program; create_dsp_instance() makes instances."""

    _free = "kiln_faust_factory_free"

    def __init__(self, ptr, engine):
        self._adopt(ptr, engine)
        self.engine = engine

    def get_name(self):
        return _lib.dec(_lib.lib().kiln_faust_factory_name(self.handle))

    def get_sha_key(self):
        return _lib.dec(_lib.lib().kiln_faust_factory_sha_key(self.handle))

    def get_target(self):
        """"triple:cpu" the factory is compiled for."""
        return _lib.dec(_lib.lib().kiln_faust_factory_target(self.handle))

    name = property(get_name)
    sha_key = property(get_sha_key)
    target = property(get_target)

    def create_dsp_instance(self):
        """A new, uninitialised instance (call init(sample_rate))."""
        out = ctypes.c_void_p()
        check(_lib.lib().kiln_faust_dsp_create(self.handle, ctypes.byref(out)))
        return Dsp(out, self)

    def _write(self, fmt, target=""):
        out = ctypes.c_void_p()
        check(_lib.lib().kiln_faust_factory_write(self.handle, fmt, _lib.enc(target or None),
                                                  ctypes.byref(out)))
        return take_buffer(out)

    def write_to_bitcode(self):
        return self._write(BITCODE)

    def write_to_ir(self):
        return self._write(IR).decode()

    def write_to_machine(self, target=""):
        return self._write(MACHINE, target)

    def write_to_objectcode(self, target=""):
        return self._write(OBJECT, target)

    def write_to_bitcode_file(self, path):
        _save(path, self.write_to_bitcode())

    def write_to_ir_file(self, path):
        _save(path, self.write_to_ir().encode())

    def write_to_machine_file(self, path, target=""):
        _save(path, self.write_to_machine(target))

    def write_to_objectcode_file(self, path, target=""):
        _save(path, self.write_to_objectcode(target))


def _save(path, data):
    with open(path, "wb") as f:
        f.write(data)


class Dsp(Handle):
    """An instance: init(sample_rate), then compute(count, inputs, outputs).
    Parameters by path ("/osc/freq"), metadata as a dict."""

    _free = "kiln_faust_dsp_free"
    # A slot, so that the compiled fast path reads it at a fixed offset.
    __slots__ = ("_cache",)

    def __init__(self, ptr, factory):
        self._adopt(ptr, factory)
        self.factory = factory
        L = _lib.lib()
        self._inputs = L.kiln_faust_dsp_inputs(self.handle)
        self._outputs = L.kiln_faust_dsp_outputs(self.handle)
        self._cache = None  # (inputs, outputs, ptr arrays) of the last compute
        # kiln_faust_dsp_compute without argtypes: compute() passes ready
        # ctypes arguments, the cheapest call ctypes offers.
        self._raw = ctypes.CFUNCTYPE(ctypes.c_void_p)(
            ctypes.cast(L.kiln_faust_dsp_compute, ctypes.c_void_p).value)

    def get_numinputs(self):
        return self._inputs

    def get_numoutputs(self):
        return self._outputs

    def init(self, sample_rate):
        rate = _ints.integer(sample_rate, _ints.INT32, "sample_rate")
        check(_lib.lib().kiln_faust_dsp_init(self.handle, rate))

    def _compute(self, count, inputs, outputs):
        """Computes `count` frames from inputs into outputs (in place). One
        thread at a time: libkiln refuses a second thread's compute
        (InvalidArgument) instead of running it on the same state. Offline,
        one call on long buffers costs one call's overhead for all of them."""
        c = self._cache  # None once closed
        if not (c is not None and c[0] is inputs and c[1] is outputs
                and type(count) is int and 0 <= count <= c[4]):
            c = self._prepare(count, inputs, outputs)
        err = self._raw(c[5], count, c[2], c[3])  # prepared: no argument conversion
        if err:
            raise error_from(err)

    # With the compiled fast path (_fastpath) the cached call and lists of
    # channel buffers run in C; _compute runs for everything else.
    compute = _fastpath.method(_fastpath.DSP_COMPUTE, _compute, error_from)

    def close(self):
        self._cache = None  # a compute in flight keeps its own reference
        super().close()

    def _prepare(self, count, inputs, outputs):
        """Checks a call and makes its ready-made arguments; remembered when
        the same NumPy arrays may come back (their memory cannot move while
        this object holds them)."""
        h = self.handle  # ClosedError once closed
        ins, outs, frames = self._pointers(count, inputs, outputs)
        c = (inputs, outputs, ins, outs, frames, ctypes.c_void_p(h), h,  # h: kept alive
             _address(ins), _address(outs),
             # for the compiled fast path: frames, handle, ins, outs as one
             # native struct it copies instead of converting four ints
             _NATIVE.pack(frames, h, _address(ins), _address(outs)))
        if (inputs is None or _is_ndarray(inputs)) and _is_ndarray(outputs):
            self._cache = c
        return c

    def _pointers(self, count, inputs, outputs):
        if not isinstance(count, int) or count < 0:
            raise InvalidArgument(f"count must be a non-negative int, not {count!r}")
        ins, f1 = _channels(inputs, self._inputs, count, "inputs", False)
        outs, f2 = _channels(outputs, self._outputs, count, "outputs", True)
        return ins, outs, min(f1, f2)

    def set_param_value(self, path, value):
        value = _ints.real(value, f"the value of {path!r}")
        check(_lib.lib().kiln_faust_dsp_set_param(self.handle, _lib.enc(path), value))

    def get_param_value(self, path):
        v = ctypes.c_float()
        check(_lib.lib().kiln_faust_dsp_get_param(self.handle, _lib.enc(path), ctypes.byref(v)))
        return v.value

    def get_param_paths(self):
        """The parameters' paths in UI order."""
        L, out = _lib.lib(), []
        for i in range(L.kiln_faust_dsp_param_count(self.handle)):
            p = ctypes.c_char_p()
            check(L.kiln_faust_dsp_param_path(self.handle, i, ctypes.byref(p)))
            out.append(_lib.dec(p.value))
        return out

    def metadata(self):
        """{key: value} of the DSP's declarations."""
        meta = {}

        def declare(_user, key, value):
            meta[_lib.dec(key)] = _lib.dec(value)
        check(_lib.lib().kiln_faust_dsp_metadata(self.handle, _lib.META_FN(declare), None))
        return meta


_fastpath.dsp_class(Dsp)
_NATIVE = struct.Struct("@qPPP")  # python/ext/fast_faust.c's Prepared


def _address(ptrs):
    return ctypes.addressof(ptrs) if ptrs is not None else 0


def _is_ndarray(x):
    return type(x).__name__ == "ndarray"


def _channels(arrays, expected, count, what, writable):
    """(float** as a ctypes array or None, frames available) for `arrays`."""
    if expected == 0:
        return None, count
    if arrays is None:
        raise InvalidArgument(f"{what}: the DSP has {expected} channel(s), got None")
    views = _channel_views(arrays, what, writable)
    if len(views) != expected:
        raise InvalidArgument(f"{what}: {len(views)} channel(s), the DSP has {expected}")
    frames = min(v[1] for v in views)
    if frames < count:
        raise InvalidArgument(f"{what}: {frames} frame(s), count is {count}")
    ptrs = (ctypes.c_void_p * expected)(*[v[0] for v in views])
    ptrs._keep = (arrays, views)
    return ptrs, frames


def _channel_views(arrays, what, writable):
    """[(address, frames, View)] per channel."""
    if hasattr(arrays, "__array_interface__"):
        v = _buffers.view(arrays, what, writable)
        _check_f32(v, what)
        if len(v.shape) != 2:
            raise InvalidArgument(f"{what}: expected shape (channels, frames), got {v.shape}")
        if v.shape[1] > 1 and v.strides[1] != 1:
            raise InvalidArgument(f"{what}: frames must be contiguous (stride {v.strides[1]})")
        return [(v.address + c * v.strides[0] * 4, v.shape[1], v) for c in range(v.shape[0])]
    out = []
    for c, ch in enumerate(arrays):
        v = _buffers.view(ch, f"{what} channel {c}", writable)
        _check_f32(v, f"{what} channel {c}")
        if len(v.shape) != 1 or (v.shape[0] > 1 and v.strides[0] != 1):
            raise InvalidArgument(f"{what} channel {c}: expected contiguous 1-D float32")
        out.append((v.address, v.shape[0], v))
    return out


def _check_f32(v, what):
    if v.dtype != _buffers.F32:
        raise InvalidArgument(f"{what}: dtype {_buffers.NAMES[v.dtype]}, Faust computes float32")


def create_dsp_factory_from_string(name, code, args=(), target="", opt_level=-1, engine=None):
    """Compiles Faust `code` named `name` with faust arguments `args`, for
    `target` ("" = this machine) at libfaust's opt_level (-1 = best).
    Faust's errors raise CompileError with their location."""
    e = pick(engine, 2)
    argc, argv = _argv(args)
    out = ctypes.c_void_p()
    check(_lib.lib().kiln_faust_factory_from_string(e.handle, _lib.enc(name), _lib.enc(code),
                                                    argc, argv, _lib.enc(target or None),
                                                    _ints.integer(opt_level, _ints.INT32, "opt_level"), ctypes.byref(out)))
    return DspFactory(out, e)


def create_dsp_factory_from_file(path, args=(), target="", opt_level=-1, engine=None):
    """The same from a .dsp file."""
    e = pick(engine, 2)
    argc, argv = _argv(args)
    out = ctypes.c_void_p()
    check(_lib.lib().kiln_faust_factory_from_file(e.handle, _lib.enc(str(path)), argc, argv,
                                                  _lib.enc(target or None), _ints.integer(opt_level, _ints.INT32, "opt_level"),
                                                  ctypes.byref(out)))
    return DspFactory(out, e)


def _read(fmt, data, target="", opt_level=-1, engine=None):
    e = pick(engine, 2)
    data = data.encode() if isinstance(data, str) else bytes(data)
    out = ctypes.c_void_p()
    check(_lib.lib().kiln_faust_factory_read(e.handle, fmt, data, len(data),
                                             _lib.enc(target or None), _ints.integer(opt_level, _ints.INT32, "opt_level"),
                                             ctypes.byref(out)))
    return DspFactory(out, e)


def read_dsp_factory_from_bitcode(data, target="", opt_level=-1, engine=None):
    return _read(BITCODE, data, target, opt_level, engine)


def read_dsp_factory_from_ir(text, target="", opt_level=-1, engine=None):
    return _read(IR, text, target, opt_level, engine)


def read_dsp_factory_from_machine(data, target="", engine=None):
    return _read(MACHINE, data, target, -1, engine)


def _load(path):
    with open(path, "rb") as f:
        return f.read()


def read_dsp_factory_from_bitcode_file(path, target="", opt_level=-1, engine=None):
    return read_dsp_factory_from_bitcode(_load(path), target, opt_level, engine)


def read_dsp_factory_from_ir_file(path, target="", opt_level=-1, engine=None):
    return read_dsp_factory_from_ir(_load(path), target, opt_level, engine)


def read_dsp_factory_from_machine_file(path, target="", engine=None):
    return read_dsp_factory_from_machine(_load(path), target, engine)


def get_dsp_machine_target():
    """This machine as Kiln compiles for it, "triple:cpu"."""
    return _lib.dec(_lib.lib().kiln_faust_machine_target())
