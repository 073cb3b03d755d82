"""python.tensor_graph_aot: graphs and their gradients in a `kiln tensor
build` library — the docs' graph files (examples/tensor/graphs.tk, the MLP)
plus graphs of this test built into one shared library, called through
ctypes with the generated header's convention (a context, strided views in,
caller-owned results out), against the JIT (kiln.tensor_graph) on the same
inputs: broadcast gradients, axis reductions with and without keepdims,
max with ties, matrix products with batch dimensions and a 1-D operand,
strided inputs, size-0 dimensions, scalar and literal results, in-place
updates; then the errors: wrong shapes (the statement's position), dtypes,
NULL pointers, output shapes, overlapping outputs, a plan beyond memory.

The library runs the JIT's kernels and fusion; where the JIT drops a
no-op sum of a broadcast gradient, the library copies it, so results agree
to rounding (observed: bit for bit on these graphs; the check allows
1e-6 relative in f32, 1e-12 in f64)."""
import ctypes
import os
import subprocess

from kilntest import ROOT, TempDirTest, main, needs_numpy, np
import kiln
import kiln.tensor_graph
import test_tensor_matmul_aot as matmul_aot
from test_tensor_matmul_aot import Array, view  # the header's struct

EXTRA = """
graph bcast(x: f64[], b: f64[], s: f64) {
  y = tanh(x * b + s) + pow(x, 2) * 0.5;
  loss = sum(where(y > 0, y, y * 0.1)) / 3;
  dx, db, ds = grad(loss, [x, b, s]);
  return loss, dx, db, ds
}
graph axes(x: f64[]) {
  m = mean(x, axis=0);
  k = max(x, axis=-1, keepdims);
  loss = sum(m * m) + sum(k) + sum(sum(x, axis=(0, 1)));
  dx = grad(loss, [x]);
  return loss, m, k, dx
}
graph batched(a: f32[], b: f32[], v: f32[]) {
  p = a @ b;
  q = p @ v;
  loss = mean(q * q);
  da, db = grad(loss, [a, b]);
  return loss, p, da, db
}
graph spread(a: f64[], b: f64[], w: f64[]) {
  r = a + b;
  s = sum(r, axis=0);
  loss = sum(w * s);
  da = grad(loss, [a]);
  return da
}
graph ints(a: i32[], b: i64[], k: i32, flag: bool) {
  c = a * k + 1;
  m = c > 3;
  s = sum(c);
  w = where(m, b, b * 2);
  f = flag;
  return c, m, s, w, f
}
graph plain(x: f32[], y: f32[]) {
  two = 2.0;
  z = x * y;
  return z, two, x
}
"""
matmul_aot.DTYPES.update({np.dtype(np.bool_): 0, np.dtype(np.int32): 1,
                          np.dtype(np.int64): 2})  # view() of integer arrays
SCALARS = {0: ctypes.c_bool, 1: ctypes.c_int32, 2: ctypes.c_int64, 3: ctypes.c_float,
           4: ctypes.c_double}


@needs_numpy
class TensorGraphAot(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.dir = tempfile.mkdtemp(prefix="kiln-graphaot-")
        parts = [os.path.join(ROOT, "examples", "tensor", f)
                 for f in ("graphs.tk", os.path.join("mlp", "mlp.tk"))]
        cls.source = EXTRA
        for p in reversed(parts):
            with open(p) as f:
                cls.source = f.read() + cls.source
        path = os.path.join(cls.dir, "gr.tk")
        with open(path, "w") as f:
            f.write(cls.source)
        build = os.environ.get("KILN_BUILD_DIR", os.path.join(ROOT, "build"))
        lib = os.path.join(cls.dir, "libgr.so")
        r = subprocess.run([os.path.join(build, "bin", "kiln"), "tensor", "build", path,
                            "-o", lib], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        cls.lib = ctypes.CDLL(lib)
        cls.lib.gr_last_error.restype = ctypes.c_char_p
        cls.graphs = {}

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.dir, True)

    def rand(self, *shape, dtype=np.float64, seed=1):
        return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)

    def context(self, name):
        create = getattr(self.lib, name + "_create")
        create.restype = ctypes.c_void_p
        ctx = ctypes.c_void_p(create())
        self.assertTrue(ctx.value)
        self.addCleanup(getattr(self.lib, name + "_free"), ctx)
        return ctx

    def jit(self, name):
        if name not in self.graphs:
            self.graphs[name] = kiln.tensor_graph.compile(self.source, name)
        return self.graphs[name]

    def call(self, name, ctx, args, outs, fn="_run"):
        """The library's `name`_run (or _shapes) on numpy inputs; `outs`:
        arrays (or Array structs) for array results, ctypes scalars else."""
        cargs, keep = [ctx], []
        params = self.jit(name).params
        for i, a in enumerate(list(args) + list(outs)):
            if isinstance(a, np.ndarray):
                keep.append(view(a))
                cargs.append(ctypes.pointer(keep[-1]))
            elif isinstance(a, Array):
                cargs.append(ctypes.pointer(a))
            elif a is None:
                cargs.append(None)
            elif isinstance(a, tuple(SCALARS.values())):
                cargs.append(ctypes.byref(a))
            else:
                cargs.append(SCALARS[params[i][1]](a))  # by the parameter's dtype
        return getattr(self.lib, name + fn)(*cargs)

    def run_both(self, name, args, f32=False, ctx=None):
        """Runs the graph in the library and the JIT; asserts they agree."""
        jit = self.jit(name)(*args)
        outs = []
        for r, (_, dtype, _) in zip(jit, self.jit(name).results):
            if isinstance(r, np.ndarray):
                outs.append(np.full(r.shape, np.nan, r.dtype))
            else:
                outs.append(SCALARS[dtype]())
        ctx = ctx or self.context(name)
        rc = self.call(name, ctx, args, outs)
        self.assertEqual(rc, 0, self.lib.gr_last_error())
        tol = 1e-6 if f32 else 1e-12
        for got, want in zip(outs, jit):
            got = got if isinstance(got, np.ndarray) else got.value
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
        return outs

    def test_xent_and_mlp_gradients(self):
        z, y = self.rand(5, 7), np.eye(7)[[0, 3, 6, 1, 2]]
        self.run_both("xent", [z, y])
        rng = np.random.default_rng(4)
        x, t = rng.normal(size=(32, 4)).astype(np.float32), rng.normal(size=(32, 1)).astype(np.float32)
        w1, b1 = rng.normal(size=(4, 8)).astype(np.float32), np.zeros(8, np.float32)
        w2, b2 = rng.normal(size=(8, 1)).astype(np.float32), np.zeros(1, np.float32)
        self.run_both("grads", [x, t, w1, b1, w2, b2], f32=True)
        self.run_both("step", [x, t, w1, b1, w2, b2, 0.05], f32=True)

    def test_broadcast_gradients_and_strided_inputs(self):
        ctx = self.context("bcast")
        for shape, bshape in [((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((1, 5), (2, 1, 5)), ((4,), ())]:
            x, b = self.rand(*shape), self.rand(*bshape, seed=2)
            self.run_both("bcast", [x, b, 0.25], ctx=ctx)  # new shapes: a new plan
        x = self.rand(6, 9)[::2, 1::3]  # strided view
        self.run_both("bcast", [x, self.rand(3, seed=3), -0.5], ctx=ctx)

    def test_axis_reductions_ties_and_size_zero(self):
        x = self.rand(4, 5)
        x[1, 2] = x[1, 4] = 2.0  # a tie for max along the last axis
        self.run_both("axes", [x])
        self.run_both("axes", [self.rand(0, 5)])  # size 0: the JIT's results
        # max over an empty axis: the JIT's error, word for word
        self.assertEqual(self.error("axes", [self.rand(3, 0)], [ctypes.c_double()] + [None] * 3),
                         self.jit_error("axes", [self.rand(3, 0)]))

    def test_products_batched_and_one_dimensional(self):
        f = np.float32
        a, b, v = self.rand(2, 3, 4, dtype=f), self.rand(4, 5, dtype=f, seed=2), self.rand(5, 2, dtype=f, seed=3)
        self.run_both("batched", [a, b, v], f32=True)
        self.run_both("batched", [a, b, self.rand(5, dtype=f, seed=3)], f32=True)  # q = p @ [K]
        self.run_both("batched", [self.rand(3, 0, dtype=f), self.rand(0, 5, dtype=f), v], f32=True)

    def test_an_adjoint_that_stands_for_a_broadcast_is_summed(self):
        # d/da of sum(w * sum(a + b, axis=0)) with a [1, 4], b [3, 4] is 3 w:
        # the adjoint of a + b is w as [1, 4], standing for [3, 4]. The JIT
        # once passed it on unsummed (w).
        w = np.array([1.0, 2, 3, 4])
        da = self.run_both("spread", [np.zeros((1, 4)), np.zeros((3, 4)), w])[0]
        np.testing.assert_array_equal(da, 3 * w[None])

    def test_integer_and_bool_values(self):
        a, b = np.arange(-3, 3, dtype=np.int32).reshape(2, 3), np.arange(3, dtype=np.int64)
        self.run_both("ints", [a, b, 3, True])
        self.run_both("ints", [a[:, ::2], b[:2], -2, False])

    def test_scalar_literal_and_parameter_results(self):
        self.run_both("plain", [self.rand(3, dtype=np.float32), self.rand(2, 1, dtype=np.float32)], f32=True)

    def test_same_shapes_reuse_the_plan_and_in_place_updates(self):
        rng = np.random.default_rng(7)
        f = np.float32
        x, t = rng.normal(size=(16, 4)).astype(f), rng.normal(size=(16, 1)).astype(f)
        w = [rng.normal(size=s).astype(f) for s in [(4, 8), (8,), (8, 1), (1,)]]
        jw = [a.copy() for a in w]
        ctx, loss = self.context("step"), ctypes.c_float()
        for _ in range(5):  # outputs are the inputs' memory: in-place SGD
            self.assertEqual(self.call("step", ctx, [x, t] + w + [0.1], [loss] + w), 0)
            out = self.jit("step")(x, t, *jw, 0.1)
            jw = [np.array(a) for a in out[1:]]
            np.testing.assert_allclose(loss.value, out[0], rtol=1e-6)
        for a, b in zip(w, jw):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    def test_shapes_reports_result_shapes(self):
        ctx = self.context("axes")
        outs = [Array(), Array(), Array()]
        self.assertEqual(self.call("axes", ctx, [self.rand(4, 6)], outs, fn="_shapes"), 0)
        self.assertEqual([(o.rank, list(o.shape[:o.rank])) for o in outs],
                         [(1, [6]), (2, [4, 1]), (2, [4, 6])])

    def error(self, name, args, outs, f32=False, ctx="new"):
        rc = self.call(name, self.context(name) if ctx == "new" else ctx, args, outs)
        self.assertNotEqual(rc, 0)
        return self.lib.gr_last_error().decode()

    def jit_error(self, name, args):
        with self.assertRaises(kiln.InvalidArgument) as e:
            self.jit(name)(*args)
        return str(e.exception).removeprefix("error: ")

    def test_errors(self):
        d = ctypes.c_double()
        args = [self.rand(3, 4), self.rand(5), 1.0]
        msg = self.error("bcast", args, [d, None, None, None])
        self.assertEqual(msg, "shapes [3, 4] and [5] do not broadcast (line 34, column 14)")
        self.assertEqual(msg, self.jit_error("bcast", args))
        msg = self.error("bcast", [self.rand(3, dtype=np.float32), self.rand(3), 1.0], [d, None, None, None])
        self.assertEqual(msg, "argument 'x': dtype f32 does not match parameter type f64")
        msg = self.error("bcast", [None, self.rand(3), 1.0], [d, None, None, None])
        self.assertEqual(msg, "argument 'x': expected an array (f64[]), got a null pointer")
        msg = self.error("bcast", [self.rand(3), self.rand(3), 1.0], [d, None, None, None], ctx=None)
        self.assertEqual(msg, "the graph context is a null pointer")
        msg = self.error("bcast", [self.rand(3), self.rand(3), 1.0], [d, np.zeros(4), None, None])
        self.assertEqual(msg, "argument 'out_dx': shape [4] does not match the result's shape [3]")
        out = np.zeros(6)
        msg = self.error("bcast", [self.rand(3), self.rand(3), 1.0], [d, out[:3], out[2:5], None])
        self.assertEqual(msg, "argument 'out_db' overlaps argument 'out_dx' (results need "
                              "memory of their own)")
        one = np.zeros(1)
        big = Array(one.ctypes.data, 4, 2, (1 << 20, 1 << 20, 0, 0), (0, 0, 0, 0))  # stride 0
        msg = self.error("axes", [big], [d, None, None, None])
        self.assertEqual(msg, "out of memory for the graph's temporaries")
        args = [self.rand(2, 3, dtype=np.float32), self.rand(4, 5, dtype=np.float32),
                self.rand(5, dtype=np.float32)]
        msg = self.error("batched", args, [d, None, None, None], f32=True)
        self.assertEqual(msg, self.jit_error("batched", args))
        self.assertIn("'@': inner dimensions differ: [2, 3] @ [4, 5] (3 != 4) (line ", msg)


if __name__ == "__main__":
    main()
