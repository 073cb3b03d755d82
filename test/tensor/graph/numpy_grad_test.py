#!/usr/bin/python3
"""Kiln's reverse-mode gradients of examples/tensor/mlp/mlp.tk (graph `grads`)
against a hand-written NumPy backward pass, on random MLP sizes including
size-1 batch, input, hidden and output dimensions.

    numpy_grad_test.py MLP_TRAIN ROOT

Tolerance: float32 kernels against float64 NumPy from the same float32
inputs: |kiln - numpy| <= 1e-4 * max|numpy| per gradient (and the loss)."""
import os
import subprocess
import sys
import tempfile

import numpy as np


def numpy_grads(x, t, w1, b1, w2, b2):
    """d mean((relu(x @ w1 + b1) @ w2 + b2 - t)^2) / d(w1, b1, w2, b2)."""
    z = x @ w1 + b1
    h = np.maximum(z, 0)
    d = h @ w2 + b2 - t
    gy = 2 * d / d.size
    gz = (gy @ w2.T) * (z > 0)
    return np.mean(d * d), [x.T @ gz, gz.sum(0), h.T @ gy, gy.sum(0)]


def case(driver, graph, size, rng):
    n, i, h, o = size
    arrays = [rng.standard_normal(s).astype(np.float32)
              for s in ((n, i), (n, o), (i, h), (h,), (h, o), (o,))]
    with tempfile.TemporaryDirectory() as d:
        for name, a in zip(("x", "t", "w1", "b1", "w2", "b2"), arrays):
            a.tofile(os.path.join(d, name + ".f32"))
        with open(os.path.join(d, "shapes.txt"), "w") as f:
            f.write(f"{n} {i} {h} {o}\n")
        subprocess.run([driver, "grads", graph, d], check=True)
        loss = float(open(os.path.join(d, "kiln_loss.txt")).read())
        got = [np.fromfile(os.path.join(d, f"kiln_{k}.f32"), np.float32)
               for k in ("dw1", "db1", "dw2", "db2")]
    want_loss, want = numpy_grads(*(a.astype(np.float64) for a in arrays))
    bad = []
    if abs(loss - want_loss) > 1e-4 * abs(want_loss):
        bad.append(f"loss {loss} vs {want_loss}")
    for name, g, w in zip(("dw1", "db1", "dw2", "db2"), got, want):
        err = np.max(np.abs(g - w.ravel())) if w.size else 0.0
        scale = np.max(np.abs(w)) if w.size else 1.0
        if g.size != w.size or err > 1e-4 * scale + 1e-7:
            bad.append(f"{name}: max error {err:.3g} (scale {scale:.3g})")
    return bad


def main():
    driver, root = sys.argv[1], sys.argv[2]
    graph = os.path.join(root, "examples/tensor/mlp/mlp.tk")
    rng = np.random.default_rng(7)
    sizes = [(16, 8, 12, 3), (1, 5, 7, 2), (9, 1, 4, 1), (6, 3, 1, 4), (33, 17, 65, 9)]
    failed = 0
    for size in sizes:
        bad = case(driver, graph, size, rng)
        print(f"{size}: {'ok' if not bad else 'FAIL ' + '; '.join(bad)}")
        failed += bool(bad)
    print(f"{len(sizes) - failed}/{len(sizes)} MLP sizes match NumPy's gradients")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
