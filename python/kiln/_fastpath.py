"""_fastpath: finds the optional compiled fast path, kiln._kiln_fast.

Why: a ctypes call costs about 0.3 µs, as much as a thousand-element kernel
or 256 frames of a light Faust DSP. The extension (python/ext/kiln_fast.c)
runs the binding's hot calls in C — a kernel's repeated plain call (the
_callcache replay), a BoundCall, Dsp.compute — with the GIL released around
libkiln as before (but a Faust compute predicted under 2 µs: fast_faust.c).
It is an accelerator, not a requirement: the binding stays pure ctypes and
works the same with nothing built but libkiln.so.

Where it comes from: Kiln's CMake build compiles it when Python's headers
are installed and puts it next to libkiln.so (build/lib, <prefix>/lib), so
it is looked for in the folder of the library _lib.py will load (not
loaded here: that stays lazy). Setting KILN_PYTHON_NO_EXTENSION to anything
but "" or "0" turns it off; so does a build for another Python (its file
name carries the interpreter's ABI tag). Every case the C code does not
fully recognise runs the Python method it wraps, so errors are the same.
"""
import ctypes
import importlib.machinery
import importlib.util
import os

from . import _lib

NAME = "_kiln_fast"
KERNEL_CALL, BOUND_CALL, DSP_COMPUTE = 0, 1, 2


def _library_folder():
    """The folder of the first libkiln.so that _lib.py would try and that
    exists, or None (the system search path: no folder to look in)."""
    for path, _why in _lib._candidates():
        if os.sep in path and os.path.exists(path):
            return os.path.dirname(path)
    return None


def _load():
    """(module or None, why)."""
    if os.environ.get("KILN_PYTHON_NO_EXTENSION", "") not in ("", "0"):
        return None, "ctypes (KILN_PYTHON_NO_EXTENSION is set)"
    folder = _library_folder()
    if folder is None:
        return None, "ctypes (no libkiln.so folder to look in)"
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, NAME + suffix)
        if os.path.exists(path):
            try:
                spec = importlib.util.spec_from_file_location("kiln." + NAME, path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            except ImportError as e:
                return None, f"ctypes ({path} cannot be loaded: {e})"
            return module, f"extension {path}"
    return None, f"ctypes (no {NAME} for this Python in {folder})"


ext, _why = _load()


def describe():
    """Which path the hot calls take: "extension <path>" or "ctypes (why)"."""
    return _why


def method(kind, slow, helper=None):
    """`slow` itself without the extension; else a method descriptor that
    runs `kind`'s hot case in C and calls `slow` with the same arguments for
    everything else."""
    return slow if ext is None else ext.Method(kind, slow, helper)


def dsp_class(cls):
    """Tells the extension which class's `_cache` slot Dsp.compute may read
    directly (instances of exactly that class)."""
    if ext is not None:
        ext.dsp_class(cls)


def runner(call, scalar, dtype, out, keep):
    """A C callable running bound call `call` (an int handle), returning
    kiln_tensor_call_run's code as the ctypes partial does; None without
    the extension. scalar: the result's ctypes Scalar or None (elementwise);
    dtype: the result's dtype or -1 (the one libkiln writes); out: what the
    call returns; keep: what must outlive the Runner (the handle's owner)."""
    if ext is None:
        return None
    run = ctypes.cast(_lib.lib().kiln_tensor_call_run, ctypes.c_void_p).value
    address = ctypes.addressof(scalar) if scalar is not None else 0
    return ext.Runner(run, int(call), address, dtype, out, (keep, scalar))


def attach(lib):
    """Hands the freshly loaded, version-checked library's compute function
    to the extension (_lib.lib() calls this once)."""
    if ext is not None:
        ext.init(ctypes.cast(lib.cdll.kiln_faust_dsp_compute, ctypes.c_void_p).value)
