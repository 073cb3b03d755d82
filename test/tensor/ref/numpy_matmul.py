#!/usr/bin/python3
"""numpy_matmul: `a @ b` (with fused epilogues) checked against NumPy.

Generates COUNT random cases (deterministically from SEED): a kernel from a
list of templates (a plain product, relu(a @ b + c) with a bias broadcast
along rows, columns or not at all, a scaled product plus a bias, tanh of a
product, a product of an expression, a chain of two products, a whole-array
sum of a product, a cast of a product), f32 or f64, random M, K, N among
sizes 0-1 (K = 0 included), odd sizes and sizes around the micro-tile
(7, 8, 9, 15, 16, 17, 31, 33, 100, 129), 2-D or batched (rank 3 and 4, batch
dimensions broadcast as NumPy's matmul does) or 1-D (a row or a column,
as in NumPy), and each operand contiguous
or a strided view (transposed, step 2, reversed). The C++ driver
(tensor_xcheck: the JIT at O0 and O3 with 1 and 2 threads, the eager
reference's triple loop) runs them all in one process; each column must
match NumPy within rtol * sqrt(K + 1) * (|a| @ |b| + |c|) per element, rtol
1e-5 (f32) or 1e-12 (f64): the JIT uses FMA and blocks k, the reference
sums k in order without FMA. The blocked interpreter must refuse `@`.

Calls NumPy rejects (inner dimensions that differ, batch dimensions that do
not broadcast, a product that does not broadcast with the bias) must be
rejected by every column with one sentence.
"""
import argparse, os, random, sys

sys.dont_write_bytecode = True

try:
    import numpy as np
except ImportError:
    print(f"SKIP: NumPy is not importable by {sys.executable}; install python3-numpy")
    sys.exit(77)

from numpy_axis import run_cases  # the driver's case format and run, shared

COLUMNS = ["eager", "jit_O0", "jit_O3_t1", "jit_O3_t2"]
NP = {"f32": np.float32, "f64": np.float64}
SIZES = [1, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 129]


def templates(T):
    """(body, params, bias kind, result kind, NumPy function of env, the
    error scale: the same computed on magnitudes)."""
    ab = lambda e: e["a"] @ e["b"]
    c = lambda e: e.get("c", 0)
    return [
        ("a @ b", "ab", None, None, ab, ab),
        ("relu(a @ b + c)", "abc", "row", None, lambda e: np.maximum(ab(e) + e["c"], 0),
         lambda e: ab(e) + c(e)),
        ("relu(a @ b + c)", "abc", "col", None, lambda e: np.maximum(ab(e) + e["c"], 0),
         lambda e: ab(e) + c(e)),
        ("a @ b * s + c", "abcs", "full", None, lambda e: ab(e) * e["s"] + e["c"],
         lambda e: ab(e) * e["s"] + c(e)),
        ("tanh(a @ b) - c", "abc", "row", None, lambda e: np.tanh(ab(e)) - e["c"],
         lambda e: ab(e) + c(e)),
        ("(a * 2 - 1) @ b", "ab", None, None, lambda e: (e["a"] * 2 - 1) @ e["b"],
         lambda e: (e["a"] * 2 + 1) @ e["b"]),
        ("c + a @ b @ d", "abcd", "row", None, lambda e: e["c"] + ab(e) @ e["d"],
         lambda e: c(e) + ab(e) @ e["d"]),
        ("sum(a @ b)", "ab", None, "scalar", lambda e: np.sum(ab(e)), lambda e: np.sum(ab(e))),
        ("f64(a @ b)", "ab", None, "f64", ab, ab),
    ]


def make_view(rng, shape, T):
    """A view of `shape` with a random layout: (view, base array)."""
    kind = rng.choice(["contiguous", "contiguous", "transposed", "step2", "reversed"])
    vals = lambda s: np.random.default_rng(rng.randint(0, 1 << 30)).uniform(-2, 2, s).astype(T)
    if kind == "transposed" and len(shape) >= 2:
        base = vals(shape[:-2] + [shape[-1], shape[-2]])
        return np.swapaxes(base, -1, -2), base
    if kind == "step2":
        base = vals(shape[:-1] + [2 * shape[-1]])
        return base[..., ::2], base
    if kind == "reversed":
        base = vals(shape)
        return base[::-1], base
    base = vals(shape)
    return base, base


def batch_dims(rng):
    """Batch shapes of a and b that broadcast (or, rarely, do not)."""
    r = rng.choice([0, 0, 0, 1, 1, 2])
    full = [rng.choice([1, 2, 3]) for _ in range(r)]
    a = [d if rng.random() < 0.7 else 1 for d in full]
    b = [d if rng.random() < 0.7 else 1 for d in full][rng.randint(0, r):]
    return a, b


def make_case(rng):
    dtype = rng.choice(["f32", "f64"])
    T = NP[dtype]
    body, params, bias, rkind, fn, magfn = rng.choice(templates(T))
    m, n = rng.choice(SIZES), rng.choice(SIZES)
    k = 0 if rng.random() < 0.08 else rng.choice(SIZES)
    ba, bb = batch_dims(rng)
    kb = k + 1 if rng.random() < 0.05 else k  # inner dimensions that differ
    shapes = {"a": ba + [m, k], "b": bb + [kb, n], "d": [n, rng.choice(SIZES)]}
    if not ba and rng.random() < 0.15:  # 1-D operands: a row / a column
        shapes["a"] = [k]
    if not bb and rng.random() < 0.15:
        shapes["b"] = [kb]
    if bias == "row":
        shapes["c"] = [n] if "d" not in params else [shapes["d"][1]]
    elif bias == "col":
        shapes["c"] = [m, 1]
    elif bias == "full":
        shapes["c"] = [m, n]
    env, bases = {}, {}
    for p in params:
        if p == "s":
            env[p] = T(rng.uniform(-2, 2))
            continue
        env[p], bases[p] = make_view(rng, shapes[p], T)
    decl = ", ".join(f"{p}: {dtype}" + ("" if p == "s" else "[]") for p in params)
    rdt = "f64" if rkind == "f64" else dtype
    rtype = rdt + ("" if rkind == "scalar" else "[]")
    source = f"kernel k({decl}) -> {rtype} = {body}\n"
    env64 = {p: v.astype(np.float64) for p, v in env.items()}
    try:
        want = np.asarray(fn(env64))
        mag = np.asarray(magfn({p: np.abs(v) for p, v in env64.items()}))
        err = None
    except ValueError as e:
        want, mag, err = None, None, str(e)
    kind = "scalar" if rkind == "scalar" else "array"
    out_shape = list(want.shape) if want is not None and kind == "array" else []
    return dict(source=source, params=params, env=env, bases=bases, dtype=dtype, rdt=rdt,
                kind=kind, want=want, mag=mag, err=err, k=max(k, shapes["d"][0] if "d" in params else 0),
                out_shape=out_shape, shapes={p: shapes.get(p) for p in params})


def check(case, folder):
    problems = []
    blocked = f"{folder}/err_blocked.txt"
    if not os.path.exists(blocked) or "does not multiply matrices" not in open(blocked).read():
        problems.append("blocked: expected its 'does not multiply matrices' error")
    if case["err"] is not None:
        msgs = set()
        for col in COLUMNS:
            path = f"{folder}/err_{col}.txt"
            if not os.path.exists(path):
                problems.append(f"{col}: accepted a call NumPy rejects ({case['err']})")
                continue
            msgs.add(open(path).read().strip())
        if len(msgs) > 1:
            problems.append(f"columns reject with different messages: {sorted(msgs)}")
        elif msgs and not any(w in next(iter(msgs)) for w in ("'@'", "do not broadcast")):
            problems.append(f"unexpected error: {msgs}")
        return problems
    want = case["want"]
    rtol = {"f32": 1e-5, "f64": 1e-12}[case["dtype"]]
    scale = np.sqrt(case["k"] + 1.0) * rtol
    if case["kind"] == "scalar":
        scale *= np.sqrt(max(want.size, case["mag"].size) + 1.0)
    T = NP[case["rdt"]]
    for col in COLUMNS:
        path = f"{folder}/out_{col}.bin"
        if not os.path.exists(path):
            err = open(f"{folder}/err_{col}.txt").read() if os.path.exists(f"{folder}/err_{col}.txt") else "?"
            problems.append(f"{col}: no output ({err.strip()})")
            continue
        got = np.fromfile(path, dtype=np.dtype(T).newbyteorder("<")).reshape(want.shape)
        bad = np.abs(got.astype(np.float64) - want) > scale * (case["mag"] + 1e-3)
        if np.any(bad):
            i = np.argmax(bad)
            problems.append(f"{col}: element {i}: got {got.ravel()[i]!r} want {want.ravel()[i]!r}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    cases = [make_case(rng) for _ in range(a.count)]
    return run_cases("numpy_matmul", a.driver, cases, check, 900,
                     lambda c: f"shapes {c['shapes']}")


if __name__ == "__main__":
    sys.exit(main())
