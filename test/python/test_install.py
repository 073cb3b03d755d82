"""python.install: the binding as `cmake --install` ships it — in
<prefix>/lib/python3/dist-packages/kiln, finding <prefix>/lib/libkiln.so.0
with no $KILN_LIBRARY and no build tree — compiles and calls a kernel."""
import os
import subprocess
import sys

from kilntest import TempDirTest, main

BUILD = os.environ.get("KILN_BUILD_DIR")


class Install(TempDirTest):
    def test_installed_package_finds_installed_library(self):
        if not BUILD:
            self.skipTest("KILN_BUILD_DIR is not set (ctest sets it)")
        prefix = os.path.join(self.tmp, "prefix")
        subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], check=True,
                       capture_output=True, timeout=600)
        site = os.path.join(prefix, "lib", "python3", "dist-packages")
        self.assertTrue(os.path.exists(os.path.join(site, "kiln", "__init__.py")))
        env = {k: v for k, v in os.environ.items() if k not in ("KILN_LIBRARY", "PYTHONPATH")}
        env["PYTHONPATH"] = site
        code = ("import ctypes, kiln, kiln.ir, kiln._fastpath\n"
                "print(kiln.load())\n"
                "print(kiln._fastpath.describe())\n"
                "m = kiln.ir.compile('define i64 @twice(i64 %x) {\\n  %r = mul i64 %x, 2\\n"
                "  ret i64 %r\\n}\\n')\n"
                "print(m.function('twice', ctypes.c_int64, [ctypes.c_int64])(21))\n")
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, cwd=self.tmp, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        lib = os.path.join(prefix, "lib")
        ext = os.environ.get("KILN_PYTHON_EXTENSION")  # the compiled fast path, when built
        path = f"extension {os.path.join(lib, os.path.basename(ext))}" if ext else None
        lines = p.stdout.splitlines()
        self.assertEqual([lines[0], lines[2]], [os.path.join(lib, "libkiln.so.0"), "42"])
        if path:  # installed next to libkiln.so.0 and found there
            self.assertEqual(lines[1], path)
        else:
            print(f"the compiled fast path is not built: {lines[1]}")


if __name__ == "__main__":
    main()
