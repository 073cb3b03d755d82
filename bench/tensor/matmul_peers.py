#!/usr/bin/python3
"""matmul_peers: NumPy (its BLAS) and numba on matmul_bench's cases.

Usage: matmul_peers.py CASE... [--reps R] [--min-ms MS] [--numba-loop-max N]
A CASE is NAME:DTYPE:MxKxN[:relu], as for matmul_bench. Run it with
OPENBLAS_NUM_THREADS set: BLAS reads it when it loads. Prints JSON: the BLAS
library NumPy actually loaded (from /proc/self/maps), and per case and column
the milliseconds per call of R samples (each ≥ MS of back-to-back calls
after one untimed call), with a check of the result against float64:
- numpy: `a @ b` (plain) or `np.maximum(a @ b + c, 0, out=o)` (relu: NumPy's
  matmul, then its elementwise ops, written into a preallocated output);
- numba_dot: `np.dot(a, b)` inside an @njit function (numba calls BLAS through
  SciPy's cython_blas), plus the relu in the same loop nest;
- numba_loop: an @njit(fastmath) i-k-j triple loop (LLVM vectorizes the j loop),
  only where M*K*N <= numba-loop-max (it is ~10-50x slower than BLAS).
"""
import argparse, json, os, sys, time

import numpy as np


def parse(text):
    parts = text.split(":")
    m, k, n = (int(x) for x in parts[2].split("x"))
    return dict(name=parts[0], dtype=np.float32 if parts[1] == "f32" else np.float64,
                m=m, k=k, n=n, relu=len(parts) > 3 and parts[3] == "relu")


def blas_library():
    libs = sorted({line.split()[-1] for line in open("/proc/self/maps")
                   if "blas" in line.lower() and line.split()[-1].startswith("/")})
    return [l for l in libs if "lapack" not in l] or libs


def blas_core(libs):
    """OpenBLAS's kernel family for this CPU (openblas_get_corename), or ''."""
    import ctypes
    for lib in libs:
        if "openblas" in lib:
            try:
                f = ctypes.CDLL(lib).openblas_get_corename
                f.restype = ctypes.c_char_p
                return f().decode()
            except (OSError, AttributeError):
                pass
    return ""


def timed(fn, reps, min_ms):
    fn()
    t0 = time.perf_counter(); fn(); one = max(time.perf_counter() - t0, 1e-6)
    iters = max(1, int(min_ms / 1e3 / one))
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        out.append((time.perf_counter() - t0) / iters * 1e3)
    return out


def numba_columns():
    try:
        import numba
    except ImportError:
        return None, None

    @numba.njit(cache=False)
    def dot(a, b, c, o, relu):
        r = np.dot(a, b)
        if relu:
            for i in range(r.shape[0]):
                for j in range(r.shape[1]):
                    v = r[i, j] + c[j]
                    o[i, j] = v if v > 0 else 0
        else:
            o[:, :] = r

    @numba.njit(fastmath=True, cache=False)
    def loop(a, b, c, o, relu):
        m, k = a.shape
        n = b.shape[1]
        for i in range(m):
            for j in range(n):
                o[i, j] = 0
            for q in range(k):
                x = a[i, q]
                for j in range(n):
                    o[i, j] += x * b[q, j]
            if relu:
                for j in range(n):
                    v = o[i, j] + c[j]
                    o[i, j] = v if v > 0 else 0
    return dot, loop


def check(got, want, k, dtype):
    tol = (1e-5 if dtype == np.float32 else 1e-12) * np.sqrt(k + 1.0)
    err = np.abs(got.astype(np.float64) - want).max() if want.size else 0.0
    scale = np.abs(want).max() + 1 if want.size else 1
    return "ok" if err <= tol * scale * max(1, k) ** 0.5 else f"MISMATCH: max error {err:g}"


def run_case(c, reps, min_ms, loop_max, dot, loop):
    rng = np.random.default_rng(1)
    T = c["dtype"]
    a = rng.uniform(-1, 1, (c["m"], c["k"])).astype(T)
    b = rng.uniform(-1, 1, (c["k"], c["n"])).astype(T)
    bias = rng.uniform(-1, 1, c["n"]).astype(T)
    o = np.empty((c["m"], c["n"]), T)
    want = a.astype(np.float64) @ b.astype(np.float64)
    if c["relu"]:
        want = np.maximum(want + bias, 0)
        fn = lambda: np.maximum(a @ b + bias, 0, out=o)
    else:
        fn = lambda: np.matmul(a, b, out=o)
    res = {"numpy": timed(fn, reps, min_ms)}
    checks = {"numpy": check(o, want, c["k"], T)}
    if dot:
        o[:] = np.nan
        res["numba_dot"] = timed(lambda: dot(a, b, bias, o, c["relu"]), reps, min_ms)
        checks["numba_dot"] = check(o, want, c["k"], T)
    if loop and c["m"] * c["k"] * c["n"] <= loop_max:
        o[:] = np.nan
        res["numba_loop"] = timed(lambda: loop(a, b, bias, o, c["relu"]), reps, min_ms)
        checks["numba_loop"] = check(o, want, c["k"], T)
    return {"case": c["name"], "ms": res, "check": checks}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--min-ms", type=float, default=30)
    ap.add_argument("--numba-loop-max", type=int, default=512 ** 3)
    a = ap.parse_args()
    dot, loop = numba_columns()
    out = [run_case(parse(c), a.reps, a.min_ms, a.numba_loop_max, dot, loop) for c in a.cases]
    print(json.dumps({"blas": blas_library(), "blas_core": blas_core(blas_library()),
                      "numpy": np.__version__,
                      "threads": os.environ.get("OPENBLAS_NUM_THREADS", ""), "results": out}))


if __name__ == "__main__":
    sys.exit(main())
