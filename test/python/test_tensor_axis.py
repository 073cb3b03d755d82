"""python.tensor_axis: axis reductions through the Python binding — the
docs' example file (examples/tensor/softmax.tk, shown verbatim in
docs/tensor.md) against NumPy, outputs allocated with the reduced shape,
strided views, and bad calls raising InvalidArgument before anything is
written."""
import os
import subprocess

from kilntest import ROOT, TempDirTest, kiln, main, needs_numpy, np
import kiln.tensor

EXAMPLE = os.path.join(ROOT, "examples", "tensor", "softmax.tk")


def np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@needs_numpy
class TensorAxis(TempDirTest):
    @classmethod
    def setUpClass(cls):
        with open(EXAMPLE) as f:
            cls.source = f.read()
        cls.p = kiln.tensor.compile(cls.source, file="softmax.tk")

    def rand(self, *shape, dtype=np.float64, seed=1):
        return np.random.default_rng(seed).standard_normal(shape).astype(dtype)

    def test_the_docs_show_the_example_verbatim(self):
        with open(os.path.join(ROOT, "docs", "tensor.md")) as f:
            self.assertIn(self.source, f.read())

    def test_softmax_matches_numpy(self):
        for shape in [(1000, 1000), (3, 1), (2, 3, 17), (5,), (0, 4)]:
            x = self.rand(*shape, dtype=np.float32) * 10
            got = self.p.softmax(x)
            self.assertEqual(got.shape, x.shape)
            np.testing.assert_allclose(got, np_softmax(x.astype(np.float64)), rtol=2e-6, atol=1e-7)

    def test_reduced_shapes_and_strided_views(self):
        x = self.rand(6, 8)
        np.testing.assert_allclose(self.p.center(x), x - x.mean(axis=0, keepdims=True), atol=1e-12)
        self.assertEqual(self.p.row_max(x).shape, (6,))
        np.testing.assert_array_equal(self.p.row_max(x), x.max(axis=1))
        for view in [x.T, x[::-1, ::2], x[:, 1:2]]:
            np.testing.assert_array_equal(self.p.row_max(view), view.max(axis=1))
        out = np.zeros(8)
        self.assertIs(self.p.row_max(x.T, out=out), out)
        np.testing.assert_array_equal(out, x.max(axis=0))

    def test_a_reduction_reused_along_the_same_axis(self):
        # The row pass reads the earlier maximum as a scalar per row when it
        # is constant along the row, else as an array (y of lower rank).
        p = kiln.tensor.compile(
            "kernel k(x: f64[], y: f64[]) -> f64[] = sum(x - max(y, axis=1, keepdims), axis=1)")
        for xs, ys in [((4, 3), (4, 3)), ((2, 4, 3), (4, 3)), ((5, 1), (5, 6))]:
            x, y = self.rand(*xs, seed=2), self.rand(*ys, seed=3)
            np.testing.assert_allclose(p.k(x, y), (x - y.max(axis=1, keepdims=True)).sum(axis=1),
                                       rtol=1e-12, atol=1e-12)

    def test_bad_calls_raise_and_write_nothing(self):
        out = np.full(4, 7.0)
        with self.assertRaisesRegex(kiln.InvalidArgument, r"axis 1 is out of range for an argument of shape \[4\]"):
            self.p.row_max(self.rand(4), out=out)
        with self.assertRaisesRegex(kiln.InvalidArgument, r"'max': axis 1 of the argument's shape \[3, 0\] is empty"):
            self.p.row_max(np.zeros((3, 0)))
        with self.assertRaisesRegex(kiln.InvalidArgument, r"does not match the broadcast shape \[3\]"):
            self.p.row_max(self.rand(3, 5), out=out)
        self.assertTrue((out == 7.0).all())

    def test_channel_mean_over_three_axes(self):
        images = self.rand(4, 5, 6, 3, dtype=np.float32)
        got = self.p.channel_mean(images)
        self.assertEqual(got.shape, (3,))
        np.testing.assert_allclose(got, images.astype(np.float64).mean(axis=(0, 1, 2)),
                                   rtol=1e-5, atol=1e-6)
        nhwc = images.transpose(0, 2, 1, 3)  # a strided view
        np.testing.assert_allclose(self.p.channel_mean(nhwc), nhwc.mean(axis=(0, 1, 2)),
                                   rtol=1e-5, atol=1e-6)

    def test_bound_calls_rerun_on_new_contents(self):
        x = self.rand(3, 5)
        call = self.p.row_max.bind(x)
        np.testing.assert_array_equal(call(), x.max(axis=1))
        x += 1  # the same array, new contents
        np.testing.assert_array_equal(call(), x.max(axis=1))

    def test_the_cli_runs_the_example(self):
        build = os.environ.get("KILN_BUILD_DIR", os.path.join(ROOT, "build"))
        r = subprocess.run([os.path.join(build, "bin", "kiln"), "tensor", "run", EXAMPLE,
                            "--kernel", "softmax", "--shape", "x=100x10", "--reps", "1"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("kernel softmax n 1000: checksum "), r.stdout)
        checksum = float(r.stdout.split()[5])  # 100 rows, each summing to 1 in f32
        self.assertAlmostEqual(checksum, 100.0, delta=1e-4)


if __name__ == "__main__":
    main()
