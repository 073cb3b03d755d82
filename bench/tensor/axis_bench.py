#!/usr/bin/python3
"""axis_bench: Kiln's axis-reduction kernels (softmax and layernorm over
rows, column and row sums; f32) next to NumPy's, called from Python.

Usage: axis_bench.py [--rounds 5] [--reps 7] [--opt 3]

Kiln runs through kiln.tensor (JIT at -O3, on 1 thread and on all the
engine's threads) with a preallocated output; NumPy runs the usual
expressions (softmax: `e = np.exp(x - x.max(-1, keepdims=True)); e /
e.sum(-1, keepdims=True)`). A sample is the median of 15 timed single
calls; a round takes --reps samples per column and the columns alternate
within it, so every column sees the same load; a cell is the median over
all samples. Each Kiln result is checked against NumPy's
(maximum absolute difference). Prints JSON: {case: {column: ms, ...}}.
"""
import argparse, json, os, statistics, sys, time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import kiln  # noqa: E402

SOURCE = """
kernel softmax(x: f32[]) -> f32[] =
  exp(x - max(x, axis=-1, keepdims)) / sum(exp(x - max(x, axis=-1, keepdims)), axis=-1, keepdims)
kernel layernorm(x: f32[], eps: f32) -> f32[] =
  (x - mean(x, axis=-1, keepdims)) / sqrt(mean((x - mean(x, axis=-1, keepdims)) * (x - mean(x, axis=-1, keepdims)), axis=-1, keepdims) + eps)
kernel colsum(x: f32[]) -> f32[] = sum(x, axis=0)
kernel rowsum(x: f32[]) -> f32[] = sum(x, axis=1)
"""
CASES = [("softmax", (1000, 1000)), ("softmax", (64, 4096)), ("layernorm", (1000, 1000)),
         ("layernorm", (64, 4096)), ("colsum", (1000, 1000)), ("colsum", (10, 100000)),
         ("rowsum", (1000, 1000))]
EPS = np.float32(1e-5)


def numpy_fn(name, x):
    if name == "softmax":
        def f():
            e = np.exp(x - x.max(-1, keepdims=True))
            return e / e.sum(-1, keepdims=True)
    elif name == "layernorm":
        def f():
            d = x - x.mean(-1, keepdims=True)
            return d / np.sqrt((d * d).mean(-1, keepdims=True) + EPS)
    elif name == "colsum":
        def f():
            return x.sum(0)
    else:
        def f():
            return x.sum(1)
    return f


def kiln_fn(p, name, x, threads):
    k = getattr(p, name)
    out = np.empty(x.shape if name in ("softmax", "layernorm") else
                   x.shape[1:] if name == "colsum" else x.shape[:1], np.float32)
    extra = (EPS,) if name == "layernorm" else ()
    return lambda: k(x, *extra, out=out, threads=threads)


def sample(f, calls=15):
    """The median of `calls` timed single calls, in ms (a median resists the
    preemptions of a shared machine better than a loop's mean)."""
    ts = []
    for _ in range(calls):
        start = time.perf_counter()
        f()
        ts.append(time.perf_counter() - start)
    return statistics.median(ts) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--opt", type=int, default=3)
    a = ap.parse_args()
    p = kiln.tensor.compile(SOURCE, opt_level=a.opt)
    rng = np.random.default_rng(1)
    report = {}
    for name, shape in CASES:
        x = rng.standard_normal(shape).astype(np.float32)
        cols = {"jit1": kiln_fn(p, name, x, 1), "jitN": kiln_fn(p, name, x, 0),
                "numpy": numpy_fn(name, x)}
        want = cols["numpy"]()
        err = max(float(np.max(np.abs(cols[c]() - want))) for c in ("jit1", "jitN"))
        times = {c: [] for c in cols}
        for _ in range(a.rounds):
            for _ in range(a.reps):
                for c, f in cols.items():
                    times[c].append(sample(f))
        key = f"{name} {shape[0]}x{shape[1]}"
        report[key] = {c: statistics.median(v) for c, v in times.items()}
        report[key]["max_abs_diff"] = err
        print(f"axis_bench: {key} done", file=sys.stderr)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
