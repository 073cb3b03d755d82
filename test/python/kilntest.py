"""kilntest: what the Python binding's tests share.

The tests run with Debian's /usr/bin/python3 under ctest, which sets
PYTHONPATH to python/ and KILN_LIBRARY to the built libkiln.so; run by hand
they find both from this file's place in the tree. Temporary files go under
a fresh mktemp-style folder, removed at the end.
"""
import os
import shutil
import sys
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

import kiln  # noqa: E402

try:
    import numpy as np  # noqa: F401
except ImportError:  # the tests that need NumPy say so when they skip
    np = None

#: A recursive fib in LLVM IR, shared by the IR and thread tests.
FIB_IR = """
define i64 @fib(i64 %n) {
entry:
  %small = icmp slt i64 %n, 2
  br i1 %small, label %done, label %recurse
done:
  ret i64 %n
recurse:
  %a = sub i64 %n, 1
  %b = sub i64 %n, 2
  %x = call i64 @fib(i64 %a)
  %y = call i64 @fib(i64 %b)
  %s = add i64 %x, %y
  ret i64 %s
}
"""


def needs_numpy(cls):
    return unittest.skipIf(np is None, "NumPy is not installed (python3-numpy)")(cls)


class TempDirTest(unittest.TestCase):
    """A test case with self.tmp, a new folder removed after each test."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kiln-python-")
        self.addCleanup(shutil.rmtree, self.tmp, True)


def main():
    unittest.main(verbosity=2)
