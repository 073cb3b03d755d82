"""_pack: fills the C API's kiln_tensor_arg and kiln_array structs quickly.

Why not set the ctypes fields? Each field assignment is a Python-level call,
and an array view has eleven of them; a kernel call with four arrays spent
most of its time there. Here one struct.pack_into writes a whole view into
the ctypes buffer, and NumPy arrays of the expected dtype take a fast path
that reads __array_interface__ once. Everything else (buffers, wrong dtypes,
odd strides, the error messages) goes through _buffers.view. The layouts
are checked against ctypes' own offsets when the module loads.
"""
import ctypes
import struct

from . import _buffers, _ints, _lib
from ._buffers import ITEMSIZE, NAMES, NATIVE
from ._errors import InvalidArgument

ARG_SIZE = ctypes.sizeof(_lib.TensorArg)
ARRAY_AT = _lib.TensorArg.array.offset
SCALAR_AT = _lib.TensorArg.scalar.offset
ARRAY = struct.Struct("@Pii4q4q")  # data, dtype, rank, shape[4], strides[4]
SCALAR = struct.Struct("@idq")     # dtype, f, i
IS_ARRAY = struct.Struct("@i")
ARG_ARRAY = struct.Struct("@iPii4q4q")  # is_array = 1 and the array, in one write
assert ARRAY.size == ctypes.sizeof(_lib.Array) and SCALAR.size == ctypes.sizeof(_lib.Scalar)
assert _lib.Array.strides.offset == struct.calcsize("@Pii4q")
assert ARRAY_AT == struct.calcsize("@iP") - struct.calcsize("@P")

TYPESTR = {_buffers.BOOL: "|b1", _buffers.I32: NATIVE + "i4", _buffers.I64: NATIVE + "i8",
           _buffers.F32: NATIVE + "f4", _buffers.F64: NATIVE + "f8"}
PAD = [(0, 0, 0, 0), (0, 0, 0), (0, 0), (0,), ()]
FLOATS = (_buffers.F32, _buffers.F64)
INT_BOUNDS = {_buffers.BOOL: _ints.INT64, _buffers.I32: _ints.INT32, _buffers.I64: _ints.INT64}


def describe(what):
    """what = (index, parameter name, kernel name) or a finished string."""
    if isinstance(what, str):
        return what
    i, pname, kname = what
    return f"argument {i + 1} '{pname}' of {kname}"


def _contiguous(shape):
    if len(shape) == 1:
        return (1,)
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def array(buf, offset, value, dtype, what, writable=False):
    """Packs `value` as a kiln_array of `dtype` at buf[offset]; returns the
    object that must stay alive while Kiln uses the memory."""
    ai = getattr(value, "__array_interface__", None)
    if type(ai) is dict and ai["typestr"] == TYPESTR[dtype]:
        shape, strides, data = ai["shape"], ai["strides"], ai["data"]
        rank = len(shape)
        if rank <= 4 and type(data) is tuple and not (writable and data[1]):
            if rank == 1 and strides is None:  # contiguous 1-D: the common case
                ARRAY.pack_into(buf, offset, data[0], dtype, 1, shape[0], 0, 0, 0, 1, 0, 0, 0)
                return value
            size = ITEMSIZE[dtype]
            if strides is None:
                strides = _contiguous(shape)
            elif all(s % size == 0 for s in strides):
                strides = tuple(s // size for s in strides)
            else:
                strides = None  # the general path raises with the message
            if strides is not None:
                ARRAY.pack_into(buf, offset, data[0], dtype, rank, *shape, *PAD[rank],
                                *strides, *PAD[rank])
                return value
    v = _buffers.view(value, describe(what), writable)
    if v.dtype != dtype:
        raise InvalidArgument(f"{describe(what)}: dtype {NAMES[v.dtype]}, "
                              f"expected {NAMES[dtype]}")
    rank = len(v.shape)
    if rank > _lib.MAX_RANK:
        raise InvalidArgument(f"{describe(what)}: rank {rank} is more than Kiln's "
                              f"{_lib.MAX_RANK}")
    ARRAY.pack_into(buf, offset, v.address, dtype, rank, *v.shape, *PAD[rank], *v.strides,
                    *PAD[rank])
    return v


def arg(buf, index, value, dtype, is_array, what):
    """Packs argument `index` of a kiln_tensor_arg array; returns what to
    keep alive (None for scalars)."""
    off = index * ARG_SIZE
    if is_array:
        ai = getattr(value, "__array_interface__", None)
        if (type(ai) is dict and ai["strides"] is None and len(ai["shape"]) == 1
                and ai["typestr"] == TYPESTR[dtype] and type(ai["data"]) is tuple):
            # The common case, a contiguous 1-D NumPy array: one write.
            ARG_ARRAY.pack_into(buf, off, 1, ai["data"][0], dtype, 1, ai["shape"][0], 0, 0, 0,
                                1, 0, 0, 0)
            return value
        IS_ARRAY.pack_into(buf, off, 1)
        if type(value) in (float, int, bool):  # a Python number: a rank-0 array
            f, i = scalar(value, dtype, what)
            box = _buffers.CTYPE[dtype](f if dtype in FLOATS else i)
            ARRAY.pack_into(buf, off + ARRAY_AT, ctypes.addressof(box), dtype, 0, *PAD[0],
                            *PAD[0])
            return box
        return array(buf, off + ARRAY_AT, value, dtype, what)
    IS_ARRAY.pack_into(buf, off, 0)
    SCALAR.pack_into(buf, off + SCALAR_AT, dtype, *scalar(value, dtype, what))
    return None


def scalar(value, dtype, what):
    """(f, i) for a kiln_scalar of `dtype`."""
    t = type(value)
    if t is float or t is int or t is bool:
        pass
    elif getattr(value, "shape", ()) != ():
        raise InvalidArgument(f"{describe(what)}: expected a scalar, got an array of shape "
                              f"{value.shape}")
    elif isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
        raise InvalidArgument(f"{describe(what)}: expected a number, got {t.__name__}")
    if dtype in FLOATS:
        return _ints.real(value, describe(what)), 0
    return 0.0, _ints.integer(value, INT_BOUNDS[dtype], describe(what))
