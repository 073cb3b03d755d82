#!/usr/bin/python3
"""Train the two-layer perceptron of mlp.tk with plain SGD through Kiln's JIT
and check its loss curve, step for step, against the same SGD in NumPy.

    train.py --driver build/bin/mlp_train OUTDIR [--steps 200] [--aot TRAINER]

Generates a regression problem (y = sin(3 x0) + x1^2 / 2 + noise), writes it
and the initial weights to OUTDIR, runs `mlp_train train`, repeats the
training in NumPy (float32, the same formulas), saves OUTDIR/mlp_loss.png and
exits 1 when a step's losses differ by more than the stated tolerance:
|kiln - numpy| <= 1e-4 * numpy + 1e-6 (float32 sums in another order drift
apart slowly; over 200 steps the largest relative gap is ~1e-6).

With --aot, TRAINER (train_aot.c linked with the library `kiln tensor build`
makes of mlp.tk) trains the same steps from C, and its curve must meet the
same tolerance against NumPy and, step for step, against the JIT's."""
import argparse
import os
import subprocess
import sys

import numpy as np

TOLERANCE = 1e-4
N, I, H, O = 256, 4, 32, 1
LR = 0.05


def make_data(out):
    rng = np.random.default_rng(18)
    x = rng.uniform(-1, 1, (N, I)).astype(np.float32)
    t = (np.sin(3 * x[:, :1]) + 0.5 * x[:, 1:2] ** 2
         + 0.05 * rng.standard_normal((N, 1))).astype(np.float32)
    w1 = (rng.standard_normal((I, H)) / np.sqrt(I)).astype(np.float32)
    b1 = np.zeros(H, np.float32)
    w2 = (rng.standard_normal((H, O)) / np.sqrt(H)).astype(np.float32)
    b2 = np.zeros(O, np.float32)
    arrays = dict(x=x, t=t, w1=w1, b1=b1, w2=w2, b2=b2)
    for name, a in arrays.items():
        a.tofile(os.path.join(out, name + ".f32"))
    with open(os.path.join(out, "shapes.txt"), "w") as f:
        f.write(f"{N} {I} {H} {O}\n")
    return arrays


def numpy_sgd(a, steps):
    """The hand-written forward and backward pass of mlp.tk's `step`."""
    x, t = a["x"], a["t"]
    w1, b1, w2, b2 = (a[k].copy() for k in ("w1", "b1", "w2", "b2"))
    lr = np.float32(LR)
    losses = []
    for _ in range(steps):
        z = x @ w1 + b1
        h = np.maximum(z, 0)
        y = h @ w2 + b2
        d = y - t
        losses.append(float(np.mean(d * d)))
        gy = (2 / np.float32(d.size)) * d
        gw2, gb2 = h.T @ gy, gy.sum(0)
        gz = (gy @ w2.T) * (z > 0)
        gw1, gb1 = x.T @ gz, gz.sum(0)
        w1, b1, w2, b2 = w1 - lr * gw1, b1 - lr * gb1, w2 - lr * gw2, b2 - lr * gb2
    return np.array(losses)


def plot(kiln, ref, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(kiln, label="Kiln (JIT graph)", linewidth=2)
    ax.semilogy(ref, "--", label="NumPy", linewidth=1)
    ax.set_xlabel("SGD step")
    ax.set_ylabel("mean squared error")
    ax.set_title("examples/tensor/mlp: two-layer MLP, plain SGD")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def aot_agrees(args, kiln, ref):
    """Runs the C trainer on the same data; its curve against NumPy's and
    the JIT's, step by step, within TOLERANCE."""
    subprocess.run([args.aot, args.out, str(args.steps), str(LR)], check=True)
    aot = np.loadtxt(os.path.join(args.out, "aot_loss.txt"), ndmin=1)
    if len(aot) != args.steps:
        print(f"FAIL: the AOT trainer wrote {len(aot)} losses", file=sys.stderr)
        return False
    for name, other in (("NumPy", ref), ("the JIT", kiln)):
        gap = np.abs(aot - other)
        bad = np.nonzero(gap > TOLERANCE * other + 1e-6)[0]
        print(f"AOT library: largest relative gap to {name} "
              f"{np.max(gap / (other + 1e-6)):.2e}")
        if len(bad):
            print(f"FAIL: {len(bad)} AOT steps outside the tolerance against "
                  f"{name}, first {bad[:5].tolist()}", file=sys.stderr)
            return False
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--driver", required=True, help="the mlp_train executable")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--aot", help="train_aot linked with the AOT library of mlp.tk")
    p.add_argument("out", help="directory for the data, losses and plot")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    arrays = make_data(args.out)
    graph = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp.tk")
    subprocess.run([args.driver, "train", graph, args.out, str(args.steps),
                    str(LR)], check=True)
    kiln = np.loadtxt(os.path.join(args.out, "kiln_loss.txt"), ndmin=1)
    ref = numpy_sgd(arrays, args.steps)
    gap = np.abs(kiln - ref)
    worst = int(np.argmax(gap / (ref + 1e-6)))
    plot(kiln, ref, os.path.join(args.out, "mlp_loss.png"))
    print(f"loss {ref[0]:.4f} -> {ref[-1]:.4f} in {args.steps} steps; "
          f"largest relative gap to NumPy {gap[worst] / ref[worst]:.2e} "
          f"(step {worst}); plot {os.path.join(args.out, 'mlp_loss.png')}")
    bad = np.nonzero(gap > TOLERANCE * ref + 1e-6)[0]
    if len(kiln) != args.steps or len(bad):
        print(f"FAIL: {len(bad)} steps outside the tolerance, first "
              f"{bad[:5].tolist()}", file=sys.stderr)
        return 1
    if args.aot and not aot_agrees(args, kiln, ref):
        return 1
    if not ref[-1] < 0.5 * ref[0]:
        print("FAIL: the loss did not fall", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
