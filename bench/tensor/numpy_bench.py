#!/usr/bin/python3
"""numpy_bench: the NumPy column of `scripts/bench tensor`.

Usage: numpy_bench.py KERNEL N REPS. Generates the inputs tensor_bench
generates (the same counter hash, bit for bit in f32), times the kernel's
NumPy expression (medians are taken by the report; each sample is >= 5 ms of
repeated calls, like tensor_bench), and prints JSON with the per-call
milliseconds and the result's samples at the indices tensor_bench samples,
so the report can check NumPy against the eager reference.

The expressions are what a NumPy user writes, with `out=` on the last
operation so the result lands in a preallocated array like every other
column's; dot is np.dot.
"""
import json, sys, time

import numpy as np

MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def inputs(seed, n, chunk=1 << 22):
    """Element i: splitmix64((seed << 40) ^ i) >> 40, scaled to [-2, 2)."""
    out = np.empty(n, dtype=np.float32)
    with np.errstate(over="ignore"):
        for lo in range(0, n, chunk):
            i = np.arange(lo, min(n, lo + chunk), dtype=np.uint64)
            z = (np.uint64(seed) << np.uint64(40)) ^ i
            z = z + np.uint64(0x9E3779B97F4A7C15)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            out[lo:lo + len(i)] = (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -22) - np.float32(2)
    return out


def main():
    kernel, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    count = {"copy": 1, "triad": 2, "fma_relu": 3, "tanh_k": 1, "sigmoid_mul": 2, "dot": 2}[kernel]
    a, b, c = ([inputs(k + 1, n) for k in range(count)] + [None, None])[:3]
    out = np.empty(n, dtype=np.float32)
    s, alpha = np.float32(1.5), np.float32(0.75)
    box = {}
    calls = {
        "copy": lambda: np.copyto(out, a),
        "triad": lambda: np.add(a, s * b, out=out),
        "fma_relu": lambda: np.maximum(alpha * a * b + c, np.float32(0), out=out),
        "tanh_k": lambda: np.tanh(a, out=out),
        "sigmoid_mul": lambda: np.multiply(np.float32(1) / (np.float32(1) + np.exp(-a)), b, out=out),
        "dot": lambda: box.__setitem__("r", np.dot(a, b)),
    }
    call = calls[kernel]
    t0 = time.perf_counter()
    call()
    once = max(time.perf_counter() - t0, 1e-8)
    inner = int(min(200000, max(1, -(-0.005 // once))))
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            call()
        ms.append((time.perf_counter() - t0) * 1e3 / inner)
    sample = [] if kernel == "dot" or n == 0 else [float(out[n * k // 64]) for k in range(64)]
    print(json.dumps({"kernel": kernel, "n": n, "ms": ms, "numpy": np.__version__,
                      "result": float(box.get("r", 0.0)), "sample": sample}))


if __name__ == "__main__":
    main()
