"""python.tensor_matmul: `a @ b` through the Python binding — the docs'
example file (examples/tensor/matmul.tk, shown verbatim in
docs/tensor-matmul.md) against NumPy: the fused layer with a broadcast
bias, a two-layer chain, batched products with broadcast batch dimensions,
a reduction of products, transposed views (g @ w.T, as a backward pass
needs), preallocated outputs (bound calls), and a bad call raising
InvalidArgument before anything is written."""
import os

from kilntest import ROOT, TempDirTest, kiln, main, needs_numpy, np
import kiln.tensor

EXAMPLE = os.path.join(ROOT, "examples", "tensor", "matmul.tk")


@needs_numpy
class TensorMatmul(TempDirTest):
    @classmethod
    def setUpClass(cls):
        with open(EXAMPLE) as f:
            cls.source = f.read()
        cls.p = kiln.tensor.compile(cls.source, file="matmul.tk")

    def rand(self, *shape, dtype=np.float32, seed=1):
        return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)

    def test_the_docs_show_the_example_verbatim(self):
        with open(os.path.join(ROOT, "docs", "tensor-matmul.md")) as f:
            self.assertIn(self.source, f.read())

    def test_layer_matches_numpy(self):
        for m, k, n in [(64, 32, 16), (1, 1, 1), (37, 129, 33), (5, 0, 3)]:
            x, w, b = self.rand(m, k), self.rand(k, n, seed=2), self.rand(n, seed=3)
            got = self.p.layer(x, w, b)
            want = np.maximum(x.astype(np.float64) @ w + b, 0)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.sqrt(k + 1))

    def test_mlp_and_transposed_views(self):
        x, w1, b1 = self.rand(20, 30), self.rand(30, 40, seed=2), self.rand(40, seed=3)
        w2t = self.rand(7, 40, seed=4)  # w2 given transposed: a strided view
        got = self.p.mlp(x, w1, b1, w2t.T)
        want = np.maximum(x.astype(np.float64) @ w1 + b1, 0) @ w2t.T
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)

    def test_batched_broadcast_and_reduction(self):
        a, b = self.rand(3, 1, 4, 5, dtype=np.float64), self.rand(2, 5, 6, dtype=np.float64, seed=2)
        got = self.p.batched(a, b)
        self.assertEqual(got.shape, (3, 2, 4, 6))
        np.testing.assert_allclose(got, a @ b, rtol=1e-12, atol=1e-12)
        a2, b2 = a[0, 0], b[0]
        self.assertAlmostEqual(self.p.frobenius(a2, b2), float(np.sum((a2 @ b2) ** 2)), places=10)

    def test_preallocated_output_repeats(self):
        x, w, b = self.rand(50, 60), self.rand(60, 70, seed=2), self.rand(70, seed=3)
        out = np.zeros((50, 70), np.float32)
        for scale in (1, 2, 3):
            self.p.layer(x * scale, w, b, out=out)
            np.testing.assert_allclose(out, np.maximum((x * scale) @ w + b, 0), rtol=1e-5, atol=1e-4)

    def test_inner_dimensions_that_differ(self):
        out = np.full((4, 6), 7, np.float64)
        with self.assertRaises(kiln.InvalidArgument) as e:
            self.p.batched(self.rand(4, 5, dtype=np.float64), self.rand(4, 6, dtype=np.float64), out=out)
        self.assertIn("'@': inner dimensions differ: [4, 5] @ [4, 6] (5 != 4)", str(e.exception))
        self.assertTrue((out == 7).all())


if __name__ == "__main__":
    main()
