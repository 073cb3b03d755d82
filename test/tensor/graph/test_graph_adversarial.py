#!/usr/bin/python3
"""Adversarial regressions for tensor graphs (docs/tensor-graphs.md): inputs
that once gave a wrong result or a confusing error, each checked against
NumPy through kiln.tensor_graph, so a return of the defect fails here."""
import unittest

import numpy as np

import kiln
import kiln.tensor_graph as tg


class MultiAxisReductions(unittest.TestCase):
    """`axis=(0, 2)` in a graph statement: the graph's shape rule once
    dropped only the first axis (a wrong output shape), node deduplication
    merged sum(x, axis=0) with sum(x, axis=(0, 1)), and the gradient divided
    a mean by one axis's count."""

    def setUp(self):
        self.x = np.random.default_rng(5).standard_normal((2, 3, 4))

    def test_forward_shape_and_values(self):
        g = tg.compile("graph g(x: f64[]) { y = sum(x, axis=(0, 2)); "
                       "z = max(x, axis=(0, -1), keepdims); return y, z }", "g")
        y, z = g(self.x)
        np.testing.assert_allclose(y, self.x.sum(axis=(0, 2)))
        np.testing.assert_array_equal(z, self.x.max(axis=(0, 2), keepdims=True))

    def test_one_axis_and_several_stay_distinct(self):
        for order in ("a = sum(x, axis=0); b = sum(x, axis=(0, 1));",
                      "b = sum(x, axis=(0, 1)); a = sum(x, axis=0);"):
            g = tg.compile("graph g(x: f64[]) { " + order + " return a, b }", "g")
            a, b = g(self.x)
            np.testing.assert_allclose(a, self.x.sum(axis=0))
            np.testing.assert_allclose(b, self.x.sum(axis=(0, 1)))

    def test_repeated_dimension_is_a_call_error(self):
        g = tg.compile("graph g(x: f64[]) { y = sum(x, axis=(0, -3)); return y }", "g")
        with self.assertRaisesRegex(kiln.InvalidArgument, "names a dimension twice"):
            g(self.x)

    def test_gradients_match_numpy(self):
        # mean over (0, 2) once gave 1/2 (one axis's count) instead of 1/8.
        x = self.x
        for op, axes, keep, expected in (
                ("mean", "(0, 2)", "", np.full(x.shape, 1 / 8)),
                ("sum", "(-1, 0)", ", keepdims", np.ones(x.shape)),
                ("prod", "(0, 1)", "", np.prod(x, axis=(0, 1)) / x)):
            src = (f"graph g(x: f64[]) {{ z = sum({op}(x, axis={axes}{keep})); "
                   "d = grad(z, [x]); return z, d }")
            _, d = tg.compile(src, "g")(x)
            np.testing.assert_allclose(d, expected, rtol=1e-12)

    def test_max_ties_share_the_gradient_over_all_axes(self):
        g = tg.compile("graph g(x: f64[]) { z = sum(max(x, axis=(0, 1))); "
                       "d = grad(z, [x]); return z, d }", "g")
        x = np.array([[[3.0, 1], [3, 0]], [[1, 2], [3, 2]]])
        third = 1 / 3
        np.testing.assert_allclose(g(x)[1], [[[third, 0], [third, 0]],
                                             [[0, 0.5], [third, 0.5]]])

    def test_one_axis_at_a_time_differentiates(self):
        g = tg.compile("graph g(x: f64[]) { z = sum(mean(mean(x, axis=2), axis=0)); "
                       "d = grad(z, [x]); return z, d }", "g")
        z, d = g(self.x)
        self.assertAlmostEqual(z, self.x.mean(axis=(0, 2)).sum())
        np.testing.assert_allclose(d, np.full(self.x.shape, 1 / 8))


class WideStatements(unittest.TestCase):
    """A statement naming more values than a kernel takes (60) once failed
    with "kernel '__stmt' has more than 60 parameters" (an internal name)."""

    def test_refused_with_the_statement_located(self):
        n = 61
        params = ", ".join(f"p{i}: f64[]" for i in range(n))
        total = " + ".join(f"p{i}" for i in range(n))
        src = f"graph g({params}) {{\n  y = {total};\n  return y\n}}"
        with self.assertRaisesRegex(kiln.CompileError,
                                    r"2:7: error: a statement reads at most 60 "
                                    r"values, this one 61; split it"):
            tg.compile(src, "g")

    def test_sixty_values_still_compile(self):
        params = ", ".join(f"p{i}: f64[]" for i in range(60))
        total = " + ".join(f"p{i}" for i in range(60))
        g = tg.compile(f"graph g({params}) {{ y = {total}; return y }}", "g")
        args = [np.full(2, float(i)) for i in range(60)]
        np.testing.assert_array_equal(g(*args)[0], np.full(2, sum(range(60))))


class ResultViewsPassedBack(unittest.TestCase):
    """A copy=False result fed back as the next call's input lies in the
    graph's temporaries, which the call overwrites while reading it: once an
    error naming an internal kernel argument ('v2'), now one sentence."""

    SRC = """graph step(x: f64[], t: f64[], w: f64[], lr: f64) {
  loss = mean(pow(x @ w - t, 2));
  dw = grad(loss, [w]);
  wn = w - lr * dw;
  return loss, wn
}"""

    def test_refused_and_a_copy_runs(self):
        g = tg.compile(self.SRC, "step")
        rng = np.random.default_rng(0)
        x, t, w = rng.random((8, 3)), rng.random((8, 2)), rng.random((3, 2))
        _, expected = g(x, t, w, 0.1)
        _, view = g(x, t, w, 0.1, copy=False)
        np.testing.assert_array_equal(view, expected)
        with self.assertRaisesRegex(kiln.InvalidArgument,
                                    "input 'w' is memory of this graph's results"):
            g(x, t, view[::-1], 0.1)
        _, again = g(x, t, view.copy(), 0.1)
        dw = 2 * x.T @ (x @ expected - t) / t.size
        np.testing.assert_allclose(again, expected - 0.1 * dw)


class StrayText(unittest.TestCase):
    """Text after a graph (with no kernel in the file) was never parsed, so
    `graph ... } garbage` compiled; it is a located error now."""

    def test_stray_tokens_are_errors(self):
        for tail, col in (("garbage ;;;", 32), ("/*", 32), ("1 + 2", 32)):
            with self.assertRaisesRegex(kiln.CompileError, f"1:{col}: error: expected 'kernel'"):
                tg.compile("graph g(x: f64[]) { return x } " + tail, "g")

    def test_blank_and_comments_still_compile(self):
        g = tg.compile("// c\ngraph g(x: f64[]) { return x }\n  // end\n", "g")
        np.testing.assert_array_equal(g(np.ones(2))[0], np.ones(2))


class VectorProducts(unittest.TestCase):
    """Kernels take 1-D operands of '@' as NumPy does; graphs once refused
    them ("'@' needs operands of rank 2 to 4"), so the modes disagreed."""

    def test_forward_matches_numpy(self):
        g = tg.compile("graph g(a: f64[], b: f64[]) { y = a @ b; "
                       "z = relu(a @ b + 1); return y, z }", "g")
        rng = np.random.default_rng(1)
        for sa, sb in (((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)),
                       ((2, 1, 3), (3,)), ((3,), (2, 3, 4)), ((0,), (0, 2))):
            a, b = rng.standard_normal(sa), rng.standard_normal(sb)
            y, z = g(a, b)
            self.assertEqual(np.shape(y), np.shape(a @ b))
            np.testing.assert_allclose(y, a @ b, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(z, np.maximum(a @ b + 1, 0), rtol=1e-12, atol=1e-12)
        with self.assertRaisesRegex(kiln.InvalidArgument,
                                    r"inner dimensions differ: \[3\] @ \[4\]"):
            g(np.ones(3), np.ones(4))

    def test_gradients(self):
        src = ("graph h(x: f64[], w: f64[]) {{ loss = sum(tanh(x @ w)); "
               "d = grad(loss, [{}]); return loss, d }}")
        rng = np.random.default_rng(2)
        x, w = rng.standard_normal((5, 3)), rng.standard_normal(3)
        t = np.tanh(x @ w)
        _, dw = tg.compile(src.format("w"), "h")(x, w)
        np.testing.assert_allclose(dw, x.T @ (1 - t * t), rtol=1e-12)
        # The matrix's gradient (once refused: a 1-D operand had no
        # transpose) is the outer product of the adjoint and the vector.
        _, dx = tg.compile(src.format("x"), "h")(x, w)
        np.testing.assert_allclose(dx, np.outer(1 - t * t, w), rtol=1e-12)
        v, b = rng.standard_normal(5), rng.standard_normal((2, 5, 3))
        g = tg.compile("graph k(v: f64[], b: f64[]) { l = sum(sin(v @ b)); "
                       "db = grad(l, [b]); return l, db }", "k")
        _, db = g(v, b)
        c = np.cos(v @ b)
        np.testing.assert_allclose(db, v[None, :, None] * c[:, None, :], rtol=1e-12)


class HugeTemporaries(unittest.TestCase):
    """A temporary of 2^60 f64 elements once got a 1-byte buffer (its byte
    count overflowed) that the kernel then wrote past; larger shapes
    overflowed int64; more than the machine's memory threw bad_alloc."""

    SRC = "graph g(a: f64[], b: f64[]) { y = a * b; return y }"

    def call(self, rows, cols):
        a = np.broadcast_to(np.ones(1), (rows, 1))  # zero strides: no memory
        b = np.broadcast_to(np.ones(1), (1, cols))
        return tg.compile(self.SRC, "g")(a, b)

    def test_beyond_memory_is_an_error(self):
        for e in (20, 30):  # 2^40 and 2^60 elements
            with self.assertRaisesRegex(kiln.InvalidArgument,
                                        "out of memory for the graph's temporaries"):
                self.call(2 ** e, 2 ** e)

    def test_beyond_the_element_limit_is_located(self):
        with self.assertRaisesRegex(kiln.InvalidArgument,
                                    r"a value of shape \[2147483648, 2147483648\] has "
                                    r"too many elements \(the limit is 2\^60\) "
                                    r"\(line 1, column 37\)"):
            self.call(2 ** 31, 2 ** 31)


if __name__ == "__main__":
    unittest.main()
