#!/usr/bin/python3
"""numpy_axis: axis reductions (`sum(x, axis=1, keepdims)`) checked against NumPy.

Generates COUNT random cases (deterministically from SEED): a kernel from a
list of templates (a plain axis reduction of each kind, logsumexp, x - max(x, axis)
broadcast back, a numerically stable softmax, a reduction of a broadcast
product plus a scalar, a whole-array sum around an axis reduction, integer
sums/means/maxima), a random rank 1-4 shape with size-1 and empty
dimensions, a random axis (negative too), and the argument as a contiguous
array or a strided view (step 2, reversed, transposed). The C++ driver
(tensor_xcheck: JIT at O0 and O3 with 1 and 2 threads, the eager reference)
runs them all in one process; each column must match NumPy (float results
within rtol 1e-5 for f32 and 1e-12 for f64, scaled by the reduced length and
the inputs' magnitude; integers exactly). The blocked interpreter does not
reduce along an axis and must say so.

Several axes at once (`sum(x, axis=(0, -1))`, sum prod min max mean, the
tuple's axes distinct in the source, in any order, negative too) come from
a second stream of --multi cases: plain reductions, `x - max(x, axis=T,
keepdims)`, a reduction of a broadcast product plus a scalar, integer
reductions, and tuples naming one dimension twice (`(0, -2)` of a matrix:
NumPy's "duplicate value in 'axis'").

Error cases — an axis out of range for the argument's rank, min/max of an
empty axis (NumPy raises: no identity), a dimension named twice — must be
rejected by every column with the same sentence.
"""
import argparse, os, random, shutil, subprocess, sys, tempfile

sys.dont_write_bytecode = True

try:
    import numpy as np
except ImportError:
    print(f"SKIP: NumPy is not importable by {sys.executable}; install python3-numpy")
    sys.exit(77)

COLUMNS = ["eager", "jit_O0", "jit_O3_t1", "jit_O3_t2"]
NP = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64}
NPRED = {"sum": np.sum, "prod": np.prod, "min": np.min, "max": np.max, "mean": np.mean,
         "argmax": np.argmax, "argmin": np.argmin}


def softmax(x, a):
    e = np.exp(x - x.max(axis=a, keepdims=True))
    return e / e.sum(axis=a, keepdims=True)


def templates(kd):
    """(source body, params, result kind, NumPy function of (env, axis))."""
    k = ", keepdims" if kd else ""
    out = []
    for op in ["sum", "prod", "min", "max", "mean"]:
        out.append((f"{op}(x, axis=A{k})", ["x"], "array",
                    lambda e, a, op=op: NPRED[op](e["x"], axis=a, keepdims=kd)))
    out += [
        (f"logsumexp(x, axis=A{k})", ["x"], "array",
         lambda e, a: np.log(np.exp(e["x"] - e["x"].max(axis=a, keepdims=True)).sum(axis=a, keepdims=kd))
         + e["x"].max(axis=a, keepdims=kd)),
        (f"argmax(x * x - x, axis=A{k})", ["x"], "array",
         lambda e, a: np.argmax(e["x"] * e["x"] - e["x"], axis=a, keepdims=kd)),
        ("x - max(x, axis=A, keepdims)", ["x"], "array",
         lambda e, a: e["x"] - e["x"].max(axis=a, keepdims=True)),
        ("exp(x - max(x, axis=A, keepdims)) / sum(exp(x - max(x, axis=A, keepdims)), axis=A, keepdims)",
         ["x"], "array", lambda e, a: softmax(e["x"], a)),
        (f"sum(x * y, axis=A{k}) + s", ["x", "y", "s"], "array",
         lambda e, a: (e["x"] * e["y"]).sum(axis=a, keepdims=kd) + e["s"]),
        ("sum(x - mean(x, axis=A, keepdims))", ["x"], "scalar",
         lambda e, a: (e["x"] - e["x"].mean(axis=a, keepdims=True)).sum()),
    ]
    return out


def random_shape(rng):
    rank = rng.randint(1, 4)
    return [rng.choice([0, 1, 1, 2, 3, 5, 7]) if rng.random() < 0.3 else rng.randint(2, 9)
            for _ in range(rank)]


def make_view(rng, shape, T):
    """A view of `shape` with random layout: (view, base array)."""
    kind = rng.choice(["contiguous", "step2", "reversed", "transposed"])
    vals = lambda s: (np.random.default_rng(rng.randint(0, 1 << 30)).uniform(-2, 2, s)
                      if T in (np.float32, np.float64) else
                      np.random.default_rng(rng.randint(0, 1 << 30)).integers(-50, 50, s)).astype(T)
    if kind == "step2" and shape:
        base = vals([2 * shape[0]] + shape[1:])
        return base[::2], base
    if kind == "reversed" and shape:
        base = vals(shape)
        return base[::-1], base
    if kind == "transposed" and len(shape) >= 2:
        base = vals(list(reversed(shape)))
        return base.T, base
    base = vals(shape)
    return base, base


def write_case(folder, source, names, env, bases, dtype, result, shape):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    with open(f"{folder}/kernel.tk", "w") as f:
        f.write(source)
    lines = ["kernel k"]
    for p in names:
        v = env[p]
        if p not in bases:
            lines.append(f"scalar {dtype} {float(v).hex() if dtype[0] == 'f' else int(v)}")
            continue
        base, item = bases[p], bases[p].itemsize
        offset = (v.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // item
        base.astype(base.dtype.newbyteorder("<")).tofile(f"{folder}/in_{p}.bin")
        lines.append(" ".join(["array", dtype, str(v.ndim)] + [str(d) for d in v.shape]
                              + [str(s // item) for s in v.strides]
                              + [str(offset), f"in_{p}.bin", str(base.size)]))
    rdt, rshape = result
    if shape is None:
        lines.append(f"result scalar {rdt}")
    else:
        lines.append(" ".join(["result array", rdt, str(len(rshape))] + [str(d) for d in rshape]))
    with open(f"{folder}/manifest.txt", "w") as f:
        f.write("\n".join(lines) + "\n")



def run_cases(name, driver, cases, check, timeout, describe):
    """Writes every case (write_case), runs the cross-check driver on all of
    them at once and reports each case that `check` finds problems in: the
    exit status for main (numpy_matmul.py shares it)."""
    tmp = tempfile.mkdtemp(prefix=f"kiln_{name}_")
    try:
        folders = []
        for i, c in enumerate(cases):
            folder = f"{tmp}/c{i}"
            write_case(folder, c["source"], list(c["params"]), c["env"], c["bases"], c["dtype"],
                       (c["rdt"], c["out_shape"]), None if c["kind"] == "scalar" else c["out_shape"])
            folders.append(folder)
        p = subprocess.run([driver] + folders, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            print(f"{name}: driver failed (exit {p.returncode}):\n{p.stdout}{p.stderr}")
            return 1
        failed = errors = 0
        for c, folder in zip(cases, folders):
            errors += c["err"] is not None
            problems = check(c, folder)
            if problems:
                failed += 1
                print(f"FAIL {describe(c)}: {c['source'].strip()}")
                for pr in problems:
                    print(f"  {pr}")
        print(f"{name}: {len(cases) - failed}/{len(cases)} cases agree with NumPy "
              f"({errors} rejected calls)")
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

def make_case(rng, index):
    """One case: (folder contents to write, expected value or error text)."""
    dtype = rng.choice(["f32", "f64", "f64", "i32", "i64"])
    T = NP[dtype]
    shape = random_shape(rng)
    r = len(shape)
    bad_axis = rng.random() < 0.08
    axis = rng.choice([r, -r - 1]) if bad_axis else rng.randint(-r, r - 1)
    axis = max(-4, min(3, axis))
    kd = rng.random() < 0.5
    if dtype[0] == "i":
        op = rng.choice(["sum", "max", "min", "mean", "argmax", "argmin"])
        k = ", keepdims" if kd else ""
        # x / 8 (truncating, as C) makes ties for argmax/argmin
        trunc8 = lambda v: (np.abs(v) // 8) * np.sign(v)
        tpl = (f"{op}(x / 8, axis=A{k})", ["x"], "array",
               lambda e, a, op=op: NPRED[op](trunc8(e["x"]).astype(np.float64 if op == "mean" else e["x"].dtype),
                                             axis=a, keepdims=kd))
        rdt = {"mean": "f64", "argmax": "i64", "argmin": "i64"}.get(op, dtype)
    else:
        tpl = rng.choice(templates(kd))
        rdt = "i64" if tpl[0].startswith("arg") else dtype
    body, params, kind, fn = tpl
    body = body.replace("A", str(axis))
    env, bases = {}, {}
    for p in params:
        if p == "s":
            env[p] = T(rng.uniform(-2, 2))
            continue
        pshape = shape if p == "x" else [1 if rng.random() < 0.3 else d for d in shape][rng.randint(0, r - 1):]
        env[p], bases[p] = make_view(rng, pshape, T)
    decl = ", ".join(f"{p}: {dtype}" + ("" if p == "s" else "[]") for p in params)
    rtype = rdt + ("[]" if kind == "array" else "")
    source = f"kernel k({decl}) -> {rtype} = {body}\n"
    env64 = {p: (v.astype(np.float64) if dtype[0] == "f" else v) for p, v in env.items()}
    try:
        with np.errstate(all="ignore"):
            want = np.asarray(fn(env64, axis))
        err = None
    except (ValueError, np.AxisError) as e:
        want, err = None, str(e)
    out_shape = list(want.shape) if want is not None and kind == "array" else []
    return dict(source=source, params=params, env=env, bases=bases, dtype=dtype, rdt=rdt,
                kind=kind, want=want, err=err, shape=shape, axis=axis,
                length=(shape[axis] if -r <= axis < r else 0), out_shape=out_shape)


def multi_templates(kd):
    """Templates over a tuple of axes T (sum prod min max mean only)."""
    k = ", keepdims" if kd else ""
    out = [(f"{op}(x, axis=T{k})", ["x"], "array",
            lambda e, a, op=op: NPRED[op](e["x"], axis=a, keepdims=kd))
           for op in ["sum", "prod", "min", "max", "mean"]]
    out += [
        ("x - max(x, axis=T, keepdims)", ["x"], "array",
         lambda e, a: e["x"] - e["x"].max(axis=a, keepdims=True)),
        (f"sum(x * y, axis=T{k}) + s", ["x", "y", "s"], "array",
         lambda e, a: (e["x"] * e["y"]).sum(axis=a, keepdims=kd) + e["s"]),
        ("sum(x - mean(x, axis=T, keepdims))", ["x"], "scalar",
         lambda e, a: (e["x"] - e["x"].mean(axis=a, keepdims=True)).sum()),
    ]
    return out


def random_axes(rng, r):
    """2..r distinct dimensions, each written positive or negative; now and
    then one written twice in two spellings (a call-time error)."""
    dims = rng.sample(range(r), rng.randint(2, r))
    axes = [d - r if rng.random() < 0.4 else d for d in dims]
    if rng.random() < 0.08:
        axes[-1] = dims[0] - r if axes[0] >= 0 else dims[0]
    return tuple(axes)


def make_multi_case(rng):
    """A case reducing several axes at once (see the module's doc)."""
    dtype = rng.choice(["f32", "f64", "f64", "i32", "i64"])
    T = NP[dtype]
    shape = random_shape(rng)
    while len(shape) < 2:
        shape = random_shape(rng)
    r = len(shape)
    axes = random_axes(rng, r)
    kd = rng.random() < 0.5
    if dtype[0] == "i":
        op = rng.choice(["sum", "max", "min", "mean"])
        k = ", keepdims" if kd else ""
        tpl = (f"{op}(x, axis=T{k})", ["x"], "array",
               lambda e, a, op=op: NPRED[op](e["x"].astype(np.float64 if op == "mean"
                                                           else e["x"].dtype), axis=a, keepdims=kd))
        rdt = "f64" if op == "mean" else dtype
    else:
        tpl, rdt = rng.choice(multi_templates(kd)), dtype
    body, params, kind, fn = tpl
    body = body.replace("T", "(" + ", ".join(map(str, axes)) + ")")
    env, bases = {}, {}
    for p in params:
        if p == "s":
            env[p] = T(rng.uniform(-2, 2))
            continue
        pshape = shape if p == "x" else [1 if rng.random() < 0.3 else d for d in shape]
        env[p], bases[p] = make_view(rng, pshape, T)
    decl = ", ".join(f"{p}: {dtype}" + ("" if p == "s" else "[]") for p in params)
    source = f"kernel k({decl}) -> {rdt}{'[]' if kind == 'array' else ''} = {body}\n"
    env64 = {p: (v.astype(np.float64) if dtype[0] == "f" else v) for p, v in env.items()}
    try:
        with np.errstate(all="ignore"):
            want, err = np.asarray(fn(env64, axes)), None
    except (ValueError, np.AxisError) as e:
        want, err = None, str(e)
    length = 1
    for a in set(d % r for d in axes):
        length *= shape[a]
    return dict(source=source, params=params, env=env, bases=bases, dtype=dtype, rdt=rdt,
                kind=kind, want=want, err=err, shape=shape, axis=axes, length=length,
                out_shape=list(want.shape) if want is not None and kind == "array" else [])


def check(case, folder):
    problems = []
    blocked = f"{folder}/err_blocked.txt"
    if not os.path.exists(blocked) or "does not reduce along an axis" not in open(blocked).read():
        problems.append("blocked: expected its 'does not reduce along an axis' error")
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
        elif msgs and not any(w in next(iter(msgs))
                              for w in ("out of range", "no identity", "twice")):
            problems.append(f"unexpected error: {msgs}")
        return problems
    T = NP[case["rdt"]]
    want = case["want"]
    rtol = {"f32": 1e-5, "f64": 1e-12}.get(case["rdt"], 0)
    mag = max([1.0] + [float(np.abs(v).max()) for v in case["env"].values() if np.size(v)])
    n = max(1, case["env"]["x"].size if case["kind"] == "scalar" else case["length"])
    atol = rtol * n * mag * mag * 4
    for col in COLUMNS:
        path = f"{folder}/out_{col}.bin"
        if not os.path.exists(path):
            err = open(f"{folder}/err_{col}.txt").read() if os.path.exists(f"{folder}/err_{col}.txt") else "?"
            problems.append(f"{col}: no output ({err.strip()})")
            continue
        got = np.fromfile(path, dtype=np.dtype(T).newbyteorder("<")).reshape(want.shape)
        ok = (np.array_equal(got, want, equal_nan=True) if rtol == 0 else
              np.allclose(got.astype(np.float64), want, rtol=rtol * n, atol=atol, equal_nan=True))
        if not ok:
            problems.append(f"{col}: got {got.ravel()[:6]} want {want.ravel()[:6]}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--multi", type=int, default=150, help="cases with axis=(...)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    cases = [make_case(rng, i) for i in range(a.count)]
    multi = random.Random(a.seed + 7919)  # its own stream: the cases above stay
    cases += [make_multi_case(multi) for _ in range(a.multi)]
    return run_cases("numpy_axis", a.driver, cases, check, 600,
                     lambda c: f"shape {c['shape']} axis {c['axis']}")


if __name__ == "__main__":
    sys.exit(main())
