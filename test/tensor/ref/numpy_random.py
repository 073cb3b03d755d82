#!/usr/bin/python3
"""numpy_random: random well-typed tensor kernels, checked against NumPy.

Generates COUNT kernels (deterministically from SEED), writes each as a .tk
file with its inputs as raw little-endian binaries and a manifest, runs the
C++ driver (tensor_xcheck: JIT at O0 and O3 with 1 and 2 threads, the eager
and the blocked reference) over all of them in one process, and compares
every column with the same kernel evaluated by NumPy.

Kernels are f32 or f64 (chosen per kernel) and use only operators whose NumPy
definitions equal ours: + - * , x / (|y| + 1), fmod, abs, min/max (NaN
propagating: np.minimum/np.maximum), relu, clamp, where over comparisons and
&& || !, floor, ceil, sqrt, exp, log, sin, cos, tanh, sigmoid, pow, and the
reductions sum prod min max mean. Inputs lie in [-2, 2]; arguments are kept
in the functions' safe ranges by construction (exp of a clamped value, log
of |x| + 1, ...). Arrays have rank 0-4 with size-1 (broadcast) dimensions,
and some are passed as strided views: step 2, reversed, transposed, or
stride-0 broadcast.

Tolerance. Each value carries a running error scale `mag` (computed in f64
next to the NumPy value: |x| for inputs, ma + mb for +/-, ma * mb for *,
|f(x)| + |f'(x)| * mx for functions). A result passes when
    |got - want| <= rtol * mag + atol,   rtol = 1e-5 (f32), 1e-12 (f64),
with atol = rtol * 1e-3 and, for reductions over n elements, rtol scaled by
max(1, sqrt(n)). Operations whose result jumps (floor, ceil, fmod, the
condition of where) are only applied to subexpressions built from exactly
rounded operations (+ - * / sqrt min max ...), which every implementation
computes bit for bit, so a last-bit difference in exp or tanh cannot flip
them. The JIT's 1-thread and 2-thread reduction results must be
bit-identical (the language's rule); elementwise ones that differ are
reported as a note (a vector and a scalar math routine may round one
element differently at a chunk boundary).
"""
import argparse, math, os, random, re, shutil, subprocess, sys, tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

try:
    import numpy as np
except ImportError:  # ctest treats exit status 77 as "skipped" (SKIP_RETURN_CODE)
    print(f"SKIP: NumPy is not importable by {sys.executable}; install python3-numpy "
          "(scripts/setup-deps)")
    sys.exit(77)

from int_kernels import IntGen, int_values  # noqa: E402  (after the NumPy check)

RTOL = {"f32": 1e-5, "f64": 1e-12}
NP = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64}
COLUMNS = ["eager", "blocked", "jit_O0", "jit_O3_t1", "jit_O3_t2"]


class Gen:
    """Random kernel text, NumPy evaluator and error scale, built together."""

    def __init__(self, rng, dtype, params):
        self.rng, self.dtype, self.params = rng, dtype, params
        self.T = NP[dtype]

    def lit(self):
        """A literal operand. Literals only ever sit next to an operand that
        contains a parameter: a literal-only subexpression would be typed
        i64/f64 by sema, not the kernel's dtype."""
        c = self.rng.choice([0.5, 2, -1.25, 3, 0.75, -0.5, 1.5, 0.125])
        T = self.T
        return (f"({c})" if c < 0 else str(c)), (lambda env, c=c: (T(c), abs(c))), True

    def leaf(self):
        name = self.rng.choice(list(self.params))
        return name, (lambda env, n=name: (env[n], np.abs(env[n]).astype(np.float64))), True

    def expr(self, depth):
        """Returns (text, fn(env) -> (value, mag), exact)."""
        if depth <= 0 or self.rng.random() < 0.2:
            return self.leaf()
        kind = self.rng.choice(["arith"] * 5 + ["div", "unary", "minmax", "clamp", "where",
                                                "step", "fmod", "fun", "fun", "fun", "pow"])
        return getattr(self, "g_" + kind)(depth - 1)

    def operands(self, d):
        """Two operands; sometimes one is a literal."""
        a, b = self.expr(d), self.expr(d)
        r = self.rng.random()
        if r < 0.15:
            a = self.lit()
        elif r < 0.3:
            b = self.lit()
        return a, b

    def g_arith(self, d):
        (ta, fa, ea), (tb, fb, eb) = self.operands(d)
        op = self.rng.choice("+-*")
        def f(env):
            (a, ma), (b, mb) = fa(env), fb(env)
            if op == "+": return a + b, ma + mb
            if op == "-": return a - b, ma + mb
            return a * b, ma * mb
        return f"({ta} {op} {tb})", f, ea and eb

    def g_div(self, d):
        (ta, fa, ea), (tb, fb, eb) = self.expr(d), self.expr(d)
        T = self.T
        def f(env):
            (a, ma), (b, mb) = fa(env), fb(env)
            den = np.abs(b) + T(1)
            q = a / den
            return q, ma / den + np.abs(q) * (mb + 1) / den
        return f"({ta} / (abs({tb}) + 1))", f, ea and eb

    def g_unary(self, d):
        t, fx, e = self.expr(d)
        op = self.rng.choice(["-", "abs", "relu"])
        T = self.T
        def f(env):
            x, m = fx(env)
            if op == "-": return -x, m
            if op == "abs": return np.abs(x), m
            return np.maximum(x, T(0)), m
        return (f"(-{t})" if op == "-" else f"{op}({t})"), f, e

    def g_minmax(self, d):
        (ta, fa, ea), (tb, fb, eb) = self.operands(d)
        op = self.rng.choice(["min", "max"])
        def f(env):
            (a, ma), (b, mb) = fa(env), fb(env)
            return (np.minimum if op == "min" else np.maximum)(a, b), np.maximum(ma, mb)
        return f"{op}({ta}, {tb})", f, ea and eb

    def g_clamp(self, d):
        t, fx, e = self.expr(d)
        lo = self.rng.choice([-1.5, -1, -0.25, 0])
        hi = lo + self.rng.choice([0.5, 1, 2.5])
        T = self.T
        def f(env):
            x, m = fx(env)
            return np.minimum(np.maximum(x, T(lo)), T(hi)), m
        return f"clamp({t}, {lo}, {hi})", f, e

    def exact(self, d):
        """A subexpression that every implementation rounds identically."""
        for _ in range(20):
            t, f, e = self.expr(d)
            if e:
                return t, f
        return self.leaf()[:2]

    def condition(self, d):
        (ta, fa), (tb, fb) = self.exact(d), self.exact(d)
        op = self.rng.choice(["<", "<=", ">", ">=", "==", "!="])
        ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
               "==": np.equal, "!=": np.not_equal}
        text, fn = f"{ta} {op} {tb}", (lambda env: ops[op](fa(env)[0], fb(env)[0]))
        r = self.rng.random()
        if r < 0.15:
            return f"!({text})", (lambda env: np.logical_not(fn(env)))
        if r < 0.35:
            t2, f2 = self.condition(d - 1)
            if self.rng.random() < 0.5:
                return f"({text}) && ({t2})", (lambda env: np.logical_and(fn(env), f2(env)))
            return f"({text}) || ({t2})", (lambda env: np.logical_or(fn(env), f2(env)))
        return text, fn

    def g_where(self, d):
        tc, fc = self.condition(d)
        (tx, fx, ex), (ty, fy, ey) = self.expr(d), self.expr(d)
        def f(env):
            c = fc(env)
            (x, mx), (y, my) = fx(env), fy(env)
            return np.where(c, x, y), np.where(c, mx, my)
        return f"where({tc}, {tx}, {ty})", f, ex and ey

    def g_step(self, d):
        t, fx = self.exact(d)
        op = self.rng.choice(["floor", "ceil"])
        def f(env):
            v = (np.floor if op == "floor" else np.ceil)(fx(env)[0])
            return v, np.abs(v).astype(np.float64)
        return f"{op}({t})", f, True

    def g_fmod(self, d):
        (ta, fa), (tb, fb) = self.exact(d), self.exact(d)
        T = self.T
        def f(env):
            v = np.fmod(fa(env)[0], np.abs(fb(env)[0]) + T(1))
            return v, np.abs(v).astype(np.float64)
        return f"({ta} % (abs({tb}) + 1))", f, True

    def g_fun(self, d):
        t, fx, e = self.expr(d)
        fn = self.rng.choice(["sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid"])
        T = self.T
        def f(env):
            x, m = fx(env)
            m = np.asarray(m, dtype=np.float64)
            if fn == "sqrt":
                if e:
                    v = np.sqrt(np.abs(x)); return v, np.abs(v).astype(np.float64)
                v = np.sqrt(np.abs(x) + T(1)); return v, np.abs(v) + m / (2 * np.abs(v))
            if fn == "exp":
                v = np.exp(np.minimum(np.maximum(x, T(-8)), T(8)))
                return v, np.abs(v) * (1 + m)
            if fn == "log":
                v = np.log(np.abs(x) + T(1)); return v, np.abs(v) + m
            if fn == "sigmoid":
                v = T(1) / (T(1) + np.exp(-x)); return v, np.abs(v) + 0.25 * m
            v = {"sin": np.sin, "cos": np.cos, "tanh": np.tanh}[fn](x)
            return v, np.abs(v) + m
        text = {"sqrt": f"sqrt(abs({t}))" if e else f"sqrt(abs({t}) + 1)",
                "exp": f"exp(clamp({t}, -8, 8))", "log": f"log(abs({t}) + 1)"}.get(fn, f"{fn}({t})")
        return text, f, e and fn == "sqrt"

    def g_pow(self, d):
        t, fx, _ = self.expr(d)
        p = self.rng.choice([0.5, 1.5, 2, 3])
        T = self.T
        def f(env):
            x, m = fx(env)
            base = np.minimum(np.abs(x), T(8)) + T(0.5)
            v = np.power(base, T(p))
            return v, np.abs(v) * (1 + p * m / base)
        return f"pow(min(abs({t}), 8) + 0.5, {p})", f, False


# ---------------------------------------------------------------- kernels

def reduction(gen, op, n):
    """Text and NumPy evaluation of one reduction over the space."""
    T = gen.T
    for _ in range(50):
        t, fx, _ = gen.expr(gen.rng.randint(0, 3))
        if set(re.findall(r"\b[a-z]\b", t)) & gen.arrays:  # an array expression
            break
    if op == "prod":  # factors in [0.99, 1.01]: no overflow at any size
        inner = fx
        t = f"1 + 0.0078125 * tanh({t})"
        def fx(env, inner=inner):
            x, m = inner(env)
            return T(1) + T(0.0078125) * np.tanh(x), 0.0078125 * (np.abs(np.tanh(x)) + m)
    def f(env):
        x, m = fx(env)
        x = np.broadcast_to(x, env["__space"]).astype(T)
        m = np.broadcast_to(np.asarray(m, dtype=np.float64), env["__space"])
        if x.size == 0:
            empty = {"sum": 0, "prod": 1, "mean": math.nan, "min": math.inf, "max": -math.inf}
            return T(empty[op]), 0.0
        if op == "sum":
            return x.sum(dtype=T), float(m.sum())
        if op == "mean":
            return x.mean(dtype=T), float(m.sum()) / x.size
        if op == "prod":
            v = np.prod(x, dtype=T)
            return v, float(abs(v) * (1 + np.sum(m / np.abs(x))))
        return (x.min() if op == "min" else x.max()), float(m.max())
    return f"{op}({t})", f


def scalar_body(gen, n):
    """One to three reductions combined with + - * and scalar parameters."""
    terms = []
    for _ in range(gen.rng.randint(1, 3)):
        ops = ["sum", "sum", "mean", "min", "max"] + (["prod"] if n <= 256 else [])
        terms.append(reduction(gen, gen.rng.choice(ops), n))
    scalars = [p for p in gen.params if p not in gen.arrays]
    if scalars and gen.rng.random() < 0.5:
        name = gen.rng.choice(scalars)
        terms.append((name, lambda env, n=name: (env[n], abs(float(env[n])))))
    text, f = terms[0]
    for t2, f2 in terms[1:]:
        op = gen.rng.choice("+-*")
        def f(env, fa=f, fb=f2, op=op):
            (a, ma), (b, mb) = fa(env), fb(env)
            if op == "*":
                return a * b, ma * mb + ma * abs(float(b)) + mb * abs(float(a))
            return (a + b if op == "+" else a - b), ma + mb
        text = f"({text} {op} {t2})"
    return text, f


def make_shapes(rng):
    """The space shape and each array parameter's shape (broadcastable)."""
    r = rng.random()
    if r < 0.08:
        space = [rng.choice([40000, 70001])]             # several reduce chunks
    elif r < 0.3:
        space = [rng.choice([17, 64, 129, 1000, 4099])] + ([rng.choice([3, 31])] if rng.random() < 0.4 else [])
    else:
        space = [rng.choice([1, 2, 3, 5, 7]) for _ in range(rng.randint(0, 4))]
    if space and rng.random() < 0.04:
        space[rng.randrange(len(space))] = 0
    shapes = []
    for _ in range(rng.randint(1, 4)):
        rank = rng.randint(0, len(space))
        shapes.append([1 if rng.random() < 0.25 else d for d in space[len(space) - rank:]])
    return shapes


def make_view(rng, nprng, shape, T):
    """(view, base, kind): a view with `shape` into a contiguous base."""
    if T in (np.int32, np.int64):
        vals = lambda shp: int_values(nprng, "i32" if T == np.int32 else "i64", shp)
    else:
        vals = lambda shp: nprng.uniform(-2, 2, size=shp).astype(T)
    kinds = ["contig"] * 3 + (["step", "rev", "trans", "bcast0"] if shape else [])
    kind = rng.choice(kinds)
    if kind == "trans" and len(shape) < 2:
        kind = "rev"
    if kind == "bcast0" and not [d for d in shape if d > 1]:
        kind = "step"
    if kind == "step":
        base = vals([d * 2 for d in shape])
        return base[tuple(slice(None, None, 2) for _ in shape)], base, kind
    if kind == "rev":
        base = vals(shape)
        return base[tuple(slice(None, None, -1) for _ in shape)], base, kind
    if kind == "trans":
        base = vals(shape[::-1])
        return base.T, base, kind
    if kind == "bcast0":
        k = rng.choice([i for i, d in enumerate(shape) if d > 1])
        base = vals([1 if i == k else d for i, d in enumerate(shape)])
        return np.broadcast_to(base, shape), base, kind
    base = vals(shape)
    return base, base, kind


def make_case(index, seed):
    rng = random.Random(seed * 1000003 + index)
    nprng = np.random.default_rng(seed * 1000003 + index)
    dtype = rng.choice(["f32", "f64", "f32", "f64", "i32", "i64"])
    T = NP[dtype]
    shapes = make_shapes(rng)
    names = [chr(ord("a") + k) for k in range(len(shapes))]
    scalars = ["s", "t"][: rng.randint(0, 2)]
    order = names + scalars
    rng.shuffle(order)
    env, inputs = {}, {}
    for k, name in enumerate(names):
        view, base, kind = make_view(rng, nprng, shapes[k], T)
        env[name], inputs[name] = view, (view, base, kind)
    for name in scalars:
        env[name] = int_values(nprng, dtype, ())[()] if dtype[0] == "i" else T(nprng.uniform(-2, 2))
    space = list(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    env["__space"] = tuple(space)
    n = int(np.prod(space)) if space else 1
    reduce = rng.random() < 0.35
    params = ", ".join(f"{p}: {dtype}[]" if p in names else f"{p}: {dtype}" for p in order)
    result = dtype if reduce else dtype + "[]"
    if dtype[0] == "i":  # checked against the eager reference, exactly
        body = IntGen(rng, dtype, order, set(names)).body(reduce)
        source = f"// random kernel {index} (seed {seed})\nkernel k{index}({params}) -> {result} =\n  {body}\n"
        return dict(index=index, dtype=dtype, order=order, names=names, inputs=inputs, env=env,
                    source=source, want=None, tol=None, reduce=reduce, space=space)
    gen = Gen(rng, dtype, {p: None for p in order})
    gen.arrays = set(names)
    if reduce:
        body, f = scalar_body(gen, n)
    else:
        body, f = gen.expr(rng.randint(1, 5))[:2]
    source = f"// random kernel {index} (seed {seed})\nkernel k{index}({params}) -> {result} =\n  {body}\n"
    with np.errstate(all="ignore"):
        want, mag = f(env)
        want = np.broadcast_to(np.asarray(want, dtype=T), () if reduce else tuple(space))
        mag = np.broadcast_to(np.asarray(mag, dtype=np.float64), want.shape)
    rtol = RTOL[dtype] * (max(1.0, math.sqrt(n)) if reduce else 1.0)
    return dict(index=index, dtype=dtype, order=order, names=names, inputs=inputs, env=env,
                source=source, want=want, tol=rtol * mag + RTOL[dtype] * 1e-3,
                reduce=reduce, space=space)


# ------------------------------------------------------------ files, driver

def write_case(case, folder):
    shutil.rmtree(folder, ignore_errors=True)  # no stale outputs of an earlier run
    os.makedirs(folder)
    with open(f"{folder}/kernel.tk", "w") as f:
        f.write(case["source"])
    lines = [f"kernel k{case['index']}"]
    for p in case["order"]:
        if p in case["names"]:
            view, base, _ = case["inputs"][p]
            item = base.itemsize
            offset = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // item
            np.ascontiguousarray(base).astype(base.dtype.newbyteorder("<")).tofile(f"{folder}/in_{p}.bin")
            lines.append(" ".join(["array", case["dtype"], str(view.ndim)] + [str(d) for d in view.shape]
                                  + [str(s // item) for s in view.strides]
                                  + [str(offset), f"in_{p}.bin", str(base.size)]))
        elif case["dtype"][0] == "i":
            lines.append(f"scalar {case['dtype']} {int(case['env'][p])}")
        else:
            lines.append(f"scalar {case['dtype']} {float(case['env'][p]).hex()}")
    if case["reduce"]:
        lines.append(f"result scalar {case['dtype']}")
    else:
        lines.append(" ".join(["result array", case["dtype"], str(len(case["space"]))]
                              + [str(d) for d in case["space"]]))
    with open(f"{folder}/manifest.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


def compare(case, folder):
    """Problems of one case (empty list: every column within tolerance)."""
    T = NP[case["dtype"]]
    want, tol = case["want"], case["tol"]
    problems, results = [], {}
    if want is None:  # an integer kernel: every column must equal the eager reference
        path = f"{folder}/out_eager.bin"
        if not os.path.exists(path):
            return [f"eager: {open(f'{folder}/err_eager.txt').read().strip()}"
                    if os.path.exists(f"{folder}/err_eager.txt") else "eager: no output"], []
        want = np.fromfile(path, dtype=np.dtype(T).newbyteorder("<"))
        want = want.reshape(() if case["reduce"] else tuple(case["space"]))
        tol = 0
    for col in COLUMNS:
        if os.path.exists(f"{folder}/err_{col}.txt"):
            problems.append(f"{col}: error: {open(f'{folder}/err_{col}.txt').read().strip()}")
            continue
        path = f"{folder}/out_{col}.bin"
        if not os.path.exists(path):
            problems.append(f"{col}: no output")
            continue
        got = np.fromfile(path, dtype=np.dtype(T).newbyteorder("<"))
        if got.size != want.size:
            problems.append(f"{col}: {got.size} values, expected {want.size}")
            continue
        got = got.reshape(want.shape)
        results[col] = got
        if case["want"] is None:
            w, g, ok = want, got, np.asarray(got == want)
        else:
            w, g = want.astype(np.float64), got.astype(np.float64)
            with np.errstate(all="ignore"):
                ok = (np.abs(g - w) <= tol) | (np.isnan(g) & np.isnan(w)) | (g == w)
        if not ok.all():
            bad = np.argwhere(~ok) if ok.ndim else [()]
            k = tuple(bad[0])
            ref = "NumPy" if case["want"] is not None else "eager"
            problems.append(f"{col}: {int((~ok).sum())} of {ok.size} values off; at index {list(k)} "
                            f"got {g[k]!r}, {ref} {w[k]!r}, tolerance {float(np.broadcast_to(tol, ok.shape)[k]):.3g}")
    notes = []
    if "jit_O3_t1" in results and "jit_O3_t2" in results:
        t1, t2 = results["jit_O3_t1"], results["jit_O3_t2"]
        if t1.tobytes() != t2.tobytes():
            if case["reduce"]:  # the contract: reductions are bit-identical for any thread count
                problems.append("jit: 1-thread and 2-thread reduction results differ "
                                "(must be bit-identical)")
            else:  # allowed (each within tolerance), but worth knowing
                notes.append(f"note: case {case['index']}: JIT elementwise results differ between "
                             f"1 and 2 threads in {int((t1 != t2).sum())} of {t1.size} elements "
                             "(each within tolerance)")
    return problems, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--driver", required=True, help="path of tensor_xcheck")
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", help="folder for the cases (default: a temporary one, removed)")
    ap.add_argument("--show", action="store_true", help="print every kernel")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="tensor-numpy-")
    try:
        cases, folders = [], []
        for i in range(a.count):
            case = make_case(i, a.seed)
            folder = f"{work}/case{i:04d}"
            write_case(case, folder)
            cases.append(case)
            folders.append(folder)
            if a.show:
                print(case["source"])
        p = subprocess.run([a.driver] + folders, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            print(f"numpy_random: driver failed (exit {p.returncode}):\n{p.stdout}{p.stderr}")
            return 1
        failed = 0
        for case, folder in zip(cases, folders):
            problems, notes = compare(case, folder)
            for note in notes:
                print(note)
            if problems:
                failed += 1
                print(f"FAIL case {case['index']} ({case['dtype']}, space {case['space']}, views "
                      f"{ {k: v[2] for k, v in case['inputs'].items()} }):\n{case['source']}"
                      + "".join(f"  {q}\n" for q in problems))
        nred = sum(c["reduce"] for c in cases)
        nint = sum(c["want"] is None for c in cases)
        print(f"numpy_random: {a.count} kernels (seed {a.seed}; {a.count - nred} elementwise, "
              f"{nred} reductions; {nint} integer ones checked exactly against the eager "
              f"reference) x {len(COLUMNS)} columns ({', '.join(COLUMNS)}) vs NumPy "
              f"{np.__version__}: {a.count - failed} passed, {failed} failed "
              f"(|got - want| <= rtol*mag + rtol*1e-3, rtol f32 {RTOL['f32']:g}, f64 {RTOL['f64']:g}, "
              f"x sqrt(n) for reductions)")
        if failed and not a.work:
            print(f"to keep the cases for a closer look, rerun with --work DIR (same --seed "
                  f"{a.seed} --count {a.count})")
        return 1 if failed else 0
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
