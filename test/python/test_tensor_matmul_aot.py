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
kernel tanh32(a: f32[], b: f32[]) -> f32[] = tanh(a @ b)
kernel tanh64(a: f64[], b: f64[]) -> f64[] = tanh(a @ b)
kernel exp32(a: f32[], b: f32[]) -> f32[] = exp(a @ b)
kernel exp64(a: f64[], b: f64[]) -> f64[] = exp(a @ b)
kernel softplus32(a: f32[], b: f32[], c: f32[]) -> f32[] = log(1 + exp(a @ b + c))
kernel sig64(a: f64[], b: f64[]) -> f64[] = sigmoid(a @ b)
kernel pow32(a: f32[], b: f32[]) -> f32[] = pow(abs(a @ b) + 0.5, 1.5)
kernel sin64(a: f64[], b: f64[]) -> f64[] = sin(a @ b)
"""
# Transcendental epilogues: kernel -> (dtype, NumPy's meaning of the
# epilogue on the f64 product z, bias c or None).
TRANSCENDENTAL = {
    "tanh32": (np.float32, lambda z, c: np.tanh(z)),
    "tanh64": (np.float64, lambda z, c: np.tanh(z)),
    "exp32": (np.float32, lambda z, c: np.exp(z)),
    "exp64": (np.float64, lambda z, c: np.exp(z)),
    "softplus32": (np.float32, lambda z, c: np.log1p(np.exp(z + c))),
    "sig64": (np.float64, lambda z, c: 1 / (1 + np.exp(-z))),
    "pow32": (np.float32, lambda z, c: (np.abs(z) + 0.5) ** 1.5),
    "sin64": (np.float64, lambda z, c: np.sin(z)),
}
# Small, odd and remainder shapes around every register block (AVX-512
# 8 x 32 f32 / 8 x 16 f64, AVX2 6 x 16 / 6 x 8, SSE 4 x 8 / 4 x 4): partial
# tiles in rows and columns, rows of fewer columns than the epilogue
# loop's widest vector, K = 0, and a product cut between threads.
EPILOGUE_SHAPES = [(1, 1, 1), (3, 7, 16), (3, 7, 17), (5, 9, 33), (7, 3, 15),
                   (8, 16, 32), (9, 5, 31), (13, 11, 47), (2, 4, 100),
                   (17, 40, 70), (4, 0, 9), (260, 130, 170)]
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
        # The library (`kiln tensor build`'s default -O3) and the JIT at the
        # same level: the loop vectorizer may pick other widths for a
        # transcendental at -O2 (docs/tensor-matmul.md, "AOT libraries").
        cls.lib = cls.build(source, "mm", "-O3")
        cls.jit = kiln.tensor.compile(source, file="mm.tk", opt_level=3)

    @classmethod
    def build(cls, source, name, level):
        path = os.path.join(cls.dir, name + ".tk")
        with open(path, "w") as f:
            f.write(source)
        build = os.environ.get("KILN_BUILD_DIR", os.path.join(ROOT, "build"))
        lib = os.path.join(cls.dir, "lib" + name + ".so")
        r = subprocess.run([os.path.join(build, "bin", "kiln"), "tensor", "build", level,
                            path, "-o", lib], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        lib = ctypes.CDLL(lib)
        getattr(lib, name + "_last_error").restype = ctypes.c_char_p
        return lib

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.dir, True)

    def rand(self, *shape, dtype=np.float32, seed=1):
        return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)

    def call(self, name, args, out=None, result=None, lib=None):
        """The library's kernel `name` on numpy arrays/scalars; its code."""
        fn = getattr(lib or self.lib, name)
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

    def agree(self, name, args, shape, dtype, want, lib=None, jit=None):
        out = np.full(shape, np.nan, dtype)
        rc = self.call(name, args, out=out, lib=lib)
        self.assertEqual(rc, 0, self.lib.mm_last_error())
        jit = getattr(jit or self.jit, name)(*args)
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

    def test_transcendental_epilogues_equal_the_jit(self):
        # Issue 18: a library sent every product whose operands do not
        # broadcast into the output (any non-square one) down the unfused
        # path, whose exp/tanh/... round differently from the JIT's fused
        # tile (tanh(a @ b) of [3, 7] @ [7, 16] differed in 19 of 48).
        # At -O3 and, with a library and JIT of their own, at -O2 (where,
        # before the tile's epilogue loop was vectorized at the tile's own
        # width, f32 pow took Kiln's 16-lane routine and -O3 libmvec's
        # 8-lane one).
        source = "".join(line + "\n" for line in EXTRA.splitlines()
                         if line.split("(")[0][7:] in TRANSCENDENTAL)
        o2 = (self.build(source, "o2", "-O2"),
              kiln.tensor.compile(source, file="o2.tk", opt_level=2))
        for level, (lib, jit) in (("-O3", (self.lib, self.jit)), ("-O2", o2)):
            for name, (dtype, fn) in TRANSCENDENTAL.items():
                for m, k, n in EPILOGUE_SHAPES:
                    with self.subTest(level=level, kernel=name, shape=(m, k, n)):
                        a = self.rand(m, k, dtype=dtype)
                        b = self.rand(k, n, dtype=dtype, seed=2)
                        c = self.rand(n, dtype=dtype, seed=3)
                        args = [a, b, c] if name.startswith("softplus") else [a, b]
                        want = fn(a.astype(np.float64) @ b, c.astype(np.float64))
                        self.agree(name, args, (m, n), dtype, want, lib, jit)

    def test_transcendental_epilogues_on_views_equal_the_jit(self):
        # A transposed operand (fused), and a step-2 output (unfused in
        # both: the rest kernel after the product's temporary).
        for name in ("tanh32", "exp64"):
            dtype, fn = TRANSCENDENTAL[name]
            at, b = self.rand(11, 5, dtype=dtype), self.rand(11, 19, dtype=dtype, seed=2)
            want = fn(at.T.astype(np.float64) @ b, None)
            self.agree(name, [at.T, b], (5, 19), dtype, want)
            wide = np.full((5, 38), np.nan, dtype)
            self.assertEqual(self.call(name, [at.T, b], out=wide[:, ::2]), 0)
            jit = np.full((5, 38), np.nan, dtype)
            getattr(self.jit, name)(at.T, b, out=jit[:, ::2])
            np.testing.assert_array_equal(wide, jit)

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
