#!/usr/bin/python3
"""math_bench: Kiln's transcendental kernels next to NumPy's, one thread.

Usage: math_bench.py KILN[=LABEL] [KILN2[=LABEL] ...] [--sizes 1e5,1e7]
                     [--rounds 3] [--reps 41] [--only tanh32,exp32]

Each kernel of bench/tensor/math.tk (exp log sin cos tanh pow sigmoid, f32
and f64) is timed by `KILN tensor run --threads 1 --no-cache` (the median of
--reps single calls, on `kiln tensor run`'s generated data: element i of
parameter p is 0.5 + ((i*7919 + p*104729) % 1000)/1000) and by NumPy on the
same values, with `out=` into a preallocated array (the median of --reps
samples, each at least 2 ms of repeated calls). Rounds alternate between
the columns, so every column sees the same machine load; each cell is the
median over the rounds. Giving two kiln binaries (say, before and after a
change) puts both in the table. Prints a Markdown table in Melem/s.
"""
import argparse, os, re, statistics, subprocess, sys, time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TK = os.path.join(ROOT, "bench", "tensor", "math.tk")
FUNCS = ["exp", "log", "sin", "cos", "tanh", "pow", "sigmoid"]


def inputs(n, dtype, params):
    i = np.arange(n, dtype=np.int64)
    return [(0.5 + ((i * 7919 + p * 104729) % 1000) / 1000.0).astype(dtype) for p in range(params)]


def numpy_call(func, dtype, n):
    args = inputs(n, dtype, 2 if func == "pow" else 1)
    out = np.empty(n, dtype=dtype)
    one = dtype(1)
    if func == "pow":
        return lambda: np.power(args[0], args[1], out=out)
    if func == "sigmoid":
        return lambda: np.divide(one, one + np.exp(-args[0]), out=out)
    f = getattr(np, func)
    return lambda: f(args[0], out=out)


def time_numpy(call, reps):
    t0 = time.perf_counter()
    call()
    inner = max(1, int(0.002 / max(time.perf_counter() - t0, 1e-9)))
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            call()
        ms.append((time.perf_counter() - t0) / inner * 1e3)
    return statistics.median(ms)


def time_kiln(kiln, kernel, n, reps):
    p = subprocess.run([kiln, "tensor", "run", TK, "--kernel", kernel, "--n", str(n),
                        "--threads", "1", "--reps", str(reps), "--no-cache"],
                       capture_output=True, text=True)
    m = re.search(r"([0-9.]+) Melem/s", p.stdout)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"{kiln} {kernel}: {p.stdout} {p.stderr}")
    return n / (float(m.group(1)) * 1e6) * 1e3  # ms


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kilns", nargs="+", help="kiln binaries, each optionally =LABEL")
    ap.add_argument("--sizes", default="1e5,1e7")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=41)
    ap.add_argument("--only", help="comma-separated kernels (tanh32,exp64,...)")
    a = ap.parse_args()
    kilns = [(k.split("=", 1) + [os.path.basename(k)])[:2] for k in a.kilns]
    labels = [label for _, label in kilns] + ["NumPy " + np.__version__]
    kernels = [f + bits for bits in ("32", "64") for f in FUNCS]
    if a.only:
        kernels = [k for k in kernels if k in a.only.split(",")]
    print("| kernel | n | " + " | ".join(labels) + " | last Kiln / NumPy |")
    print("|---|---:|" + "---:|" * len(labels) + "---:|")
    for n in (int(float(s)) for s in a.sizes.split(",")):
        for kernel in kernels:
            func, dtype = kernel[:-2], np.float32 if kernel.endswith("32") else np.float64
            call = numpy_call(func, dtype, n)
            times = [[] for _ in labels]
            for _ in range(a.rounds):
                for c, (kiln, _) in enumerate(kilns):
                    times[c].append(time_kiln(kiln, kernel, n, a.reps))
                times[-1].append(time_numpy(call, a.reps))
            rate = [n / (statistics.median(t) * 1e-3) / 1e6 for t in times]
            cells = " | ".join(f"{r:,.0f}" for r in rate)
            print(f"| `{kernel}` | {n:.0e} | {cells} | {rate[-2] / rate[-1]:.2f}x |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
