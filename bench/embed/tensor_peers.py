#!/usr/bin/python3
"""tensor_peers: kiln.tensor from Python next to numba @njit, numexpr and
NumPy on the same float32 arrays, call overhead included (scripts/bench
embed; run with Debian's /usr/bin/python3).

Kernels: relu(alpha*a*b + c), tanh(a), sum(a*b) at the sizes given. Columns:
kiln.tensor called plainly (k(a, b, c, alpha, out=out)), a bound call (b()),
its bare ctypes entry (b.run()), a bound call on one thread, numba @njit
(one thread; fastmath only for the reduction, so that it may vectorize as
Kiln's reduction does), numexpr (its default threads) and NumPy (in-place
ufuncs, np.dot). Each round times every column once, in a new shuffled
order; a sample is >= 5 ms of back-to-back calls. Every column's result is
checked once against a float64 NumPy reference. Prints JSON, with the path
the binding's hot calls took (kiln.fast_path(): the compiled
extension, or ctypes when KILN_PYTHON_NO_EXTENSION=1 or it is not built).
"""
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import kiln  # noqa: E402
import kiln.tensor  # noqa: E402
import numba  # noqa: E402
import numexpr  # noqa: E402
import numpy as np  # noqa: E402

SOURCE = """
kernel fma_relu(a: f32[], b: f32[], c: f32[], alpha: f32) -> f32[] = relu(alpha * a * b + c)
kernel tanh_k(a: f32[]) -> f32[] = tanh(a)
kernel dot(a: f32[], b: f32[]) -> f32 = sum(a * b)
"""
COLS = ["kiln_call", "kiln_bound", "kiln_run", "kiln_bound_1t", "numba", "numexpr", "numpy"]


@numba.njit
def nb_fma_relu(a, b, c, alpha, out):
    for i in range(a.size):
        v = alpha * a[i] * b[i] + c[i]
        out[i] = v if v > 0 else np.float32(0)
    return out


@numba.njit
def nb_tanh(a, out):
    for i in range(a.size):
        out[i] = np.tanh(a[i])
    return out


@numba.njit(fastmath=True)
def nb_dot(a, b):
    s = np.float32(0)
    for i in range(a.size):
        s += a[i] * b[i]
    return s


def np_fma_relu(a, b, c, alpha, out):
    np.multiply(a, b, out=out)
    out *= alpha
    out += c
    return np.maximum(out, 0, out=out)


def columns(prog, kernel, a, b, c, alpha, out):
    """{column: a no-argument callable returning the result}."""
    k = prog[kernel]
    if kernel == "fma_relu":
        args, env = (a, b, c, alpha), {"a": a, "b": b, "c": c, "alpha": alpha}
        return dict(
            kiln_call=lambda: k(a, b, c, 2.0, out=out), **bound(k, args, out),
            numba=lambda: nb_fma_relu(a, b, c, alpha, out),
            numexpr=lambda: numexpr.evaluate("where(alpha*a*b + c > 0, alpha*a*b + c, 0)",
                                             local_dict=env, out=out),
            numpy=lambda: np_fma_relu(a, b, c, alpha, out))
    if kernel == "tanh_k":
        return dict(kiln_call=lambda: k(a, out=out), **bound(k, (a,), out),
                    numba=lambda: nb_tanh(a, out),
                    numexpr=lambda: numexpr.evaluate("tanh(a)", local_dict={"a": a}, out=out),
                    numpy=lambda: np.tanh(a, out=out))
    return dict(kiln_call=lambda: k(a, b), **bound(k, (a, b), None),
                numba=lambda: nb_dot(a, b),
                numexpr=lambda: numexpr.evaluate("sum(a*b)", local_dict={"a": a, "b": b}),
                numpy=lambda: np.dot(a, b))


def bound(k, args, out):
    b, b1 = k.bind(*args, out=out), k.bind(*args, out=out, threads=1)
    run = b.run
    if out is None:  # a reduction: .run() leaves its result in .value
        return {"kiln_bound": b, "kiln_run": lambda: (run(), b.value)[1], "kiln_bound_1t": b1}
    return {"kiln_bound": b, "kiln_run": lambda: (run(), out)[1], "kiln_bound_1t": b1}


def reference(kernel, a, b, c, alpha):
    a64, b64, c64 = (x.astype(np.float64) for x in (a, b, c))
    if kernel == "fma_relu":
        return np.maximum(float(alpha) * a64 * b64 + c64, 0)
    if kernel == "tanh_k":
        return np.tanh(a64)
    return float(np.dot(a64, b64))


def verify(kernel, got, ref, a, b):
    if kernel == "dot":
        tol = 1e-6 * np.sqrt(a.size) * float(np.abs(a.astype(np.float64) * b).sum()) + 1e-6
        return "ok" if abs(float(got) - ref) <= tol else f"MISMATCH {float(got)} vs {ref}"
    got = np.asarray(got, dtype=np.float64)
    bad = np.abs(got - ref) > 1e-5 * np.abs(ref) + 1e-6
    return "ok" if not bad.any() else f"MISMATCH at {int(np.argmax(bad))}"


def sample(fn, min_s=0.005):
    """Seconds per call: back-to-back calls for at least min_s."""
    n, total = 0, 0.0
    batch = 1
    while total < min_s:
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        total += time.perf_counter() - t0
        n += batch
        batch *= 2
    return total / n


def measure(prog, kernel, n, rounds, rng):
    data = np.random.default_rng(n).standard_normal((3, n)).astype(np.float32)
    a, b, c = data[0], data[1], data[2]
    alpha = np.float32(2.0)
    out = np.empty(n, np.float32)
    cols = columns(prog, kernel, a, b, c, alpha, out)
    ref = reference(kernel, a, b, c, alpha)
    checks = {}
    for name, fn in cols.items():
        out.fill(np.nan)
        checks[name] = verify(kernel, fn(), ref, a, b)  # also the untimed first call
    times = {name: [] for name in cols}
    for _ in range(rounds):
        order = list(cols)
        rng.shuffle(order)
        for name in order:
            times[name].append(sample(cols[name]) * 1e6)
    return {"times_us": times, "checks": checks}


def gil_cost(rounds):
    """ns per call of libc's abs through ctypes.CDLL (which releases the GIL
    around the call, as the binding does) and ctypes.PyDLL (which keeps it):
    the difference is what releasing the GIL costs a tiny call. Alternating
    samples, like the columns above."""
    import ctypes
    fns = {"release": ctypes.CDLL(None).abs, "hold": ctypes.PyDLL(None).abs}
    for f in fns.values():
        f.argtypes, f.restype = [ctypes.c_int], ctypes.c_int
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            times[k].append(sample(lambda: f(-1)) * 1e9)
    return times


def main():
    sizes = [int(float(s)) for s in (sys.argv[1] if len(sys.argv) > 1 else "1e3,1e5,1e7").split(",")]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    prog = kiln.tensor.compile(SOURCE, file="tensor_peers.tk", opt_level=3)
    rng = random.Random(1)
    results = []
    for n in sizes:
        for kernel in ("fma_relu", "tanh_k", "dot"):
            print(f"tensor_peers: {kernel} n={n}", file=sys.stderr)
            r = measure(prog, kernel, n, rounds, rng)
            results.append({"kernel": kernel, "n": n, **r})
    print(json.dumps({"results": results, "numba": numba.__version__,
                      "numexpr": numexpr.__version__, "numpy": np.__version__,
                      "numexpr_threads": numexpr.get_num_threads(),
                      "kiln_threads": os.cpu_count(),
                      "python_path": kiln.fast_path(),
                      "gil_ns": gil_cost(rounds)}))


if __name__ == "__main__":
    main()
