#!/usr/bin/python3
"""math_bench: Kiln's transcendental kernels next to NumPy's (and numba's),
one thread.

Usage: math_bench.py KILN[=LABEL] [KILN2[=LABEL] ...] [--sizes 1e5,1e7]
                     [--rounds 3] [--reps 41] [--only tanh32,exp32]
                     [--numba] [--json]

Each kernel of bench/tensor/math.tk (exp log sin cos tanh pow sigmoid, f32
and f64) is timed by `KILN tensor run --threads 1 --no-cache` (the median of
--reps single calls, on `kiln tensor run`'s generated data: element i of
parameter p is 0.5 + ((i*7919 + p*104729) % 1000)/1000) and by NumPy on the
same values, with `out=` into a preallocated array (the median of --reps
samples, each at least 2 ms of repeated calls); with --numba, also by a
numba @njit loop of Python's math functions over the same arrays (compiled
before timing). Rounds alternate between the columns, so every column sees
the same machine load; each cell is the median over the rounds. Giving two
kiln binaries (say, before and after a change) puts both in the table.
Prints a Markdown table in Melem/s, or with --json every round's rate.
"""
import argparse, json, math, os, re, statistics, subprocess, sys, time

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


def numba_call(func, dtype, n):
    """A numba loop over the same arrays; compiled here, not while timed."""
    import numba
    scalar = {"exp": lambda x: math.exp(x), "log": lambda x: math.log(x),
              "sin": lambda x: math.sin(x), "cos": lambda x: math.cos(x),
              "tanh": lambda x: math.tanh(x), "pow": lambda x, y: x ** y,
              "sigmoid": lambda x: 1 / (1 + math.exp(-x))}
    g = numba.njit(scalar[func])
    args = inputs(n, dtype, 2 if func == "pow" else 1)
    out = np.empty(n, dtype=dtype)
    if func == "pow":
        @numba.njit
        def loop2(a, b, o):
            for i in range(o.size):
                o[i] = g(a[i], b[i])
        loop2(args[0], args[1], out)
        return lambda: loop2(args[0], args[1], out)

    @numba.njit
    def loop1(a, o):
        for i in range(o.size):
            o[i] = g(a[i])
    loop1(args[0], out)
    return lambda: loop1(args[0], out)


def time_call(call, reps):
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


def measure(kilns, kernel, n, a):
    """Every column's Melem/s in each round (columns alternate per round)."""
    func, dtype = kernel[:-2], np.float32 if kernel.endswith("32") else np.float64
    calls = [numpy_call(func, dtype, n)]
    if a.numba:
        calls.append(numba_call(func, dtype, n))
    rates = [[] for _ in range(len(kilns) + len(calls))]
    for _ in range(a.rounds):
        for c, (kiln, _) in enumerate(kilns):
            rates[c].append(n / (time_kiln(kiln, kernel, n, a.reps) * 1e-3) / 1e6)
        for c, call in enumerate(calls):
            rates[len(kilns) + c].append(n / (time_call(call, a.reps) * 1e-3) / 1e6)
    return rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kilns", nargs="+", help="kiln binaries, each optionally =LABEL")
    ap.add_argument("--sizes", default="1e5,1e7")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=41)
    ap.add_argument("--only", help="comma-separated kernels (tanh32,exp64,...)")
    ap.add_argument("--numba", action="store_true", help="add a numba column")
    ap.add_argument("--json", action="store_true", help="print JSON, not Markdown")
    a = ap.parse_args()
    kilns = [(k.split("=", 1) + [os.path.basename(k)])[:2] for k in a.kilns]
    labels = [label for _, label in kilns] + ["NumPy " + np.__version__]
    if a.numba:
        import numba
        labels.append("numba " + numba.__version__)
    kernels = [f + bits for bits in ("32", "64") for f in FUNCS]
    if a.only:
        kernels = [k for k in kernels if k in a.only.split(",")]
    rows = []
    if not a.json:
        print("| kernel | n | " + " | ".join(labels) + " | last Kiln / NumPy |")
        print("|---|---:|" + "---:|" * len(labels) + "---:|")
    for n in (int(float(s)) for s in a.sizes.split(",")):
        for kernel in kernels:
            rates = measure(kilns, kernel, n, a)
            rows.append({"kernel": kernel, "n": n, "rates": rates})
            if a.json:
                continue
            med = [statistics.median(r) for r in rates]
            cells = " | ".join(f"{r:,.0f}" for r in med)
            ratio = med[len(kilns) - 1] / med[len(kilns)]
            print(f"| `{kernel}` | {n:.0e} | {cells} | {ratio:.2f}x |", flush=True)
    if a.json:
        print(json.dumps({"labels": labels, "rounds": a.rounds, "reps": a.reps, "rows": rows}))


if __name__ == "__main__":
    sys.exit(main())
