"""_ints: Python numbers checked against the C type they become.

ctypes wraps an int that does not fit its C type (2**40 as a c_int32 is 0,
so a call would silently run on another number), and float() raises a bare
OverflowError for an int beyond a double. Everything the binding hands to C
as a number goes through these helpers, which raise InvalidArgument naming
the value, what it was for and the range instead.
"""
import ctypes

from ._errors import InvalidArgument

INT32 = (-2**31, 2**31 - 1)
UINT32 = (0, 2**32 - 1)
INT64 = (-2**63, 2**63 - 1)


def show(v):
    """An int for a message: its digits, or its size when that is long."""
    return str(v) if abs(v) < 10**30 else f"an int of {v.bit_length()} bits"


def integer(value, bounds, what):
    """int(value), refused unless it is an integral number within bounds."""
    try:
        v = int(value)
        integral = isinstance(value, int) or float(value) == v
    except (TypeError, ValueError, OverflowError):
        raise InvalidArgument(f"{what} must be an integer, not {value!r}") from None
    if not integral:
        raise InvalidArgument(f"{what} must be an integer, not {value!r}")
    lo, hi = bounds
    if not lo <= v <= hi:
        raise InvalidArgument(f"{what}: {show(v)} is out of range ({lo}..{hi})")
    return v


def real(value, what):
    """float(value), an int too large for a double refused."""
    try:
        return float(value)
    except OverflowError:
        raise InvalidArgument(f"{what}: {show(value)} is too large for a float64 "
                              "(beyond ±1.8e308)") from None


def bounds_of(ctype):
    """The (lo, hi) of a ctypes integer type, or None for any other type."""
    if not (isinstance(ctype, type) and issubclass(ctype, ctypes._SimpleCData)) or \
            ctype._type_ not in "bBhHiIlLqQ?":
        return None
    bits = 8 * ctypes.sizeof(ctype)
    if ctype._type_ == "?":
        return (0, 1)
    signed = ctype._type_ in "bhilq"
    return (-2**(bits - 1), 2**(bits - 1) - 1) if signed else (0, 2**bits - 1)
