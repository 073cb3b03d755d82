"""_errors: Kiln's exceptions, one class per kiln_error_code.

Every failing C call returns a kiln_error; the binding turns it into one of
these (never a printed message and a None result) and frees it. The
exception's str() is the text Kiln's tool prints (location, source line,
caret); the fields give the same facts as data: .code and .code_name, and
.diagnostics, a list of (file, line, col, message), with .file/.line/.col/
.message taken from the first. Classes that match a built-in idea also
derive from it (InvalidArgument is a ValueError, TimeoutError the built-in
TimeoutError), so ordinary `except ValueError` code keeps working.
"""
import builtins


class KilnError(Exception):
    """Base of every Kiln error. code: a kiln_error_code number."""

    code = 1
    code_name = "other"

    def __init__(self, message, code=None, diagnostics=None, rendered=None, code_name=None):
        super().__init__(rendered or message)
        if code is not None:
            self.code = code
        if code_name is not None:
            self.code_name = code_name
        self.message = message
        self.diagnostics = list(diagnostics or [])
        first = self.diagnostics[0] if self.diagnostics else ("", 0, 0, message)
        self.file, self.line, self.col = first[0] or None, first[1], first[2]


class CompileError(KilnError):
    """Source text that does not parse (code 2) or is not well-typed (3)."""
    code, code_name = 2, "parse"


class FileError(KilnError, OSError):
    """A file cannot be read or written (code 4)."""
    code, code_name = 4, "io"


class InvalidArgument(KilnError, ValueError):
    """Misuse: a wrong type, count, size, dtype, shape or name (code 5)."""
    code, code_name = 5, "invalid-argument"


class ClosedError(InvalidArgument):
    """An object used after close() (code 5)."""


class LinkError(KilnError):
    """A symbol is missing or defined twice, or the system linker failed (6)."""
    code, code_name = 6, "link"


class RuntimeTrap(KilnError):
    """Running code trapped: bounds, stack overflow, an assertion (code 7)."""
    code, code_name = 7, "runtime"


class TimeoutError(KilnError, builtins.TimeoutError):
    """The run's time limit ran out (code 8)."""
    code, code_name = 8, "timeout"


class VersionError(KilnError):
    """The library and this binding disagree on the ABI version (code 9)."""
    code, code_name = 9, "version"


class TargetError(KilnError):
    """An unknown triple or CPU, or running code built for another machine (10)."""
    code, code_name = 10, "target"


class InternalError(KilnError):
    """A bug in Kiln (code 11): please report it."""
    code, code_name = 11, "internal"


class LoadError(KilnError, ImportError):
    """libkiln.so cannot be found or loaded; the message says why."""


BY_CODE = {1: KilnError, 2: CompileError, 3: CompileError, 4: FileError,
           5: InvalidArgument, 6: LinkError, 7: RuntimeTrap, 8: TimeoutError,
           9: VersionError, 10: TargetError, 11: InternalError}
