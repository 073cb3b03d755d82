"""python.tensor: kernels on the caller's arrays without copying — out=,
allocated outputs, strided and broadcast views, bound calls, array.array and
memoryview without NumPy, and every misuse raising before anything is
written."""
import array
import os
import subprocess
import sys

from kilntest import ROOT, TempDirTest, kiln, main, needs_numpy, np
import kiln.tensor

SOURCE = """
kernel axpy(a: f32[], b: f32[], s: f32) -> f32[] = a * s + b
kernel fma_relu(a: f32[], b: f32[], c: f32[], alpha: f32) -> f32[] = relu(alpha * a * b + c)
kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)
kernel count_big(x: i32[], limit: i32) -> i64 = sum(i64(x > limit))
kernel big(x: i64[], limit: i64) -> bool[] = x > limit
kernel any_big(x: f64[]) -> bool = max(x) > 1.0
"""


@needs_numpy
class Tensor(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.p = kiln.tensor.compile(SOURCE, file="k.tk")

    def data(self, n=1000, dtype=np.float32, seed=1):
        return np.random.default_rng(seed).standard_normal(n).astype(dtype)

    def test_writes_into_the_callers_array(self):
        a, b = self.data(seed=1), self.data(seed=2)
        out = np.zeros_like(a)
        r = self.p.axpy(a, b, 2.0, out=out)
        self.assertIs(r, out)
        np.testing.assert_allclose(out, a * 2 + b, rtol=1e-6)
        got = self.p.axpy(a, b, 2.0)  # allocated
        self.assertEqual((got.dtype, got.shape), (np.float32, a.shape))
        np.testing.assert_array_equal(got, out)
        self.assertIs(self.p["axpy"], self.p.axpy)

    def test_strided_views_are_read_and_written_in_place(self):
        base = self.data(2000)
        b = self.data(1000, seed=3)
        out = np.full(2000, -1.0, np.float32)
        self.p.axpy(base[::2], b, 1.0, out=out[1::2])
        np.testing.assert_allclose(out[1::2], base[::2] + b, rtol=1e-6)
        self.assertTrue((out[::2] == -1.0).all())  # untouched between
        rev = self.p.axpy(base[::-2], b, 1.0)
        np.testing.assert_allclose(rev, base[::-2] + b, rtol=1e-6)
        m = self.data(12).reshape(3, 4)
        t = self.p.axpy(m.T, m.T, 0.5)
        np.testing.assert_allclose(t, m.T * 1.5, rtol=1e-6)

    def test_broadcasting(self):
        col = np.arange(3, dtype=np.float32).reshape(3, 1)
        row = np.arange(4, dtype=np.float32)
        r = self.p.axpy(col, row, 10.0)
        self.assertEqual(r.shape, (3, 4))
        np.testing.assert_array_equal(r, col * 10 + row)
        np.testing.assert_array_equal(self.p.axpy(row, 1.0, 2.0), row * 2 + 1)  # a Python number
        bc = np.broadcast_to(row, (3, 4))  # stride 0
        np.testing.assert_array_equal(self.p.axpy(bc, col, 1.0), bc + col)

    def test_reductions_and_other_dtypes(self):
        a, b = self.data(5000, np.float64), self.data(5000, np.float64, 9)
        self.assertAlmostEqual(self.p.dot(a, b), float(np.dot(a, b)), places=9)
        x = np.arange(100, dtype=np.int32)
        self.assertEqual(self.p.count_big(x, 89), 10)
        mask = self.p.big(np.arange(5, dtype=np.int64), 2)
        self.assertEqual(mask.dtype, np.bool_)
        self.assertEqual(mask.tolist(), [False, False, False, True, True])
        self.assertIs(self.p.any_big(np.array([0.5, 2.0])), True)

    def test_mismatch_raises_before_writing(self):
        a, b = self.data(), self.data(seed=2)
        out = np.full(1000, 7.0, np.float32)
        for bad_call in (lambda: self.p.axpy(a.astype(np.float64), b, 1.0, out=out),
                         lambda: self.p.axpy(a, b, 1.0, out=out.astype(np.float64)),
                         lambda: self.p.axpy(a, b[:999], 1.0, out=out),
                         lambda: self.p.axpy(a, b, 1.0, out=np.zeros(999, np.float32)),
                         lambda: self.p.axpy(a, b, out=out),
                         lambda: self.p.axpy(a, b, 1.0, 2.0, out=out),
                         lambda: self.p.axpy(a, b, "x", out=out),
                         lambda: self.p.axpy(a, b, b, out=out),
                         lambda: self.p.axpy(a.astype(">f4"), b, 1.0, out=out),
                         lambda: self.p.axpy(a.astype(np.float16), b, 1.0, out=out),
                         lambda: self.p.axpy(a.reshape(1, 1, 1, 1, 1000), b, 1.0),
                         lambda: self.p.count_big(np.arange(3, dtype=np.int32), 1.5),
                         lambda: self.p.dot(a, b, out=out)):
            with self.assertRaises(kiln.InvalidArgument):
                bad_call()
        self.assertTrue((out == 7.0).all())
        ro = np.zeros(1000, np.float32)
        ro.setflags(write=False)
        with self.assertRaises(kiln.InvalidArgument):
            self.p.axpy(a, b, 1.0, out=ro)
        odd = np.lib.stride_tricks.as_strided(np.zeros(100, np.uint8).view(np.float32)[:20],
                                              shape=(10,), strides=(6,))
        with self.assertRaisesRegex(kiln.InvalidArgument, "not a multiple"):
            self.p.axpy(odd, odd, 1.0)
        with self.assertRaises(kiln.InvalidArgument):
            self.p["nope"]

    def test_bound_call(self):
        a, b = self.data(), self.data(seed=2)
        out = np.zeros_like(a)
        call = self.p.axpy.bind(a, b, 3.0, out=out)
        self.assertIs(call(), out)
        np.testing.assert_allclose(out, a * 3 + b, rtol=1e-6)
        a[:] = 1.0  # contents may change between runs
        self.assertEqual(call.run(), 0)
        np.testing.assert_allclose(out, 3 + b, rtol=1e-6)
        dot = self.p.dot.bind(np.ones(10), np.full(10, 2.0))
        self.assertEqual(dot(), 20.0)
        self.assertEqual((dot.run(), dot.value), (0, 20.0))
        alloc = self.p.axpy.bind(a, b, 0.0)
        np.testing.assert_array_equal(alloc(), b)
        with self.assertRaises(kiln.InvalidArgument):
            self.p.axpy.bind(a, b[:5], 1.0, out=out)
        call.close()
        with self.assertRaises(kiln.ClosedError):
            call()
        with self.assertRaises(kiln.ClosedError):
            call.run()

    def test_bound_call_keeps_its_arrays(self):
        call = self.p.axpy.bind(np.ones(100, np.float32), np.ones(100, np.float32), 2.0)
        import gc
        gc.collect()
        np.testing.assert_array_equal(call(), np.full(100, 3.0, np.float32))

    def test_lifetimes(self):
        e = kiln.Engine()
        p = kiln.tensor.compile(SOURCE, engine=e)
        k = p.axpy
        e.close()
        p.close()
        with self.assertRaises(kiln.ClosedError):
            p["axpy"]
        one = np.ones(4, np.float32)
        np.testing.assert_array_equal(k(one, one, 1.0), one * 2)  # kernels outlive program
        bound = k.bind(one, one, 2.0)
        k.close()
        with self.assertRaises(kiln.ClosedError):
            k(one, one, 1.0)
        with self.assertRaises(kiln.ClosedError):
            k.bind(one, one, 1.0)
        np.testing.assert_array_equal(bound(), one * 3)  # the bound call keeps its code

    def test_compile_error_is_located(self):
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.tensor.compile("kernel f(a: f32[]) -> f32[] =\n  a + undefined_name\n",
                                file="bad.tk")
        e = cm.exception
        self.assertEqual((e.file, e.line), ("bad.tk", 2))
        self.assertIn("bad.tk:2:", str(e))


class WithoutNumPy(TempDirTest):
    def test_array_and_memoryview_buffers(self):
        """A child python3 in which `import numpy` fails."""
        code = r"""
import sys; sys.modules["numpy"] = None
import array, kiln.tensor
p = kiln.tensor.compile("kernel axpy(a: f32[], b: f32[], s: f32) -> f32[] = a * s + b\n"
                        "kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)")
a = array.array("f", [1, 2, 3, 4]); b = array.array("f", [10, 20, 30, 40])
out = array.array("f", [0] * 4)
p.axpy(a, b, 2.0, out=out); print(list(out))
r = p.axpy(memoryview(a)[::2], memoryview(b)[::2], 1.0); print(type(r).__name__, r.tolist())
m = memoryview(array.array("f", range(6))).cast("B").cast("f", [2, 3])
print(p.axpy(m, m, 1.0).tolist())
print(p.dot(array.array("d", [1, 2]), array.array("d", [3, 4])))
ro = memoryview(bytes(16)).cast("f")
try: p.axpy(a, b, 1.0, out=ro)
except kiln.InvalidArgument as e: print("read-only refused")
"""
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [
            "[12.0, 24.0, 36.0, 48.0]", "memoryview [11.0, 33.0]",
            "[[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]]", "11.0", "read-only refused"])


if __name__ == "__main__":
    main()
