"""python.loader: how kiln finds libkiln.so and why it says it cannot.

Each case runs a fresh /usr/bin/python3 (the library is loaded once per
process) with $KILN_LIBRARY pointing at a missing file, a file that is not
a library, a library whose dependency is gone, and a library that reports
another ABI version; the exception must name the real cause.
"""
import os
import subprocess
import sys

from kilntest import ROOT, TempDirTest, kiln, main

PROBE = ("import sys; sys.path.insert(0, %r); import kiln\n"
         "try:\n    kiln.load(); print('LOADED')\n"
         "except kiln.KilnError as e:\n    print(type(e).__name__); print(e)\n") % os.path.join(ROOT, "python")


def probe(library):
    env = dict(os.environ, KILN_LIBRARY=library)
    p = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


class Loader(TempDirTest):
    def cc(self, name, code, *flags):
        src = os.path.join(self.tmp, name + ".c")
        with open(src, "w") as f:
            f.write(code)
        out = os.path.join(self.tmp, name)
        subprocess.run(["cc", "-shared", "-fPIC", src, "-o", out, *flags], check=True)
        return out

    def test_loads_and_reports_version(self):
        self.assertTrue(os.path.basename(kiln.load()).startswith("libkiln.so"))
        self.assertEqual(kiln.version(), "0.2.0")

    def test_missing_file_is_named(self):
        out = probe(os.path.join(self.tmp, "nowhere", "libkiln.so"))
        self.assertIn("LoadError", out)
        self.assertIn("nowhere/libkiln.so ($KILN_LIBRARY): no such file", out)

    def test_folder_without_library_lists_tried_names(self):
        out = probe(self.tmp)
        self.assertIn(os.path.join(self.tmp, "libkiln.so.0"), out)

    def test_not_a_library_gives_the_loader_message(self):
        path = os.path.join(self.tmp, "libkiln.so")
        with open(path, "w") as f:
            f.write("not an ELF file, but long enough to be read as a header by the loader\n" * 20)
        out = probe(path)
        self.assertIn("cannot be loaded", out)
        self.assertIn("invalid ELF header", out)

    def test_missing_dependency_is_named(self):
        dep = self.cc("libkilndep.so", "int dep(void) { return 1; }\n")
        lib = self.cc("libkiln.so", "int dep(void);\nunsigned kiln_version_number(void) "
                      "{ return 200u + dep(); }\n", "-L" + self.tmp, "-lkilndep")
        os.remove(dep)
        out = probe(lib)
        self.assertIn("LoadError", out)
        self.assertIn("libkilndep.so: cannot open shared object file", out)

    def test_abi_mismatch_names_both_versions(self):
        lib = self.cc("libkiln.so", "unsigned kiln_version_number(void) { return 10000u; }\n")
        out = probe(lib)
        self.assertIn("VersionError", out)
        self.assertIn("the library is 10000 (1.0.0), this binding needs 200 (0.2.0)", out)

    def test_version_rule(self):
        from kiln._lib import check_version
        check_version(200)
        check_version(215)  # newer minor: fine
        for bad in (199, 100, 10200):
            with self.assertRaises(kiln.VersionError) as cm:
                check_version(bad)
            self.assertIn(str(bad), str(cm.exception))

    def test_other_library_is_refused(self):
        lib = self.cc("libkiln.so", "int something_else(void) { return 0; }\n")
        self.assertIn("is not libkiln (no kiln_version_number)", probe(lib))


if __name__ == "__main__":
    main()
