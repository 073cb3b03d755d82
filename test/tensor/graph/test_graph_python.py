#!/usr/bin/python3
"""kiln.tensor_graph (the Python binding of tensor graphs over the C API):
gradients against hand-written NumPy on broadcast shapes, the MLP graph's
gradients and SGD update, result views, and errors raised as exceptions."""
import unittest

import numpy as np

import kiln
import kiln.tensor_graph as tg

BROADCAST = """
graph g(x: f64[], w: f64[], b: f64[]) {
  z = x * w + b;
  loss = sum(tanh(z) * z) / 2;
  dx, dw, db = grad(loss, [x, w, b]);
  return loss, dx, dw, db
}
"""


class GraphTest(unittest.TestCase):
    def test_broadcast_gradients_match_numpy(self):
        g = tg.compile(BROADCAST, "g")
        rng = np.random.default_rng(3)
        for xs, ws, bs in [((4, 3), (3,), (4, 1)), ((1, 5), (2, 1, 5), (1,)),
                           ((6,), (6,), ())]:
            x, w, b = (rng.standard_normal(s) for s in (xs, ws, bs))
            loss, dx, dw, db = g(x, w, b)
            z = x * w + b
            t = np.tanh(z)
            dz = (t + z * (1 - t * t)) / 2  # d(tanh(z) z / 2) / dz
            full = np.broadcast_shapes(xs, ws, bs)

            def down(a, shape):  # the sum over broadcast dimensions
                a = np.broadcast_to(a, full)
                while a.ndim > len(shape):
                    a = a.sum(0)
                return a.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1),
                             keepdims=True)
            self.assertAlmostEqual(loss, np.sum(t * z) / 2, places=12)
            np.testing.assert_allclose(dx, down(dz * w, xs), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(dw, down(dz * x, ws), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(db, down(dz, bs).reshape(bs), rtol=1e-12, atol=1e-12)
            self.assertEqual((dx.shape, dw.shape, db.shape), (xs, ws, bs))

    def test_mlp_step_updates_like_numpy(self):
        src = open(__file__.rsplit("/test/", 1)[0] + "/examples/tensor/mlp/mlp.tk").read()
        g = tg.compile(src, "step", file="mlp.tk")
        rng = np.random.default_rng(4)
        x, t = rng.standard_normal((10, 3), np.float32), rng.standard_normal((10, 2), np.float32)
        w1, b1 = rng.standard_normal((3, 4), np.float32), rng.standard_normal(4).astype(np.float32)
        w2, b2 = rng.standard_normal((4, 2), np.float32), rng.standard_normal(2).astype(np.float32)
        loss, w1n, b1n, w2n, b2n = g(x, t, w1, b1, w2, b2, 0.1)
        z = x @ w1 + b1
        h = np.maximum(z, 0)
        d = h @ w2 + b2 - t
        gy = 2 * d / d.size
        gz = (gy @ w2.T) * (z > 0)
        self.assertAlmostEqual(loss, float(np.mean(d * d)), places=5)
        for got, want in [(w1n, w1 - 0.1 * x.T @ gz), (b1n, b1 - 0.1 * gz.sum(0)),
                          (w2n, w2 - 0.1 * h.T @ gy), (b2n, b2 - 0.1 * gy.sum(0))]:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)

    def test_views_are_read_only_and_reused(self):
        g = tg.compile(BROADCAST, "g")
        x = np.ones((2, 3))
        first = g(x, x[0], x[:, :1], copy=False)[1]
        self.assertFalse(first.flags.writeable)
        again = g(x, x[0], x[:, :1], copy=False)[1]
        self.assertEqual(first.__array_interface__["data"][0],
                         again.__array_interface__["data"][0])

    def test_same_array_again_sees_new_data_and_shape(self):
        g = tg.compile(BROADCAST, "g")
        x, w, b = np.ones((2, 3)), np.ones(3), np.zeros((2, 1))
        first = g(x, w, b)[0]
        x[:] = 2  # same object, new data: read in place
        self.assertAlmostEqual(g(x, w, b)[0], 6 * np.tanh(2.0))  # sum(tanh(2) 2) / 2
        x.shape = (3, 2)  # same object, new shape: packed again
        with self.assertRaisesRegex(kiln.InvalidArgument, "do not broadcast"):
            g(x, w, b)
        self.assertNotEqual(first, 0)

    def test_errors(self):
        g = tg.compile(BROADCAST, "g")
        with self.assertRaisesRegex(kiln.InvalidArgument, "takes 3 inputs"):
            g(np.ones(3))
        with self.assertRaisesRegex(kiln.InvalidArgument, r"shapes \[3\] and \[4\] do not broadcast"):
            g(np.ones(3), np.ones(4), np.ones(1))
        with self.assertRaisesRegex(kiln.CompileError, "2:11: error: unknown name 'q'"):
            tg.compile("graph g(x: f32[]) {\n  y = x + q;\n  return y\n}", "g")
        with self.assertRaisesRegex(kiln.KilnError, "no graph 'h'"):
            tg.compile(BROADCAST, "h")


if __name__ == "__main__":
    unittest.main()
