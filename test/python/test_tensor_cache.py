"""python.tensor_cache: repeated plain kernel calls replay a cached, guarded
bound call (python/kiln/_callcache.py), and every change to the arrays or
scalars gives the right result anyway: contents mutated in place, another
array of the same shape, `a.shape =`, `a.strides =`, `a.dtype =`, resize,
a read-only out, views at other offsets, signed zeros, dead arrays whose id
comes back, buffers that are never cached, closed kernels."""
import array
import gc

from kilntest import TempDirTest, kiln, main, needs_numpy, np
import kiln.tensor
from kiln import _callcache

SOURCE = """
kernel axpy(a: f32[], b: f32[], s: f32) -> f32[] = a * s + b
kernel inv(a: f64[], s: f64) -> f64[] = a / s
kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)
kernel rowsum(m: f64[]) -> f64[] = sum(m, axis=1)
"""


@needs_numpy
class TensorCache(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.p = kiln.tensor.compile(SOURCE, file="cache.tk")

    def setUp(self):
        super().setUp()
        self.runs = 0  # general-path calls of every kernel, counted
        for k in self.p.kernels.values():
            k._calls = _callcache.CallCache()
            k._bindable = True
            general = type(k)._run

            def counted(args, out, threads, k=k, general=general):
                self.runs += 1
                return general(k, args, out, threads)
            k._run = counted

    def data(self, n=64, dtype=np.float32, seed=1):
        return np.random.default_rng(seed).standard_normal(n).astype(dtype)

    def axpy_ok(self, a, b, s, out):
        got = self.p.axpy(a, b, s, out=out)
        self.assertIs(got, out)
        np.testing.assert_allclose(out, a * np.float32(s) + b, rtol=1e-6)

    def test_repeated_calls_replay_and_see_mutations(self):
        a, b, out = self.data(), self.data(seed=2), np.empty(64, np.float32)
        for _ in range(5):
            self.axpy_ok(a, b, 2.0, out)
            a += 1  # in place: the same memory, new contents
        self.assertEqual(self.runs, 1)  # the first call; the second bound it
        self.assertEqual(len(self.p.axpy._calls), 1)

    def test_another_array_of_the_same_shape(self):
        a, b, out = self.data(), self.data(seed=2), np.empty(64, np.float32)
        for _ in range(3):
            self.axpy_ok(a, b, 2.0, out)
        a2 = self.data(seed=3)
        for _ in range(3):
            self.axpy_ok(a2, b, 2.0, out)
        self.axpy_ok(a, b, 2.0, out)
        self.assertEqual(len(self.p.axpy._calls), 2)

    def test_layout_changed_in_place(self):
        a, b, out = self.data(), self.data(seed=2), np.empty(64, np.float32)
        for _ in range(3):
            self.axpy_ok(a, b, 2.0, out)
        a.shape = (8, 8)  # the same memory, another shape: broadcasting now fails
        with self.assertRaises(kiln.InvalidArgument):
            self.p.axpy(a, b, 2.0, out=out)
        a.shape = (64,)
        for _ in range(3):
            self.axpy_ok(a, b, 2.0, out)
        w = np.zeros(128, np.float32)
        v = w[:64]
        for _ in range(3):
            self.axpy_ok(v, b, 1.0, out)
        v.strides = (8,)  # every other element of w
        w[:] = np.arange(128)
        self.axpy_ok(v, b, 1.0, out)
        np.testing.assert_allclose(out, np.arange(0, 128, 2) + b, rtol=1e-6)

    def test_dtype_changed_in_place(self):
        a, b, out = self.data(), self.data(seed=2), np.empty(64, np.float32)
        for _ in range(3):
            self.axpy_ok(a, b, 2.0, out)
        a.dtype = np.int32  # the same bytes read as int32
        with self.assertRaises(kiln.InvalidArgument):
            self.p.axpy(a, b, 2.0, out=out)

    def test_resize_and_read_only_out(self):
        a, b, out = self.data(), self.data(seed=2), np.empty(64, np.float32)
        for _ in range(3):
            self.axpy_ok(a, b, 2.0, out)
        a.resize(64 * 1024, refcheck=False)  # the data moves; the cache holds no reference
        a.resize(64, refcheck=False)
        a[:] = 5
        self.axpy_ok(a, b, 2.0, out)
        self.axpy_ok(a, b, 2.0, out)
        out.setflags(write=False)
        before = out.copy()
        with self.assertRaises(kiln.InvalidArgument):
            self.p.axpy(a, b, 2.0, out=out)  # the cached call, now refused
        np.testing.assert_array_equal(out, before)

    def test_views_at_other_offsets(self):
        base, b = self.data(200), self.data(seed=2)
        out = np.empty(64, np.float32)
        for i in range(0, 100, 7):  # fresh slices: new objects, other data pointers
            self.axpy_ok(base[i:i + 64], b, 2.0, out)
        v = base[10:74]
        for _ in range(_callcache.CallCache.MAX_NEEDED + 1):  # binding backs off after slices
            self.axpy_ok(v, b, 2.0, out)
        self.assertEqual(len(self.p.axpy._calls), 1)

    def test_scalars(self):
        a, out = np.linspace(1, 2, 16), np.empty(16)
        zero, minus_zero = 0.0, -0.0
        for _ in range(3):
            self.p.inv(a, zero, out=out)
            self.assertTrue(np.all(out == np.inf))
            self.p.inv(a, minus_zero, out=out)
            self.assertTrue(np.all(out == -np.inf))
        for s in (2.0, 2, np.float64(2.0), True, 4.0, float("nan")):
            for _ in range(3):
                self.p.inv(a, s, out=out)
                np.testing.assert_array_equal(out, a / float(s))
        ref = np.empty(16)
        for i in range(40):  # a fresh scalar object on every call
            s = 1.0 + i / 8
            self.p.inv(a, s, out=out)
            np.divide(a, s, out=ref)
            np.testing.assert_array_equal(out, ref)

    def test_dead_arrays_ids_coming_back(self):
        b, out = self.data(seed=2), np.empty(64, np.float32)
        for i in range(20):  # new arrays, often at a freed array's id and memory
            a = np.full(64 + i % 3, float(i), np.float32)[:64]
            for _ in range(3):
                self.axpy_ok(a, b, 1.0, out)
            del a
            gc.collect()
            x = 1.5  # other objects at the freed ids
            self.assertEqual(self.p.dot(np.ones(3), np.full(3, x)), 4.5)

    def test_bad_calls_do_not_stop_caching(self):
        a, b, out = self.data(), self.data(seed=2), np.empty(64, np.float32)
        for _ in range(3):
            with self.assertRaises(kiln.InvalidArgument):
                self.p.axpy(a, b[:10], 2.0, out=out)
        for _ in range(3):
            self.axpy_ok(a, b, 2.0, out)
        self.assertEqual(len(self.p.axpy._calls), 1)

    def test_threads_share_a_kernel_and_arrays(self):
        import threading
        a, b = self.data(4096), self.data(4096, seed=2)
        outs = [np.empty(4096, np.float32) for _ in range(4)]
        errors = []

        def work(i):
            try:
                for j in range(200):
                    o = outs[i] if j % 2 else outs[(i + 1) % 4]
                    self.p.axpy(a, b, 2.0, out=o)
                    self.assertAlmostEqual(self.p.dot(a.astype(np.float64), np.ones(4096)),
                                           float(a.astype(np.float64).sum()), places=6)
            except Exception as e:  # reported below
                errors.append(e)
        ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        for o in outs:
            np.testing.assert_allclose(o, a * 2 + b, rtol=1e-6)

    def test_reductions(self):
        a, b = self.data(100, np.float64), self.data(100, np.float64, 2)
        for _ in range(4):
            self.assertAlmostEqual(self.p.dot(a, b), float(np.dot(a, b)), places=10)
            a *= 2
        self.assertEqual(self.runs, 1)

    def test_not_cached(self):
        m = np.arange(12, dtype=np.float64).reshape(3, 4)
        for _ in range(4):  # no out=: each call returns a new array
            np.testing.assert_array_equal(self.p.rowsum(m), m.sum(axis=1))
        self.assertEqual(len(self.p.rowsum._calls), 0)
        o = np.empty(3)
        for v in (1.0, 2.0, 3.0, 4.0):  # an axis-reducing kernel with out=
            m[0, 0] = v  # is cached (bound as a staged plan) and sees writes
            self.p.rowsum(m, out=o)
            np.testing.assert_array_equal(o, m.sum(axis=1))
        self.assertEqual(len(self.p.rowsum._calls), 1)
        a = array.array("f", [1, 2, 3])
        out = array.array("f", [0, 0, 0])
        for _ in range(3):  # buffers that could be resized
            self.p.axpy(a, a, 1.0, out=out)
        a.append(4)  # would raise BufferError if a view were kept
        self.assertEqual(list(out), [2, 4, 6])
        self.assertEqual(len(self.p.axpy._calls), 0)
        s = np.array(2.0, np.float32)  # a 0-d array for a scalar: mutable
        x, o = self.data(), np.empty(64, np.float32)
        for v in (2.0, 3.0, 4.0):
            s[()] = v
            self.p.axpy(x, x, s, out=o)
            np.testing.assert_allclose(o, x * v + x, rtol=1e-6)

    def test_cache_is_bounded_and_closed_kernels_raise(self):
        b = self.data(seed=2)
        keep = []
        for i in range(_callcache.MAX_ENTRIES + 4):
            a, out = np.full(64, float(i), np.float32), np.empty(64, np.float32)
            keep.append((a, out))
            for _ in range(2):
                self.axpy_ok(a, b, 1.0, out)
        self.assertEqual(len(self.p.axpy._calls), _callcache.MAX_ENTRIES)
        p = kiln.tensor.compile(SOURCE)
        a, out = keep[0]
        for _ in range(3):
            p.axpy(a, b, 1.0, out=out)
        p.axpy.close()
        with self.assertRaises(kiln.ClosedError):
            p.axpy(a, b, 1.0, out=out)


if __name__ == "__main__":
    main()
