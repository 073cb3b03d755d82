"""_lib: finds and loads libkiln.so and declares the C API's functions.

The binding is pure ctypes, so everything it knows about the C API
(include/kiln/kiln.h) is restated here: the structs, and each function's
result and argument types. The library is loaded with ctypes.CDLL, which
releases the GIL around every call, so Python threads compile and run Kiln
code at once. Functions are bound on first use: a library that lacks one
(older than this binding) fails with a message naming it, not at import.

Where the library comes from, first match wins:
  1. $KILN_LIBRARY: the library file, or a folder holding it;
  2. the build tree: <repo>/build/lib/libkiln.so when this package is
     <repo>/python/kiln;
  3. an install prefix: <prefix>/lib[/<multiarch>]/libkiln.so.0 above the
     package's folder (e.g. <prefix>/lib/python3/dist-packages/kiln);
  4. the system's search path (libkiln.so.0, as the dynamic loader finds it).
When loading fails the exception names the real cause: the paths tried, the
dynamic loader's message (a missing dependency names the missing file), or
both version numbers when the library's ABI does not match.
"""
import ctypes
import os
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double,
                    c_int, c_int32, c_int64, c_size_t, c_uint32, c_void_p)

from ._errors import KilnError, LoadError, VersionError

#: The C API version this binding was written against (KILN_VERSION_NUMBER).
VERSION_NUMBER = 200
MAX_RANK = 4
NAMES = ("libkiln.so.0", "libkiln.so")  # the SONAME first: the ABI this binding serves


class Array(Structure):
    _fields_ = [("data", c_void_p), ("dtype", c_int), ("rank", c_int32),
                ("shape", c_int64 * MAX_RANK), ("strides", c_int64 * MAX_RANK)]


class Scalar(Structure):
    _fields_ = [("dtype", c_int), ("f", c_double), ("i", c_int64)]


class TensorArg(Structure):
    _fields_ = [("is_array", c_int), ("array", Array), ("scalar", Scalar)]


class Value(Structure):
    _fields_ = [("type", c_int), ("number", c_double), ("boolean", c_int),
                ("array", POINTER(c_double)), ("length", c_size_t)]


class EngineOptions(Structure):
    _fields_ = [("opt_level", c_int), ("target", c_char_p),
                ("threads", c_uint32), ("cache", c_int)]


PRINT_FN = CFUNCTYPE(None, c_void_p, POINTER(c_char), c_size_t)
META_FN = CFUNCTYPE(None, c_void_p, c_char_p, c_char_p)


class RelayOptions(Structure):
    _fields_ = [("mode", c_int), ("timeout_seconds", c_double),
                ("max_depth", c_int32), ("print", PRINT_FN),
                ("print_user_data", c_void_p)]


E = c_void_p  # kiln_error *, NULL on success
H = c_void_p  # any opaque handle
P = POINTER
# name: (restype, argtypes)
PROTOTYPES = {
    "kiln_version": (c_char_p, []),
    "kiln_version_number": (c_uint32, []),
    "kiln_error_free": (None, [E]),
    "kiln_error_get_code": (c_int, [E]),
    "kiln_error_code_name": (c_char_p, [c_int]),
    "kiln_error_message": (c_char_p, [E]),
    "kiln_error_rendered": (c_char_p, [E]),
    "kiln_error_count": (c_size_t, [E]),
    "kiln_error_message_at": (c_char_p, [E, c_size_t]),
    "kiln_error_file_at": (c_char_p, [E, c_size_t]),
    "kiln_error_line_at": (c_uint32, [E, c_size_t]),
    "kiln_error_column_at": (c_uint32, [E, c_size_t]),
    "kiln_buffer_data": (c_void_p, [H]),
    "kiln_buffer_size": (c_size_t, [H]),
    "kiln_buffer_free": (None, [H]),
    "kiln_engine_create": (E, [c_uint32, P(EngineOptions), P(H)]),
    "kiln_engine_free": (None, [H]),
    "kiln_engine_target": (c_char_p, [H]),
    # core
    "kiln_unit_add_ir": (E, [H, c_char_p, c_char_p, c_size_t, P(H)]),
    "kiln_unit_free": (None, [H]),
    "kiln_engine_lookup": (E, [H, c_char_p, P(c_void_p)]),
    "kiln_unit_lookup": (E, [H, c_char_p, P(c_void_p)]),
    "kiln_engine_define_symbol": (E, [H, c_char_p, c_void_p]),
    "kiln_engine_define_function": (E, [H, c_char_p, c_char_p, c_void_p, c_void_p]),
    "kiln_engine_emit": (E, [H, c_char_p, c_char_p, c_size_t, c_int, P(H)]),
    "kiln_link": (E, [P(c_char_p), c_size_t, c_char_p, c_int]),
    # relay
    "kiln_relay_compile": (E, [H, c_char_p, c_char_p, c_size_t, P(RelayOptions), P(H)]),
    "kiln_relay_program_free": (None, [H]),
    "kiln_relay_run": (E, [H]),
    "kiln_relay_call": (E, [H, c_char_p, P(Value), c_size_t, P(Value)]),
    "kiln_value_clear": (None, [P(Value)]),
    "kiln_relay_function_count": (c_size_t, [H]),
    "kiln_relay_function_info": (E, [H, c_size_t, P(c_char_p), P(c_size_t), P(c_int),
                                     c_size_t, P(c_int)]),
    # tensor
    "kiln_tensor_compile": (E, [H, c_char_p, c_char_p, c_size_t, P(H)]),
    "kiln_tensor_program_free": (None, [H]),
    "kiln_tensor_kernel_count": (c_size_t, [H]),
    "kiln_tensor_kernel_get": (E, [H, c_char_p, P(H)]),
    "kiln_tensor_kernel_at": (E, [H, c_size_t, P(H)]),
    "kiln_tensor_kernel_free": (None, [H]),
    "kiln_tensor_kernel_name": (c_char_p, [H]),
    "kiln_tensor_kernel_param_count": (c_size_t, [H]),
    "kiln_tensor_kernel_param": (E, [H, c_size_t, P(c_char_p), P(c_int), P(c_int)]),
    "kiln_tensor_kernel_result": (None, [H, P(c_int), P(c_int)]),
    "kiln_tensor_result_shape": (E, [H, P(TensorArg), c_size_t, P(c_int32), P(c_int64)]),
    "kiln_tensor_run": (E, [H, P(TensorArg), c_size_t, P(Array), P(Scalar), c_uint32]),
    "kiln_tensor_bind": (E, [H, P(TensorArg), c_size_t, P(Array), c_uint32, P(H)]),
    "kiln_tensor_call_run": (c_int, [H, P(Scalar)]),
    "kiln_tensor_call_guard": (E, [H, c_void_p, c_size_t]),
    "kiln_tensor_call_free": (None, [H]),
    # faust
    "kiln_faust_factory_from_string": (E, [H, c_char_p, c_char_p, c_int, P(c_char_p),
                                           c_char_p, c_int, P(H)]),
    "kiln_faust_factory_from_file": (E, [H, c_char_p, c_int, P(c_char_p), c_char_p,
                                         c_int, P(H)]),
    "kiln_faust_factory_free": (None, [H]),
    "kiln_faust_factory_name": (c_char_p, [H]),
    "kiln_faust_factory_sha_key": (c_char_p, [H]),
    "kiln_faust_factory_target": (c_char_p, [H]),
    "kiln_faust_machine_target": (c_char_p, []),
    "kiln_faust_factory_write": (E, [H, c_int, c_char_p, P(H)]),
    "kiln_faust_factory_read": (E, [H, c_int, c_char_p, c_size_t, c_char_p, c_int, P(H)]),
    "kiln_faust_dsp_create": (E, [H, P(H)]),
    "kiln_faust_dsp_free": (None, [H]),
    "kiln_faust_dsp_inputs": (c_int, [H]),
    "kiln_faust_dsp_outputs": (c_int, [H]),
    "kiln_faust_dsp_init": (E, [H, c_int]),
    "kiln_faust_dsp_compute": (E, [H, c_int, c_void_p, c_void_p]),
    "kiln_faust_dsp_set_param": (E, [H, c_char_p, ctypes.c_float]),
    "kiln_faust_dsp_get_param": (E, [H, c_char_p, P(ctypes.c_float)]),
    "kiln_faust_dsp_param_count": (c_size_t, [H]),
    "kiln_faust_dsp_param_path": (E, [H, c_size_t, P(c_char_p)]),
    "kiln_faust_dsp_metadata": (E, [H, META_FN, c_void_p]),
}


def _candidates():
    """(path, why) pairs in search order; a folder is searched for NAMES."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = os.environ.get("KILN_LIBRARY")
    if env:
        yield from _in(env, "$KILN_LIBRARY")
        return  # an explicit choice: do not silently fall back
    yield from _in(os.path.join(here, "..", "..", "build", "lib"), "build tree")
    d = here
    for _ in range(6):  # <prefix>/lib/python3*/{dist,site}-packages/kiln
        d, child = os.path.dirname(d), d
        if d == child:
            break  # the root
        lib = os.path.join(d, "lib")
        if os.path.basename(d) != "lib" and os.path.isdir(lib):
            yield from _in(lib, "install prefix")
            for sub in sorted(os.listdir(lib)):
                if "-linux-" in sub:
                    yield from _in(os.path.join(lib, sub), "install prefix")
    yield ("libkiln.so.0", "system search path")


def _in(path, why):
    if os.path.isdir(path):
        for n in NAMES:
            yield (os.path.normpath(os.path.join(path, n)), why)
    else:
        yield (path, why)


def _open():
    tried = []
    for path, why in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} ({why}): no such file")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            if os.sep in path:  # the file is there: this is the real cause
                raise LoadError(f"libkiln at {path} ({why}) cannot be loaded: {e}") from None
            tried.append(f"{path} ({why}): {e}")
    raise LoadError("libkiln.so not found; set $KILN_LIBRARY to its path, or build it "
                    "(cmake --build build --target libkiln). Tried:\n  " + "\n  ".join(tried))


def check_version(library_number, binding_number=VERSION_NUMBER):
    """Raises VersionError unless the library serves this binding: the same
    major version and a library at least as new (kiln.h's rule)."""
    if (library_number // 10000 != binding_number // 10000
            or library_number < binding_number):
        raise VersionError(
            f"libkiln version mismatch: the library is {library_number} "
            f"({_dotted(library_number)}), this binding needs {binding_number} "
            f"({_dotted(binding_number)}) — same major version, library at least as new")


def _dotted(n):
    return f"{n // 10000}.{n // 100 % 100}.{n % 100}"


class _Lib:
    """The loaded library; attribute `kiln_x` is the prototyped function."""

    def __init__(self):
        self.cdll, self.path = _open()
        try:
            number = self.cdll.kiln_version_number
        except AttributeError:
            raise LoadError(f"{self.path} is not libkiln (no kiln_version_number)") from None
        number.restype, number.argtypes = c_uint32, []
        self.version_number = number()
        check_version(self.version_number)
        from . import _fastpath  # the optional compiled fast path, given this library
        _fastpath.attach(self)

    def __getattr__(self, name):
        restype, argtypes = PROTOTYPES[name]
        try:
            fn = getattr(self.cdll, name)
        except AttributeError:
            raise KilnError(f"{self.path} has no {name}: the library is older than "
                            "this binding or incomplete", code=11) from None
        fn.restype, fn.argtypes = restype, argtypes
        setattr(self, name, fn)
        return fn


_lock = threading.Lock()
_instance = None


def lib():
    """The loaded library (loaded on first use; LoadError says why not)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = _Lib()
    return _instance


def enc(text):
    """str -> bytes for char * arguments (None stays None). A NUL inside
    would silently end the string in C ("f\\0x" would name f), so it is
    refused; lone surrogates from os.fsdecode go back to their bytes."""
    if text is None:
        return None
    data = text if isinstance(text, bytes) else str(text).encode(errors="surrogateescape")
    if b"\0" in data:
        from ._errors import InvalidArgument
        raise InvalidArgument(f"{text!r} contains a NUL character")
    return data


def dec(raw):
    return raw.decode(errors="replace") if raw is not None else None
