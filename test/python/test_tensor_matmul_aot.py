"""python.tensor_matmul_aot: `a @ b` in a `kiln tensor build` library — the
docs' example file (examples/tensor/matmul.tk) plus a few kernels of this
test built into a shared library, called through ctypes with the generated
header's calling convention (strided views, strides in elements), against
NumPy and, bit for bit, the JIT (the library runs the JIT's plan with the
same tile shape, blocks and summation order): odd sizes, K = 0, batched
products with broadcast batch dimensions, transposed and step-2 views, 1-D
operands, a scalar epilogue parameter, axis reductions beside and inside
products,
outputs the fused path cannot take,
call errors and a temporary beyond the machine's memory."""
import ctypes
import os
import subprocess

from kilntest import ROOT, TempDirTest, kiln, main, needs_numpy, np
import kiln.tensor

EXAMPLE = os.path.join(ROOT, "examples", "tensor", "matmul.tk")
EXTRA = """
kernel scaled(a: f64[], b: f64[], s: f64, c: f64[]) -> f64[] = (a @ b) * s + c
kernel plain(a: f32[], b: f32[]) -> f32[] = a @ b
kernel logits(x: f32[], w: f32[]) -> f32[] = exp(x @ w - logsumexp(x @ w, axis=-1, keepdims))
kernel centered(x: f64[], w: f64[]) -> f64[] = (x - mean(x, axis=0, keepdims)) @ w
"""
DTYPES = {np.dtype(np.float32): 3, np.dtype(np.float64): 4}


class Array(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("shape", ctypes.c_int64 * 4),
                ("strides", ctypes.c_int64 * 4)]


def view(a):
    v = Array()
    v.data = a.ctypes.data
    v.dtype = DTYPES[a.dtype]
    v.rank = a.ndim
    for d in range(a.ndim):
        v.shape[d] = a.shape[d]
        v.strides[d] = a.strides[d] // a.itemsize
    return v


@needs_numpy
class TensorMatmulAot(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.dir = tempfile.mkdtemp(prefix="kiln-mmaot-")
        with open(EXAMPLE) as f:
            source = f.read() + EXTRA
        path = os.path.join(cls.dir, "mm.tk")
        with open(path, "w") as f:
            f.write(source)
        build = os.environ.get("KILN_BUILD_DIR", os.path.join(ROOT, "build"))
        lib = os.path.join(cls.dir, "libmm.so")
        r = subprocess.run([os.path.join(build, "bin", "kiln"), "tensor", "build", path,
                            "-o", lib], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        cls.lib = ctypes.CDLL(lib)
        cls.lib.mm_last_error.restype = ctypes.c_char_p
        cls.jit = kiln.tensor.compile(source, file="mm.tk")

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.dir, True)

    def rand(self, *shape, dtype=np.float32, seed=1):
        return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)

    def call(self, name, args, out=None, result=None):
        """The library's kernel `name` on numpy arrays/scalars; its code."""
        fn = getattr(self.lib, name)
        cargs, keep = [], []
        for a in args:
            if isinstance(a, np.ndarray):
                keep.append(view(a))
                cargs.append(ctypes.pointer(keep[-1]))
            else:
                cargs.append(ctypes.c_double(a))
        if out is not None:
            keep.append(view(out))
            cargs.append(ctypes.pointer(keep[-1]))
        else:
            cargs.append(ctypes.byref(result))
        return fn(*cargs)

    def agree(self, name, args, shape, dtype, want):
        out = np.full(shape, np.nan, dtype)
        rc = self.call(name, args, out=out)
        self.assertEqual(rc, 0, self.lib.mm_last_error())
        jit = getattr(self.jit, name)(*args)
        np.testing.assert_array_equal(out, jit)  # the JIT's plan, bit for bit
        tol = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(out, want, rtol=tol, atol=tol * 10 * (1 + want.size ** 0.5))
        return out

    def test_layer_bias_relu_odd_sizes_and_k0(self):
        for m, k, n in [(64, 32, 16), (1, 1, 1), (37, 129, 33), (5, 0, 3), (130, 300, 70)]:
            x, w, b = self.rand(m, k), self.rand(k, n, seed=2), self.rand(n, seed=3)
            want = np.maximum(x.astype(np.float64) @ w + b, 0)
            self.agree("layer", [x, w, b], (m, n), np.float32, want)

    def test_transposed_and_step2_views(self):
        xt, wt = self.rand(45, 23), self.rand(31, 45, seed=2)[::2]  # w: step-2 rows
        x, w, b = xt.T, wt.T, self.rand(16, seed=3)
        self.agree("layer", [x, w, b], (23, 16), np.float32,
                   np.maximum(x.astype(np.float64) @ w + b, 0))
        self.agree("plain", [x, w], (23, 16), np.float32, x.astype(np.float64) @ w)

    def test_mlp_chain_and_batched(self):
        x, w1, b1 = self.rand(20, 30), self.rand(30, 40, seed=2), self.rand(40, seed=3)
        w2 = self.rand(7, 40, seed=4).T
        self.agree("mlp", [x, w1, b1, w2], (20, 7), np.float32,
                   np.maximum(x.astype(np.float64) @ w1 + b1, 0) @ w2)
        a = self.rand(3, 1, 4, 5, dtype=np.float64)
        b = self.rand(2, 5, 6, dtype=np.float64, seed=2)
        self.agree("batched", [a, b], (3, 2, 4, 6), np.float64, a @ b)
        self.agree("batched", [a[0, 0, 0], b], (2, 6), np.float64, a[0, 0, 0] @ b)  # 1-D

    def test_threaded_products_equal_the_jit(self):
        # Above 2^23 flops the library cuts a product between threads
        # (KILN_THREADS, default the CPUs online): by columns, rows or
        # batches, the epilogue at each block's own indices; the JIT's bytes.
        for m, k, n in [(300, 200, 260), (32, 2048, 512), (900, 64, 80)]:
            x, w, b = self.rand(m, k), self.rand(k, n, seed=2), self.rand(n, seed=3)
            want = np.maximum(x.astype(np.float64) @ w + b, 0)
            self.agree("layer", [x, w, b], (m, n), np.float32, want)
        a = self.rand(3, 1, 100, 120, dtype=np.float64)
        b = self.rand(2, 120, 150, dtype=np.float64, seed=2)
        self.agree("batched", [a, b], (3, 2, 100, 150), np.float64, a @ b)

    def test_scalar_epilogue_and_broadcast_bias(self):
        a, b = self.rand(9, 11, dtype=np.float64), self.rand(11, 13, dtype=np.float64, seed=2)
        c = self.rand(9, 1, dtype=np.float64, seed=3)
        self.agree("scaled", [a, b, 2.5, c], (9, 13), np.float64, a @ b * 2.5 + c)
        big = self.rand(2, 9, 13, dtype=np.float64, seed=4)  # broadcasts the product larger
        self.agree("scaled", [a, b, -1.0, big], (2, 9, 13), np.float64, a @ b * -1.0 + big)

    def test_axis_reductions_beside_and_inside_products(self):
        # The rest of the body is a staged kernel over the product's temporary.
        x, w = self.rand(37, 50), self.rand(29, 50, seed=2).T
        z = x.astype(np.float64) @ w
        e = np.exp(z - z.max(-1, keepdims=True))
        self.agree("logits", [x, w], (37, 29), np.float32, e / e.sum(-1, keepdims=True))
        # An operand with an axis reduction: a staged step into a temporary.
        x, w = self.rand(40, 30, dtype=np.float64), self.rand(30, 9, dtype=np.float64, seed=2)
        self.agree("centered", [x, w], (40, 9), np.float64, (x - x.mean(0, keepdims=True)) @ w)

    def test_reduction_of_products(self):
        a, b = self.rand(6, 5, dtype=np.float64), self.rand(5, 4, dtype=np.float64, seed=2)
        got = ctypes.c_double()
        self.assertEqual(self.call("frobenius", [a, b], result=got), 0)
        self.assertEqual(got.value, self.jit.frobenius(a, b))
        self.assertAlmostEqual(got.value, float(np.sum((a @ b) ** 2)), places=10)

    def test_outputs_the_fused_path_cannot_take(self):
        x, w, b = self.rand(8, 6), self.rand(6, 10, seed=2), self.rand(10, seed=3)
        want = np.maximum(x.astype(np.float64) @ w + b, 0)
        wide = np.full((8, 20), np.nan, np.float32)
        self.assertEqual(self.call("layer", [x, w, b], out=wide[:, ::2]), 0)  # stride 2
        np.testing.assert_allclose(wide[:, ::2], want, rtol=1e-5, atol=1e-5)
        sq = self.rand(6, 6)
        want = sq.astype(np.float64) @ sq
        self.assertEqual(self.call("plain", [sq, sq], out=sq), 0)  # out is an operand
        np.testing.assert_allclose(sq, want, rtol=1e-5, atol=1e-5)

    def test_call_errors(self):
        out = np.zeros((2, 5), np.float32)
        self.assertEqual(self.call("plain", [self.rand(2, 3), self.rand(4, 5)], out=out), 1)
        self.assertEqual(self.lib.mm_last_error(),
                         b"'@': inner dimensions differ: [2, 3] @ [4, 5] (3 != 4)")
        self.assertEqual(self.call("plain", [self.rand(2, 3, dtype=np.float64),
                                             self.rand(3, 5)], out=out), 1)
        self.assertIn(b"dtype f64 does not match", self.lib.mm_last_error())
        bad = np.zeros((3, 5), np.float32)
        self.assertEqual(self.call("plain", [self.rand(2, 3), self.rand(3, 5)], out=bad), 1)
        self.assertIn(b"output: shape [3, 5]", self.lib.mm_last_error())
        self.assertEqual(self.call("plain", [self.rand(2, 3), self.rand(3, 5)], out=out), 0)
        self.assertEqual(self.lib.mm_last_error(), b"")

    def test_a_temporary_beyond_memory_is_an_error(self):
        # sum((a @ b) * (a @ b)) of [1e6, 1] @ [1, 1e6] broadcast views: an
        # 8 TB temporary is refused, not allocated lazily and then written.
        n = 10 ** 6
        a = np.broadcast_to(np.ones(1), (n, 1))
        b = np.broadcast_to(np.ones(1), (1, n))
        got = ctypes.c_double()
        self.assertEqual(self.call("frobenius", [a, b], result=got), 2)  # ENOMEM
        self.assertEqual(self.lib.mm_last_error(),
                         b"out of memory for a matrix product's temporaries")


if __name__ == "__main__":
    main()
