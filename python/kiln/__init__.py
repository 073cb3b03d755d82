"""kiln: Python binding of Kiln's C API (libkiln.so) — pure ctypes.

Modules: kiln.ir (LLVM IR to native functions), kiln.relay (Relay programs),
kiln.tensor (fused kernels on NumPy arrays, no copies), kiln.faust (Faust
DSPs with cyfaust's names). Errors are exceptions derived from KilnError.
libkiln is found through $KILN_LIBRARY, the build tree or the install prefix
(see kiln._lib and docs/python.md); it is loaded on first use, so importing
kiln never fails for want of it — kiln.load() loads it now and says why not.
"""
from ._errors import (ClosedError, CompileError, FileError, InternalError, InvalidArgument,
                      KilnError, LinkError, LoadError, RuntimeTrap, TargetError, TimeoutError,
                      VersionError)
from ._engine import Engine
from . import faust, ir, relay, tensor  # noqa: F401
from ._lib import VERSION_NUMBER

__all__ = ["Engine", "KilnError", "CompileError", "FileError", "InvalidArgument",
           "ClosedError", "LinkError", "RuntimeTrap", "TimeoutError", "VersionError",
           "TargetError", "InternalError", "LoadError", "load", "version", "library_path", "fast_path",
           "VERSION_NUMBER", "ir", "relay", "tensor", "faust"]
__version__ = "0.2.0"


def load():
    """Loads libkiln now (LoadError/VersionError say why not); returns its path."""
    from ._lib import lib
    return lib().path


def library_path():
    return load()


def fast_path():
    """Which path the hot calls take: "extension <path>" (the compiled fast
    path, python/ext) or "ctypes (why not)"; docs/python.md."""
    from ._fastpath import describe
    return describe()


def version():
    """The library's version string, e.g. "0.2.0"."""
    from ._lib import dec, lib
    return dec(lib().kiln_version())
